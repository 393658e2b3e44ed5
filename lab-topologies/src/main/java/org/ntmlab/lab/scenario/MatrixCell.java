package org.ntmlab.lab.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.ntmlab.lab.control.NodeControl;

/**
 * One cell of a topology's connectivity matrix as measured: what the rule table expects
 * ({@code PathOracle}, or the file's {@code matrix.expect}), what both ends' control channels
 * reported from live traffic (their tunnel tables), and, on the Docker backend, what the packet
 * captures at both ends show independently. Filled in steps: {@link MatrixScenario} drives the
 * traffic while the lab runs; a backend with captures classifies them after the lab closed them
 * (the {@code pcap*} fields). A plain result holder: its fields are the report's columns.
 */
public final class MatrixCell {

    /** {@code udp-echo} in the report: {@code 20/20, 1.5 ms}. */
    static String text(NodeControl.UdpEcho u) {
        return u.received() + "/" + u.sent() + (Double.isNaN(u.rttMsP50()) ? "" : String.format(Locale.ROOT, ", %.1f ms",
                u.rttMsP50()));
    }

    static String json(NodeControl.UdpEcho u) {
        return "{\"sent\":" + u.sent() + ",\"received\":" + u.received() + ",\"corrupted\":" + u.corrupted()
                + ",\"rttMsP50\":" + num(u.rttMsP50()) + ",\"reply\":" + q(u.reply().line()) + "}";
    }

    /** {@code tcp-echo} in the report: {@code 200 kB 400 ms 4.0 Mbit/s}, or what came back. */
    static String text(NodeControl.TcpEcho t) {
        if (!t.intact()) {
            return "✗ " + t.received() + "/" + t.bytes() + " B";
        }
        return String.format(Locale.ROOT, "%d kB %.0f ms %.1f Mbit/s", t.bytes() / 1000, t.ms(), t.mbitPerSecond());
    }

    static String json(NodeControl.TcpEcho t) {
        return "{\"bytes\":" + t.bytes() + ",\"received\":" + t.received() + ",\"intact\":" + t.intact() + ",\"ms\":"
                + num(t.ms()) + ",\"mbitPerSecond\":" + num(t.mbitPerSecond()) + ",\"reply\":" + q(t.reply().line())
                + "}";
    }

    public final String topology;
    public final String mn;
    public final String cn;
    public final String mnKind;
    public final String cnKind;
    /** The expected path: "direct" or "relay". */
    public final String expected;
    /** Direct only through route optimisation (the DC sees both ends NATed). */
    public final boolean optimisationExpected;
    /** Which rule of the table decided (docs/topology-format.md, "Expected paths"), or FILE. */
    public final String rule;
    /** Why, in one sentence. */
    public final String why;

    /** Tunnel id as the node prints it (hex). */
    public String tunnelId;
    /** Path in the resolve reply (before route optimisation). */
    public String resolvePath;
    /** Path in the MN's tunnel table after all traffic (after route optimisation). */
    public String tablePath;
    /** Path of the same tunnel in the CN's tunnel table: both ends must agree. */
    public String cnTablePath;
    public boolean optimised;
    public String state;
    public double setupMs = Double.NaN;
    /** Why the tunnel table's path is believed: the tunnel's peer endpoint or relay address. */
    public String tableEvidence;

    public NodeControl.UdpEcho udp4;
    public NodeControl.UdpEcho udp6;
    public NodeControl.TcpEcho tcp4;
    public NodeControl.TcpEcho tcp6;
    public int pingSent;
    public int pingReceived;
    public double pingRttMsP50 = Double.NaN;

    /**
     * Capture files the pcap classification used, comma-separated, as paths relative to the
     * module (e.g. {@code target/lab/table1/p1-p1.pcap}; a relocated lab has its own folder).
     */
    public String pcapCapture;
    /** Final path of the tunnel's DATA in the capture: "direct", "relay" or "other". */
    public String pcapPath;
    /** The same from the capture at the MN: both ends must send the same way. */
    public String mnPcapPath;
    public String mnPcapHistory;
    /** Path periods in time order, e.g. "RELAY -> DIRECT". */
    public String pcapHistory;
    public int pcapPeriods;
    /**
     * When the path changed more than once: from the end of the first period to the start of the
     * last, in ms (the two ends of an optimised tunnel switch a few ms apart, so the kinds alternate).
     */
    public double pcapSwitchMs = Double.NaN;
    public long pcapPackets;
    public long pcapRelayedFlag;
    public List<String> pcapPairs = List.of();

    public final List<String> problems = new ArrayList<>();

    public MatrixCell(String topology, String mn, String cn, String mnKind, String cnKind, String expected,
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
    public String expectedLabel() {
        return optimisationExpected ? expected + "(optimised)" : expected;
    }

    public boolean pass() {
        return problems.isEmpty();
    }

    public String problem() {
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
    public String shortHistory() {
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

    public String json() {
        return "{\"topology\":" + q(topology) + ",\"mn\":" + q(mn) + ",\"cn\":" + q(cn) + ",\"mnKind\":" + q(mnKind)
                + ",\"cnKind\":" + q(cnKind) + ",\"expected\":" + q(expected)
                + ",\"optimisationExpected\":" + optimisationExpected + ",\"rule\":" + q(rule) + ",\"why\":" + q(why)
                + ",\"tunnelId\":" + q(tunnelId)
                + ",\"setupMs\":" + num(setupMs)
                + ",\"tunnelTable\":{\"source\":\"MN control channel: tunnels\",\"resolvePath\":" + q(resolvePath)
                + ",\"path\":" + q(tablePath) + ",\"optimised\":" + optimised + ",\"state\":" + q(state)
                + ",\"evidence\":" + q(tableEvidence) + ",\"cnPath\":" + q(cnTablePath) + "}"
                + ",\"pcap\":{\"source\":" + q(pcapCapture)
                + ",\"path\":" + q(pcapPath) + ",\"history\":" + q(pcapHistory) + ",\"periods\":" + pcapPeriods
                + ",\"switchMs\":" + num(pcapSwitchMs)
                + ",\"dataPackets\":" + pcapPackets + ",\"relayedFlag\":" + pcapRelayedFlag + ",\"pairs\":["
                + pcapPairs.stream().map(MatrixCell::q).collect(Collectors.joining(",")) + "]"
                + ",\"mnPath\":" + q(mnPcapPath) + ",\"mnHistory\":" + q(mnPcapHistory) + "}"
                + ",\"udpEcho4\":" + (udp4 == null ? "null" : json(udp4))
                + ",\"udpEcho6\":" + (udp6 == null ? "null" : json(udp6))
                + ",\"tcpEcho4\":" + (tcp4 == null ? "null" : json(tcp4))
                + ",\"tcpEcho6\":" + (tcp6 == null ? "null" : json(tcp6))
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
