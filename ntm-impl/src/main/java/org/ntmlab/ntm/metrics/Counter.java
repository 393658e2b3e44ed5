package org.ntmlab.ntm.metrics;

/**
 * One thing a component counts: a drop with its reason, or an event. Each component declares
 * its counters as one enum in its own package (node.NodeCounter, dc.DcCounter,
 * rs.RelayCounter; wire.MessageDrop for the drops every receiver of NTM messages shares), so
 * the names are checked by the compiler and listed in one place with what they mean.
 */
public interface Counter {

    /**
     * The name in {@link Counters#snapshot()}, in logs and in the control channel's
     * {@code counters} output. Stable: tests, docs and lab scripts read counters by it, and
     * within one component two counters must not share it (their counts would merge).
     */
    String key();
}
