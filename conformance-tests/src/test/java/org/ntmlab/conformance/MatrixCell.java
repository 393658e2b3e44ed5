package org.ntmlab.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of a topology's connectivity matrix as measured: what the rule table expects
 * ({@code PathOracle}, or the file's {@code matrix.expect}), what both ends' control channels
 * reported from live traffic (their tunnel tables), and what the packet captures at both ends
 * show independently. Filled in two steps: {@code MatrixDockerIT} drives the traffic while the
 * lab runs, then classifies the captures after the lab has closed them.
 */
final class MatrixCell {
    /** Result of {@code udp-echo}: datagrams echoed intact and their median round trip. */
    record UdpEcho(int sent, int received, int corrupted, double rttMsP50, String reply) {
        boolean ok(int count) {
            return sent == count && received == count && corrupted == 0;
        }

        String text() {
            return received + "/" + sent + (Double.isNaN(rttMsP50) ? "" : String.format(Locale.ROOT, ", %.1f ms",
                    rttMsP50));
        }

        String json() {
            return "{\"sent\":" + sent + ",\"received\":" + received + ",\"corrupted\":" + corrupted
                    + ",\"rttMsP50\":" + num(rttMsP50) + ",\"reply\":" + q(reply) + "}";
        }
    }

    /** Result of {@code tcp-echo}: {@code bytes} streamed to the CN's TCP echo and checked on return. */
    record TcpEcho(int bytes, int received, boolean intact, double ms, String reply) {
        boolean ok(int expectedBytes) {
            return bytes == expectedBytes && received == expectedBytes && intact;
        }

        /** Payload echoed per second (each byte crossed the tunnel twice), Mbit/s. */
        double mbitPerSecond() {
            return ms > 0 ? bytes * 8.0 / (ms * 1000.0) : Double.NaN;
        }

        String text() {
            if (!intact) {
                return "✗ " + received + "/" + bytes + " B";
            }
            return String.format(Locale.ROOT, "%d kB %.0f ms %.1f Mbit/s", bytes / 1000, ms, mbitPerSecond());
        }

        String json() {
            return "{\"bytes\":" + bytes + ",\"received\":" + received + ",\"intact\":" + intact + ",\"ms\":"
                    + num(ms) + ",\"mbitPerSecond\":" + num(mbitPerSecond()) + ",\"reply\":" + q(reply) + "}";
        }
    }

    final String topology;
    final String mn;
    final String cn;
    final String mnKind;
    final String cnKind;
    /** The expected path: "direct" or "relay". */
    final String expected;
    /** Direct only through route optimisation (the DC sees both ends NATed). */
    final boolean optimisationExpected;
    /** Which rule of the table decided (docs/topology-format.md, "Expected paths"), or FILE. */
    final String rule;
    /** Why, in one sentence. */
    final String why;

    /** Tunnel id as the node prints it (hex). */
    String tunnelId;
    /** Path in the resolve reply (before route optimisation). */
    String resolvePath;
    /** Path in the MN's tunnel table after all traffic (after route optimisation). */
    String tablePath;
    /** Path of the same tunnel in the CN's tunnel table: both ends must agree. */
    String cnTablePath;
    boolean optimised;
    String state;
    double setupMs = Double.NaN;
    /** Why the tunnel table's path is believed: the tunnel's peer endpoint or relay address. */
    String tableEvidence;

    UdpEcho udp4;
    UdpEcho udp6;
    TcpEcho tcp4;
    TcpEcho tcp6;
    int pingSent;
    int pingReceived;
    double pingRttMsP50 = Double.NaN;

    /** Capture file the pcap classification used (file name in target/lab/&lt;topology&gt;/). */
    String pcapCapture;
    /** Final path of the tunnel's DATA in the capture: "direct", "relay" or "other". */
    String pcapPath;
    /** The same from the capture at the MN: both ends must send the same way. */
    String mnPcapPath;
    String mnPcapHistory;
    /** Path periods in time order, e.g. "RELAY -> DIRECT". */
    String pcapHistory;
    int pcapPeriods;
    /**
     * When the path changed more than once: from the end of the first period to the start of the
     * last, in ms (the two ends of an optimised tunnel switch a few ms apart, so the kinds alternate).
     */
    double pcapSwitchMs = Double.NaN;
    long pcapPackets;
    long pcapRelayedFlag;
    List<String> pcapPairs = List.of();

    final List<String> problems = new ArrayList<>();

    MatrixCell(String topology, String mn, String cn, String mnKind, String cnKind, String expected,
               boolean optimisationExpected, String rule, String why) {
        this.topology = topology;
        this.mn = mn;
        this.cn = cn;
        this.mnKind = mnKind;
        this.cnKind = cnKind;
        this.expected = expected;
        this.optimisationExpected = optimisationExpected;
        this.rule = rule;
        this.why = why;
    }

    /** {@code direct}, {@code direct(optimised)} or {@code relay}: what the test name says. */
    String expectedLabel() {
        return optimisationExpected ? expected + "(optimised)" : expected;
    }

    boolean pass() {
        return problems.isEmpty();
    }

    String problem() {
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** The paper's symbols: ◎ direct, ○ via the relay server. */
    static String symbol(String path) {
        return "direct".equals(path) ? "◎" : "relay".equals(path) ? "○" : "✗";
    }

    String symbol() {
        return symbol(tablePath);
    }

    /**
     * The pcap history, shortened when the kinds alternated while the two ends switched:
     * {@code RELAY→DIRECT (ends switched over 12.9 ms: 38 periods)}.
     */
    String shortHistory() {
        if (pcapHistory == null) {
            return null;
        }
        String[] p = pcapHistory.split(" -> ");
        if (p.length <= 2) {
            return pcapHistory.replace(" -> ", "→");
        }
        String first = p[0];
        String last = p[p.length - 1];
        return first.equals(last) ? first + "→…→" + last + " (" + p.length + " periods)"
                : first + "→" + last + String.format(Locale.ROOT, " (ends switched over %.1f ms: %d periods)",
                pcapSwitchMs, p.length);
    }

    String json() {
        return "{\"topology\":" + q(topology) + ",\"mn\":" + q(mn) + ",\"cn\":" + q(cn) + ",\"mnKind\":" + q(mnKind)
                + ",\"cnKind\":" + q(cnKind) + ",\"expected\":" + q(expected)
                + ",\"optimisationExpected\":" + optimisationExpected + ",\"rule\":" + q(rule) + ",\"why\":" + q(why)
                + ",\"tunnelId\":" + q(tunnelId)
                + ",\"setupMs\":" + num(setupMs)
                + ",\"tunnelTable\":{\"source\":\"MN control channel: tunnels\",\"resolvePath\":" + q(resolvePath)
                + ",\"path\":" + q(tablePath) + ",\"optimised\":" + optimised + ",\"state\":" + q(state)
                + ",\"evidence\":" + q(tableEvidence) + ",\"cnPath\":" + q(cnTablePath) + "}"
                + ",\"pcap\":{\"source\":" + q(pcapCapture == null ? null : "target/lab/" + topology + "/" + pcapCapture)
                + ",\"path\":" + q(pcapPath) + ",\"history\":" + q(pcapHistory) + ",\"periods\":" + pcapPeriods
                + ",\"switchMs\":" + num(pcapSwitchMs)
                + ",\"dataPackets\":" + pcapPackets + ",\"relayedFlag\":" + pcapRelayedFlag + ",\"pairs\":["
                + pcapPairs.stream().map(MatrixCell::q).collect(Collectors.joining(",")) + "]"
                + ",\"mnPath\":" + q(mnPcapPath) + ",\"mnHistory\":" + q(mnPcapHistory) + "}"
                + ",\"udpEcho4\":" + (udp4 == null ? "null" : udp4.json())
                + ",\"udpEcho6\":" + (udp6 == null ? "null" : udp6.json())
                + ",\"tcpEcho4\":" + (tcp4 == null ? "null" : tcp4.json())
                + ",\"tcpEcho6\":" + (tcp6 == null ? "null" : tcp6.json())
                + ",\"ping\":{\"sent\":" + pingSent + ",\"received\":" + pingReceived + ",\"rttMsP50\":"
                + num(pingRttMsP50) + "}"
                + ",\"pass\":" + pass() + ",\"problem\":" + q(problem()) + "}";
    }

    static String num(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? "null" : Double.toString(d);
    }

    static String q(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
