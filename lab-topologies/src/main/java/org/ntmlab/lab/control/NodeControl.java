package org.ntmlab.lab.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A typed client of one node's control channel (docs/protocol.md, "Node control channel"): the
 * same commands and replies whichever lab backend carries them. A {@link Channel} sends lines on
 * one connection and returns one reply per line (the Docker lab through {@code socat} in the
 * node's container, the memory lab straight into the node's {@code ControlHandler}); this class
 * builds the command lines and parses the replies, the one parser of them in the lab.
 */
public final class NodeControl {

    /** Sends command lines on one control connection, back to back; one reply line per command. */
    @FunctionalInterface
    public interface Channel {
        List<String> exchange(List<String> lines);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final Channel channel;

    public NodeControl(String node, Channel channel) {
        this.node = node;
        this.channel = channel;
    }

    public String node() {
        return node;
    }

    /** Raw lines, one connection; a missing reply reads {@code ERR no reply}. */
    public List<Reply> send(String... lines) {
        for (String l : lines) {
            if (l.contains("\n") || l.contains("\r")) {
                throw new IllegalArgumentException("control command must be one line: " + l);
            }
        }
        List<String> out = new ArrayList<>(channel.exchange(List.of(lines)));
        while (out.size() < lines.length) {
            out.add("ERR no reply");
        }
        return out.stream().map(Reply::new).toList();
    }

    public Reply send(String line) {
        return send(new String[] {line}).get(0);
    }

    public Resolve resolve(String fqdn) {
        return Resolve.of(send("resolve " + fqdn));
    }

    public List<TunnelRow> tunnels() {
        return TunnelRow.of(send("tunnels"));
    }

    public Optional<TunnelRow> tunnel(String peerFqdn) {
        return tunnels().stream().filter(t -> peerFqdn.equals(t.peer())).findFirst();
    }

    // ------------------------------------------------------------------ command lines

    public static String udpEcho(String target, int port, int count, int size) {
        return "udp-echo " + target + " " + port + " " + count + " " + size;
    }

    public static String tcpEcho(String target, int port, long bytes) {
        return "tcp-echo " + target + " " + port + " " + bytes;
    }

    public static String ping(String target, int count) {
        return "ping " + target + " " + count;
    }

    // ------------------------------------------------------------------ replies

    /** One reply line: {@code OK key=value ...} or {@code ERR why}. */
    public record Reply(String line) {
        private static final Pattern FIELD = Pattern.compile("(?:^|\\s)([A-Za-z0-9]+)=(\\S*)");

        public boolean ok() {
            return line.startsWith("OK");
        }

        /** The value of {@code key=}, if the reply has it. */
        public Optional<String> field(String key) {
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                if (m.group(1).equals(key)) {
                    return Optional.of(m.group(2));
                }
            }
            return Optional.empty();
        }

        /** {@code key=} as a number; empty when absent or not a number (e.g. {@code NaN} stays NaN). */
        public OptionalDouble number(String key) {
            Optional<String> v = field(key);
            if (v.isEmpty()) {
                return OptionalDouble.empty();
            }
            try {
                return OptionalDouble.of(Double.parseDouble(v.get()));
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        }

        /** {@code key=} as a number, or NaN. */
        public double num(String key) {
            return number(key).orElse(Double.NaN);
        }

        /** {@code key=} as an integer, or {@code otherwise}. */
        public long integer(String key, long otherwise) {
            OptionalDouble d = number(key);
            return d.isPresent() ? (long) d.getAsDouble() : otherwise;
        }

        /** What follows {@code OK } (e.g. the JSON of {@code tunnels}). */
        public String body() {
            return line.length() > 3 ? line.substring(3) : "";
        }

        @Override
        public String toString() {
            return line;
        }
    }

    /** {@code resolve}: the peer's virtual addresses, the first path and the tunnel id (hex). */
    public record Resolve(Reply reply, String v4, String v6, String path, String tunnelId, double setupMs) {
        public static Resolve of(Reply r) {
            return new Resolve(r, r.field("v4").orElse(null), r.field("v6").orElse(null), r.field("path").orElse(null),
                    r.field("tunnel").orElse(null), r.num("setupMs"));
        }

        public boolean ok() {
            return reply.ok() && tunnelId != null;
        }
    }

    /** {@code udp-echo}: datagrams echoed intact and their median round trip. */
    public record UdpEcho(Reply reply, int sent, int received, int corrupted, double rttMsP50) {
        public static UdpEcho of(Reply r, int asked) {
            if (!r.ok()) {
                return new UdpEcho(r, asked, 0, 0, Double.NaN);
            }
            return new UdpEcho(r, (int) r.integer("sent", asked), (int) r.integer("received", 0),
                    (int) r.integer("corrupted", 0), r.num("rttMsP50"));
        }

        public boolean ok(int count) {
            return sent == count && received == count && corrupted == 0;
        }
    }

    /** {@code tcp-echo} / {@code tcp-stream}: bytes sent, received back, whether every byte matched. */
    public record TcpEcho(Reply reply, long bytes, long received, boolean intact, double ms) {
        public static TcpEcho of(Reply r) {
            return new TcpEcho(r, r.integer("bytes", 0), r.integer("received", 0),
                    r.ok() && "true".equals(r.field("intact").orElse(null)), r.num("ms"));
        }

        public boolean ok(long expectedBytes) {
            return bytes == expectedBytes && received == expectedBytes && intact;
        }

        /** Payload echoed per second (each byte crossed the tunnel twice), Mbit/s. */
        public double mbitPerSecond() {
            return ms > 0 ? bytes * 8.0 / (ms * 1000.0) : Double.NaN;
        }
    }

    /** {@code ping}: echoes answered and their median round trip. */
    public record Ping(Reply reply, int sent, int received, double rttMsP50) {
        public static Ping of(Reply r, int asked) {
            return new Ping(r, asked, r.ok() ? (int) r.integer("received", 0) : 0, r.num("rttMsP50"));
        }
    }

    /** One row of {@code tunnels} (TunnelInfo's JSON, docs/protocol.md). */
    public record TunnelRow(String peer, String tunnelId, String state, String path, String peerEndpoint,
                            String relay, String peerMapped, boolean optimised, long txPackets, long rxPackets) {

        /** Every row of a {@code tunnels} reply; empty when it is an ERR or not JSON. */
        public static List<TunnelRow> of(Reply r) {
            if (!r.ok()) {
                return List.of();
            }
            try {
                JsonNode a = JSON.readTree(r.body());
                List<TunnelRow> out = new ArrayList<>();
                for (JsonNode t : a) {
                    out.add(new TunnelRow(text(t, "peer"), text(t, "tunnelId"), text(t, "state"), text(t, "path"),
                            text(t, "peerEndpoint"), text(t, "relay"), text(t, "peerMapped"),
                            t.path("optimised").asBoolean(), t.path("txPackets").asLong(), t.path("rxPackets").asLong()));
                }
                return out;
            } catch (java.io.IOException e) {
                return List.of();
            }
        }

        private static String text(JsonNode n, String key) {
            JsonNode v = n.get(key);
            return v == null || v.isNull() ? null : v.asText();
        }
    }
}
