package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.NtmDeployment;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyParser;
import org.ntmlab.pcap.path.PathClassifier;
import org.ntmlab.pcap.path.PathKind;
import org.ntmlab.pcap.path.PathReport;
import org.ntmlab.pcap.path.Role;
import org.ntmlab.pcap.path.Roles;
import org.ntmlab.pcap.path.TunnelPath;

/**
 * The paper's Table 1 from live traffic: for every topology file, start the lab (NAT types
 * verified by stun-client), start AS/DC/RS/nodes with the ntm CLI, and for each MN x CN drive the
 * MN's control channel (resolve, UDP echo over virtual IPv4 and IPv6, TCP echo over virtual IPv4
 * and IPv6 with every byte checked, ping, tunnels). Each cell must carry all that traffic and take
 * the path the paper's rules give, classified twice:
 * <ol>
 * <li>from the MN's tunnel table, cross-checked against real addresses (a direct tunnel's peer
 * endpoint is the CN or its NAT, a relayed one's relay is an RS);</li>
 * <li>independently from the capture in the CN's container (pcap-analysis {@link PathClassifier}:
 * which real addresses carried the tunnel's DATA, the two ends or an RS).</li>
 * </ol>
 * Writes target/ntm-report/table1.{md,json,html}.
 */
class Table1DockerIT {
    /** MNs (rows) and CNs (columns); two nodes per kind so the diagonal cells have two ends. */
    static final List<String> MNS = List.of("g4", "p2", "v6");
    static final List<String> CNS = List.of("g4b", "p1", "v6b");
    static final int ECHO_COUNT = 20;
    static final int ECHO_SIZE = 1000;
    static final int PING_COUNT = 3;
    static final int TCP4_BYTES = 200_000;
    static final int TCP6_BYTES = 100_000;
    /** The node control channel's port in the lab (docs/protocol.md). */
    static final List<Table1Cell> CELLS = Collections.synchronizedList(new ArrayList<>());

    static Stream<Path> topologies() {
        return TopologyParser.topologyFiles(Path.of(System.getProperty("ntm.topologies", "../topologies"))).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topologies")
    void table1(Path file) throws Exception {
        Topology t = Topology.load(file);
        for (String n : concat(MNS, CNS)) {
            assertThat(t.node(n)).as(file.getFileName() + " must have node '" + n + "' for the Table 1 matrix")
                    .isPresent();
        }
        List<Table1Cell> mine = new ArrayList<>();
        Path artifacts = null;
        try {
            try (Lab lab = Lab.start(t)) {
                artifacts = lab.artifactDir();
                lab.startNtm(180);
                for (String mn : MNS) {
                    for (String cn : CNS) {
                        Table1Cell c = measure(lab, t, mn, cn);
                        lab.note("table1 " + c.json());
                        mine.add(c);
                    }
                }
            }
            // close() stopped tcpdump and copied every capture to the artifact directory.
            classifyFromCaptures(t, artifacts, mine);
        } finally {
            CELLS.addAll(mine);
            Table1Report.write(Path.of(System.getProperty("ntm.report", "target/ntm-report")), List.copyOf(CELLS));
        }
        System.out.println(Table1Report.markdown(mine));
        assertThat(mine).hasSize(MNS.size() * CNS.size());
        assertThat(mine.stream().filter(c -> !c.pass()).map(c -> c.mn + " -> " + c.cn + ": " + c.problem()))
                .as("Table 1 cells of " + t.source()).isEmpty();
    }

    private static Table1Cell measure(Lab lab, Topology t, String mn, String cn) throws InterruptedException {
        String fqdn = t.node(cn).orElseThrow().fqdn();
        String expected = expectedPath(t, mn, cn);
        boolean bothNated = nat(t, mn).isPresent() && nat(t, cn).isPresent();
        Table1Cell c = new Table1Cell(t.name(), mn, cn, kind(t, mn), kind(t, cn), expected,
                "direct".equals(expected) && bothNated);
        // resolve and the first echo share one control connection: data flows the moment the
        // tunnel is up, so when route optimisation follows, the capture sees the relay phase too.
        List<String> first = control(lab, mn, "resolve " + fqdn, udpEcho(fqdn));
        String resolve = first.get(0);
        if (!resolve.startsWith("OK")) {
            c.problems.add("resolve failed: " + resolve);
            return c;
        }
        c.resolvePath = field(resolve, "path");
        c.setupMs = Double.parseDouble(field(resolve, "setupMs"));
        c.tunnelId = field(resolve, "tunnel");
        c.udp4 = udpEchoResult(first.get(1));
        if (!c.udp4.ok(ECHO_COUNT)) {
            c.problems.add("udp-echo over virtual IPv4: " + first.get(1));
        }
        // Route optimisation (10 probes, 100 ms apart) may still be running: wait for it.
        String row = tunnelRow(lab.control(mn, "tunnels"), fqdn);
        for (int i = 0; i < 20 && "direct".equals(expected) && row != null && !"direct".equals(json(row, "path"));
             i++) {
            Thread.sleep(250);
            row = tunnelRow(lab.control(mn, "tunnels"), fqdn);
        }
        // The rest in the final path: UDP over virtual IPv6, TCP over virtual IPv4 and IPv6, ICMP.
        List<String> rest = control(lab, mn, udpEcho(fqdn + "/6"), "tcp-echo " + fqdn + " 7 " + TCP4_BYTES,
                "tcp-echo " + fqdn + "/6 7 " + TCP6_BYTES, "ping " + fqdn + " " + PING_COUNT, "tunnels");
        c.udp6 = udpEchoResult(rest.get(0));
        if (!c.udp6.ok(ECHO_COUNT)) {
            c.problems.add("udp-echo over virtual IPv6: " + rest.get(0));
        }
        c.tcp4 = tcpEchoResult(rest.get(1));
        if (!c.tcp4.ok(TCP4_BYTES)) {
            c.problems.add("tcp-echo over virtual IPv4: " + rest.get(1));
        }
        c.tcp6 = tcpEchoResult(rest.get(2));
        if (!c.tcp6.ok(TCP6_BYTES)) {
            c.problems.add("tcp-echo over virtual IPv6: " + rest.get(2));
        }
        String ping = rest.get(3);
        c.pingSent = PING_COUNT;
        if (ping.startsWith("OK")) {
            c.pingReceived = Integer.parseInt(field(ping, "received"));
        }
        if (c.pingReceived == PING_COUNT) {
            c.pingRttMsP50 = Double.parseDouble(field(ping, "rttMsP50"));
        } else {
            c.problems.add("ping: " + ping);
        }
        String after = tunnelRow(rest.get(4), fqdn);
        row = after != null ? after : row;
        if (row == null) {
            c.problems.add("no tunnel to " + fqdn + " in the MN's tunnel table");
            return c;
        }
        checkTunnelRow(t, c, row);
        return c;
    }

    /** The tunnel table's view: path, optimisation, state, and real addresses behind the path. */
    private static void checkTunnelRow(Topology t, Table1Cell c, String row) {
        c.tablePath = json(row, "path");
        c.optimised = "true".equals(json(row, "optimised"));
        c.state = json(row, "state");
        if (!c.tunnelId.equals(json(row, "tunnelId"))) {
            c.problems.add("tunnel table has tunnel " + json(row, "tunnelId") + ", resolve said " + c.tunnelId);
        }
        if ("direct".equals(c.tablePath)) {
            String pe = json(row, "peerEndpoint");
            c.tableEvidence = "peerEndpoint=" + pe;
            if (!directTargets(t, c.cn).contains(host(pe))) {
                c.problems.add("direct tunnel's peer endpoint " + pe + " is neither " + c.cn + " nor its NAT");
            }
        } else {
            String relay = json(row, "relay");
            c.tableEvidence = "relay=" + relay;
            if (!relayAddresses(t).contains(host(relay))) {
                c.problems.add("relayed tunnel's relay " + relay + " is not an RS address");
            }
        }
        if (!c.expected.equals(c.tablePath)) {
            c.problems.add("tunnel table: path " + c.tablePath + ", expected " + c.expected);
        }
        if (c.optimisationExpected && !c.optimised) {
            c.problems.add("both ends behind NATs: direct only through route optimisation, but optimised=false");
        }
        if (!"up".equals(c.state)) {
            c.problems.add("tunnel state " + c.state);
        }
    }

    // ------------------------------------------------------------------ captures

    /**
     * The independent check: classify each cell's tunnel from the capture taken in the CN's
     * container (every DATA packet of the tunnel reaches or leaves the CN there), with roles
     * built from the topology. Also writes roles.txt and paths-&lt;cn&gt;.{md,json} next to the
     * captures, so {@code pcap-analysis paths} can be re-run by hand.
     */
    static void classifyFromCaptures(Topology t, Path dir, List<Table1Cell> cells) throws IOException {
        Roles roles = roles(t);
        Files.writeString(dir.resolve("roles.txt"), rolesText(roles), StandardCharsets.UTF_8);
        for (String cn : CNS) {
            String capture = cn + "-" + t.node(cn).orElseThrow().segment() + ".pcap";
            Path file = dir.resolve(capture);
            List<Table1Cell> mine = cells.stream().filter(c -> c.cn.equals(cn)).toList();
            if (!Files.isRegularFile(file)) {
                mine.forEach(c -> c.problems.add("pcap: no capture " + file));
                continue;
            }
            PathReport report = PathClassifier.classify(roles, List.of(file));
            Files.writeString(dir.resolve("paths-" + cn + ".md"), report.markdown(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("paths-" + cn + ".json"), report.json(), StandardCharsets.UTF_8);
            for (Table1Cell c : mine) {
                c.pcapCapture = capture;
                if (c.tunnelId != null) {
                    classifyCell(c, report.tunnel(Long.parseUnsignedLong(c.tunnelId, 16)), file);
                }
            }
        }
    }

    static void classifyCell(Table1Cell c, Optional<TunnelPath> found, Path file) {
        if (found.isEmpty()) {
            c.problems.add("pcap: no DATA of tunnel " + c.tunnelId + " in " + file.getFileName());
            return;
        }
        TunnelPath tp = found.get();
        c.pcapPath = tp.finalKind().name().toLowerCase(Locale.ROOT);
        c.pcapHistory = tp.history();
        c.pcapPeriods = tp.periods().size();
        if (c.pcapPeriods > 2) {
            c.pcapSwitchMs = (tp.periods().get(c.pcapPeriods - 1).firstNanos() - tp.periods().get(0).lastNanos())
                    / 1e6;
        }
        c.pcapPackets = tp.packets();
        c.pcapRelayedFlag = tp.relayedFlag();
        c.pcapPairs = tp.pairs().stream().map(p -> IpLiteral.format(p.a().getAddress()) + ":" + p.a().getPort()
                + " (" + (p.roleA() == null ? "?" : p.roleA()) + ") <-> " + IpLiteral.format(p.b().getAddress())
                + ":" + p.b().getPort() + " (" + (p.roleB() == null ? "?" : p.roleB()) + ") " + p.kind() + " "
                + p.packets() + " pkts").toList();
        if (tp.used(PathKind.OTHER)) {
            c.problems.add("pcap: DATA to or from a DC/AS address: " + c.pcapPairs);
        }
        if (!c.expected.equals(c.pcapPath)) {
            c.problems.add("pcap: final path " + c.pcapPath + ", expected " + c.expected + " (" + c.pcapPairs + ")");
        }
        if (c.optimisationExpected) {
            // Relay first, then the direct path route optimisation punched (while the two ends
            // switch at slightly different times the kinds may alternate briefly).
            if (!(tp.used(PathKind.RELAY) && tp.finalKind() == PathKind.DIRECT)) {
                c.problems.add("pcap: route optimisation should show RELAY -> DIRECT, saw " + c.pcapHistory);
            }
        } else if (c.pcapPeriods != 1) {
            c.problems.add("pcap: the path should not change, saw " + c.pcapHistory);
        }
    }

    /**
     * Who owns which real address, from the topology: nodes, NAT outside addresses (named after
     * the nodes behind them), router inside addresses, AS, DC and RS.
     */
    static Roles roles(Topology t) {
        Roles.Builder b = Roles.builder();
        for (Router r : t.routers()) {
            Optional.ofNullable(t.addresses().on(r.name(), r.inside()).ipv4())
                    .ifPresent(a -> b.add(a, Role.Kind.OTHER, r.name()));
            List<String> behind = t.nodes().stream().filter(n -> behind(t, n, r)).map(Node::name).toList();
            b.add(t.addresses().on(r.name(), r.outside()).ipv4(), Role.Kind.NAT,
                    behind.isEmpty() ? r.name() : String.join("+", behind));
            t.addresses().oneToOne(r.name()).forEach((in, out) -> b.add(out, Role.Kind.NAT, t.nodes().stream()
                    .filter(n -> in.equals(n.ipv4()) || t.addresses().of(n.name()).stream()
                            .anyMatch(a -> in.equals(a.ipv4())))
                    .map(Node::name).findFirst().orElse(r.name())));
        }
        for (Server s : t.servers()) {
            Role.Kind k = switch (s.role()) {
                case AS -> Role.Kind.AS;
                case DC -> Role.Kind.DC;
                case RS -> Role.Kind.RS;
            };
            for (HostAddress a : t.addresses().of(s.name())) {
                Optional.ofNullable(a.ipv4()).ifPresent(x -> b.add(x, k, s.name()));
                Optional.ofNullable(a.ipv6()).ifPresent(x -> b.add(x, k, s.name()));
            }
        }
        for (Node n : t.nodes()) {
            for (HostAddress a : t.addresses().of(n.name())) {
                Optional.ofNullable(a.ipv4()).ifPresent(x -> b.add(x, Role.Kind.NODE, n.name()));
                Optional.ofNullable(a.ipv6()).ifPresent(x -> b.add(x, Role.Kind.NODE, n.name()));
            }
        }
        return b.build();
    }

    /** Whether router {@code r} is on the node's way out (directly or through nested NATs). */
    private static boolean behind(Topology t, Node n, Router r) {
        String seg = n.segment();
        Optional<Router> g;
        while ((g = t.gatewayOf(seg)).isPresent()) {
            if (g.get().name().equals(r.name())) {
                return true;
            }
            seg = g.get().outside();
        }
        return false;
    }

    /** The roles in the text form {@code pcap-analysis paths --roles} reads (docs/pcap-analysis.md). */
    static String rolesText(Roles roles) {
        StringBuilder sb = new StringBuilder("# Table1DockerIT: real addresses of this topology\n");
        roles.all().forEach((a, r) -> sb.append(IpLiteral.format(a)).append(" = ").append(r).append('\n'));
        return sb.toString();
    }

    // ------------------------------------------------------------------ control channel

    /**
     * Sends several lines on one control connection of {@code node} (so they run back to back,
     * with no docker exec between them) and returns one reply per line ("ERR no reply" if the
     * connection ended early).
     */
    static List<String> control(Lab lab, String node, String... commands) {
        StringBuilder lines = new StringBuilder();
        for (String c : commands) {
            if (c.contains("'") || c.contains("\n") || c.contains("%") || c.contains("\\")) {
                throw new IllegalArgumentException("control command must be one plain line: " + c);
            }
            lines.append(c).append("\\n");
        }
        var r = lab.host(node).exec("printf '" + lines + "quit\\n' | timeout 300 socat -t 300 - "
                + NtmDeployment.CONTROL_SOCAT + " 2>&1");
        List<String> out = new ArrayList<>(r.getStdout().strip().lines().toList());
        while (out.size() < commands.length) {
            out.add("ERR no reply (exit " + r.getExitCode() + ": " + r.getStderr().strip() + ")");
        }
        return out;
    }

    private static String udpEcho(String target) {
        return "udp-echo " + target + " 7 " + ECHO_COUNT + " " + ECHO_SIZE;
    }

    static Table1Cell.UdpEcho udpEchoResult(String reply) {
        if (!reply.startsWith("OK")) {
            return new Table1Cell.UdpEcho(ECHO_COUNT, 0, 0, Double.NaN, reply);
        }
        return new Table1Cell.UdpEcho(Integer.parseInt(field(reply, "sent")), Integer.parseInt(field(reply,
                "received")), Integer.parseInt(field(reply, "corrupted")), parseDouble(field(reply, "rttMsP50")),
                reply);
    }

    static Table1Cell.TcpEcho tcpEchoResult(String reply) {
        Matcher m = Pattern.compile("^(OK|ERR) bytes=(\\d+) received=(\\d+) intact=(\\w+) ms=(\\S+)").matcher(reply);
        if (!m.find()) {
            return new Table1Cell.TcpEcho(0, 0, false, Double.NaN, reply);
        }
        return new Table1Cell.TcpEcho(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                "OK".equals(m.group(1)) && "true".equals(m.group(4)), parseDouble(m.group(5)), reply);
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * The paper's rules (section 3.2, Table 1): same IP version -> direct, unless both ends are
     * NATed, when only endpoint-independent-mapping NATs let route optimisation go direct;
     * different IP versions -> relay.
     */
    static String expectedPath(Topology t, String mn, String cn) {
        Segment a = segment(t, mn);
        Segment b = segment(t, cn);
        if (a.kind().hasIpv6() && b.kind().hasIpv6()) {
            return "direct";
        }
        if (!(a.kind().hasIpv4() && b.kind().hasIpv4())) {
            return "relay";
        }
        Optional<Router> na = nat(t, mn);
        Optional<Router> nb = nat(t, cn);
        if (na.isPresent() && nb.isPresent()) {
            return na.get().nat().endpointIndependentMapping() && nb.get().nat().endpointIndependentMapping()
                    ? "direct" : "relay";
        }
        return "direct";
    }

    private static Segment segment(Topology t, String node) {
        return t.segment(t.node(node).orElseThrow().segment()).orElseThrow();
    }

    private static Optional<Router> nat(Topology t, String node) {
        return t.gatewayOf(t.node(node).orElseThrow().segment());
    }

    private static String kind(Topology t, String node) {
        Segment s = segment(t, node);
        return switch (s.kind()) {
            case IPV4_GLOBAL -> "IPv4 global";
            case IPV4_PRIVATE -> "IPv4 private " + s.name().toUpperCase() + ", " + nat(t, node).orElseThrow().nat()
                    .yamlName();
            case IPV6_ONLY -> "IPv6";
            case DUAL_STACK -> "dual-stack";
        };
    }

    /** The CN's own addresses and the outside addresses of the NATs above it. */
    private static Set<InetAddress> directTargets(Topology t, String cn) {
        Set<InetAddress> out = new HashSet<>();
        for (HostAddress a : t.addresses().of(cn)) {
            Optional.ofNullable(a.ipv4()).ifPresent(out::add);
            Optional.ofNullable(a.ipv6()).ifPresent(out::add);
        }
        String seg = t.node(cn).map(Node::segment).orElseThrow();
        Optional<Router> r;
        while ((r = t.gatewayOf(seg)).isPresent()) {
            out.add(t.addresses().on(r.get().name(), r.get().outside()).ipv4());
            out.addAll(t.addresses().oneToOne(r.get().name()).values());
            seg = r.get().outside();
        }
        return out;
    }

    private static Set<InetAddress> relayAddresses(Topology t) {
        Set<InetAddress> out = new HashSet<>();
        t.servers().stream().filter(s -> s.role() == ServerRole.RS).forEach(s -> t.addresses().of(s.name())
                .forEach(a -> {
                    Optional.ofNullable(a.ipv4()).ifPresent(out::add);
                    Optional.ofNullable(a.ipv6()).ifPresent(out::add);
                }));
        return out;
    }

    /** "1.2.3.4:5" or "[v6]:5" -> the address (null if absent or not a literal). */
    static InetAddress host(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        String h = endpoint.substring(0, endpoint.lastIndexOf(':'));
        if (h.startsWith("[")) {
            h = h.substring(1, h.length() - 1);
        }
        return IpLiteral.parse(h).orElse(null);
    }

    static String field(String reply, String key) {
        Matcher m = Pattern.compile("(?:^|\\s)" + key + "=(\\S+)").matcher(reply);
        if (!m.find()) {
            throw new AssertionError("no " + key + "= in control reply: " + reply);
        }
        return m.group(1);
    }

    static String tunnelRow(String tunnelsReply, String peerFqdn) {
        Matcher m = Pattern.compile("\\{[^{}]*\"peer\":\"" + Pattern.quote(peerFqdn) + "\"[^{}]*}").matcher(tunnelsReply);
        return m.find() ? m.group() : null;
    }

    static String json(String row, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(?:\"([^\"]*)\"|([^,}]+))").matcher(row);
        if (!m.find()) {
            return null;
        }
        return m.group(1) != null ? m.group(1) : "null".equals(m.group(2)) ? null : m.group(2);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
