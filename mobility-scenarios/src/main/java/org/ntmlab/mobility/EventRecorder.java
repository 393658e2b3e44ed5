package org.ntmlab.mobility;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.pcap.timeline.EventLog;

/**
 * One event log per scenario in the format of docs/pcap-analysis.md ("Node event log"): the
 * node's own signalling events (address-added, register-sent, register-acked, tunnel-updated,
 * ...) unchanged and the harness's {@code move-start}, {@code app-data-resumed} and
 * {@code tcp-resumed}, on one clock.
 */
public final class EventRecorder {

    private final List<String> lines = new ArrayList<>();

    /**
     * Records every event {@code node} emits, as the node wrote it: its lines are already in
     * the format the analyser reads ({@code address-added addr=<the new address>}, ...).
     */
    public void follow(NtmNode node) {
        node.onEvent(this::add);
    }

    /** A harness event, e.g. {@code emit(t, fqdn, "move-start", "to=p1:10.1.0.20")}. */
    public void emit(long epochNanos, String node, String event, String attributes) {
        add("ts=" + WallClock.format(epochNanos) + " node=" + node + " event=" + event
                + (attributes == null || attributes.isEmpty() ? "" : " " + attributes));
    }

    private synchronized void add(String line) {
        lines.add(line);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public EventLog toEventLog() {
        return EventLog.parse(lines(), "events.log");
    }

    public void write(Path file) throws IOException {
        Files.write(file, lines(), StandardCharsets.UTF_8);
    }
}
