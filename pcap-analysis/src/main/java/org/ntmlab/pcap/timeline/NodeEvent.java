package org.ntmlab.pcap.timeline;

import java.util.Map;
import java.util.Optional;

/**
 * One line of a node event log.
 *
 * @param timestampNanos epoch nanoseconds
 * @param name           the {@code event=} value, e.g. {@code move-start}
 * @param node           the {@code node=} value, or "" when the log is for a single node
 * @param attributes     all other key=value pairs, in line order
 * @param line           1-based line number in its file, for messages
 */
public record NodeEvent(long timestampNanos, String name, String node, Map<String, String> attributes, int line) {

    public Optional<String> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }
}
