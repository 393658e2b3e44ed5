package org.ntmlab.pcap.timeline;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node event log: one event per line, key=value pairs separated by spaces, the same
 * shape as the project's log lines (STYLE.md: "one line per event, key=value").
 * <pre>
 * ts=1714550400123456789 event=move-start node=mn from=wlan0 to=wlan1 mac=02:00:00:00:00:0a
 * ts=2024-05-01T08:00:00.412Z event=address-added node=mn addr=10.0.2.15/24
 * ts=1714550400.9 event=app-data-resumed node=mn
 * </pre>
 * {@code ts} is epoch nanoseconds (integer), epoch seconds with a fraction (has a '.'),
 * or an ISO-8601 instant/offset date-time. Values may be double-quoted to hold spaces.
 * Blank lines and lines starting with '#' are ignored; a line without {@code ts} or
 * {@code event}, or with an unreadable {@code ts}, is skipped and listed in {@link #skipped()}.
 * Anything before the first {@code key=} (e.g. a logger prefix) is ignored.
 *
 * <p>The event names are those of docs/pcap-analysis.md's table ("Node event log"), which
 * {@code EventLogDocTest} holds these constants to; an NTM node writes its own events in this
 * format (ntm-impl's {@code NodeEvents}, held to the same table), so its lines are read as
 * they are.
 */
public final class EventLog {
    public static final String MOVE_START = "move-start";
    public static final String LINK_DOWN = "link-down";
    public static final String LINK_UP = "link-up";
    public static final String ADDRESS_ADDED = "address-added";
    public static final String ADDRESS_REMOVED = "address-removed";
    public static final String REGISTER_SENT = "register-sent";
    public static final String REGISTER_ACKED = "register-acked";
    public static final String TUNNEL_UPDATED = "tunnel-updated";
    public static final String APP_DATA_RESUMED = "app-data-resumed";
    /** The node's own traffic check heard its peer again after the move (an upper bound of the resume). */
    public static final String UDP_ECHO_RESUMED = "udp-echo-resumed";

    private final List<NodeEvent> events;
    private final List<String> skipped;

    private EventLog(List<NodeEvent> events, List<String> skipped) {
        this.events = Collections.unmodifiableList(events);
        this.skipped = Collections.unmodifiableList(skipped);
    }

    public static EventLog load(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Reads several logs (e.g. one per node) into one, ordered by time. */
    public static EventLog load(List<Path> files) throws IOException {
        List<NodeEvent> all = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path f : files) {
            EventLog l = load(f);
            all.addAll(l.events);
            skipped.addAll(l.skipped);
        }
        all.sort(Comparator.comparingLong(NodeEvent::timestampNanos));
        return new EventLog(all, skipped);
    }

    public static EventLog parse(List<String> lines, String source) {
        List<NodeEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Map<String, String> kv = pairs(line);
            String ts = kv.remove("ts");
            String name = kv.remove("event");
            if (ts == null || name == null) {
                skipped.add(source + ":" + n + ": needs ts=... and event=...");
                continue;
            }
            long nanos;
            try {
                nanos = parseTimestamp(ts);
            } catch (IllegalArgumentException e) {
                skipped.add(source + ":" + n + ": " + e.getMessage());
                continue;
            }
            String node = kv.getOrDefault("node", "");
            kv.remove("node");
            events.add(new NodeEvent(nanos, name, node, Collections.unmodifiableMap(kv), n));
        }
        events.sort(Comparator.comparingLong(NodeEvent::timestampNanos));
        return new EventLog(events, skipped);
    }

    /** Parses epoch nanos, epoch seconds with fraction, or ISO-8601 into epoch nanoseconds. */
    public static long parseTimestamp(String ts) {
        try {
            if (ts.matches("\\d+")) {
                return Long.parseLong(ts);
            }
            if (ts.matches("\\d+\\.\\d*")) {
                return new BigDecimal(ts).movePointRight(9).longValue();
            }
            Instant i;
            try {
                i = Instant.parse(ts);
            } catch (DateTimeParseException e) {
                i = OffsetDateTime.parse(ts).toInstant();
            }
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("ts '" + ts
                    + "' is neither epoch nanoseconds, epoch seconds with a fraction, nor ISO-8601");
        }
    }

    static Map<String, String> pairs(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        int i = 0;
        int len = line.length();
        while (i < len) {
            while (i < len && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < len && line.charAt(i) != ' ' && line.charAt(i) != '=') {
                i++;
            }
            if (i >= len || line.charAt(i) != '=') {
                continue; // a bare word (logger prefix): skip it
            }
            String key = line.substring(start, i);
            i++;
            String value;
            if (i < len && line.charAt(i) == '"') {
                int close = line.indexOf('"', i + 1);
                if (close < 0) {
                    close = len;
                }
                value = line.substring(i + 1, close);
                i = Math.min(len, close + 1);
            } else {
                int end = line.indexOf(' ', i);
                if (end < 0) {
                    end = len;
                }
                value = line.substring(i, end);
                i = end;
            }
            if (!key.isEmpty()) {
                kv.put(key, value);
            }
        }
        return kv;
    }

    public List<NodeEvent> events() {
        return events;
    }

    /** Lines that could not be read, with file:line and why. */
    public List<String> skipped() {
        return skipped;
    }
}
