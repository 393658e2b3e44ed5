package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.NtmDeployment;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.PathOracle;
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
 * The connectivity matrix of every topology file from live traffic (the paper's Table 1 is the
 * two shipped files' matrices): for each file, start the lab (NAT types verified by stun-client),
 * start AS/DC/RS/nodes with the ntm CLI, and for each cell of the file's {@code matrix} (MN x CN)
 * drive the MN's control channel (resolve, UDP echo over virtual IPv4 and IPv6, TCP echo over
 * virtual IPv4 and IPv6 with every byte checked, ping, tunnels). Each cell must carry all that
 * traffic and take the path the rule table gives ({@link PathOracle}, docs/topology-format.md
 * "Expected paths", or the file's {@code matrix.expect}), seen the same way from both ends:
 * <ol>
 * <li>the MN's tunnel table, cross-checked against real addresses (a direct tunnel's peer
 * endpoint is the CN or one of its NATs, a relayed one's relay is an RS), and the CN's tunnel
 * table for the same tunnel;</li>
 * <li>independently, the captures in the CN's and in the MN's container (pcap-analysis
 * {@link PathClassifier}: which real addresses carried the tunnel's DATA, the two ends or an RS).</li>
 * </ol>
 * One JUnit test per cell ({@code table1 › p2 → p1 expect direct(optimised)}); a topology's lab
 * runs once, when its first cell is tested. Writes target/ntm-report/matrix.{md,json,html}.
 */
class MatrixDockerIT {
    static final int ECHO_COUNT = 20;
    static final int ECHO_SIZE = 1000;
    static final int PING_COUNT = 3;
    static final int TCP4_BYTES = 200_000;
    static final int TCP6_BYTES = 100_000;
    /** Every cell measured in this run, for the report. */
    static final List<MatrixCell> CELLS = Collections.synchronizedList(new ArrayList<>());

    static List<Path> topologyFiles() {
        return TopologyParser.topologyFiles(Path.of(System.getProperty("ntm.topologies", "../topologies")));
    }

    @TestFactory
    Stream<DynamicNode> matrix() {
        List<Path> files = topologyFiles();
        List<DynamicNode> out = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            Topology t;
            try {
                t = Topology.load(file);
            } catch (RuntimeException e) {
                out.add(dynamicTest(file.getFileName() + " › loads", () -> {
                    throw new AssertionError(e.getMessage(), e);
                }));
                continue;
            }
            Path other = names.putIfAbsent(t.name(), file);
            if (other != null) {
                // two files with one name would share an artifact folder and a report section
                out.add(dynamicTest(file.getFileName() + " › name unique", () -> {
                    throw new AssertionError(file.getFileName() + ": name '" + t.name() + "' is also the name of "
                            + other.getFileName() + " (topology names must be unique across files)");
                }));
                continue;
            }
            MatrixRun run = new MatrixRun(t);
            out.add(dynamicContainer(t.name(), t.matrix().cells().stream().map(c -> dynamicTest(
                    t.name() + " › " + c + " expect " + PathOracle.expected(t, c.mn(), c.cn()).label(),
                    () -> run.check(c)))));
        }
        return out.stream();
    }

    /** One topology's lab, run once for all its cells (the first cell's test pays for it). */
    static final class MatrixRun {
        private final Topology topology;
        private Map<Matrix.Cell, MatrixCell> results;
        private Throwable failure;

        MatrixRun(Topology topology) {
            this.topology = topology;
        }

        void check(Matrix.Cell cell) throws Throwable {
            MatrixCell c = results().get(cell);
            assertThat(c).as("cell " + cell + " measured").isNotNull();
            assertThat(c.problems).as(topology.source() + " " + cell + " (expected " + c.expectedLabel() + " by rule "
                    + c.rule + ": " + c.why + ")").isEmpty();
        }

        private synchronized Map<Matrix.Cell, MatrixCell> results() throws Throwable {
            if (failure != null) {
                throw new AssertionError("the lab of " + topology.source() + " failed before this cell: " + failure,
                        failure);
            }
            if (results == null) {
                try {
                    results = run(topology);
                } catch (Throwable e) {
                    failure = e;
                    throw e;
                }
            }
            return results;
        }
    }

    static Map<Matrix.Cell, MatrixCell> run(Topology t) throws Exception {
        List<MatrixCell> mine = new ArrayList<>();
        Path artifacts = null;
        try {
            try (Lab lab = Lab.start(t)) {
                artifacts = lab.artifactDir();
                lab.startNtm(180);
                for (Matrix.Cell cell : t.matrix().cells()) {
                    MatrixCell c = measure(lab, t, cell.mn(), cell.cn());
                    lab.note("matrix " + c.json());
                    mine.add(c);
                }
            }
            // close() stopped tcpdump; the captures are in the artifact directory.
            classifyFromCaptures(t, artifacts, mine);
        } finally {
            CELLS.addAll(mine);
            MatrixReport.write(Path.of(System.getProperty("ntm.report", "target/ntm-report")), List.copyOf(CELLS));
        }
        System.out.println(MatrixReport.markdown(mine));
        Map<Matrix.Cell, MatrixCell> byCell = new LinkedHashMap<>();
        mine.forEach(c -> byCell.put(new Matrix.Cell(c.mn, c.cn), c));
        return byCell;
    }

    private static MatrixCell measure(Lab lab, Topology t, String mn, String cn) throws InterruptedException {
        String fqdn = t.node(cn).orElseThrow().fqdn();
        PathOracle.Expected e = PathOracle.expected(t, mn, cn);
        String expected = e.path();
        MatrixCell c = new MatrixCell(t.name(), mn, cn, kind(t, mn), kind(t, cn), expected, e.optimised(),
                e.rule().name(), e.why());
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
        // the other end's view of the same tunnel: both ends must send the same way
        String cnRow = tunnelRow(lab.control(cn, "tunnels"), t.node(mn).orElseThrow().fqdn());
        if (cnRow == null) {
            c.problems.add("no tunnel to " + mn + " in the CN's tunnel table");
        } else {
            c.cnTablePath = json(cnRow, "path");
            if (!c.tunnelId.equals(json(cnRow, "tunnelId"))) {
                c.problems.add("CN's tunnel table has tunnel " + json(cnRow, "tunnelId") + ", the MN's " + c.tunnelId);
            } else if (!c.cnTablePath.equals(c.tablePath)) {
                c.problems.add("the ends disagree: the MN's tunnel table says " + c.tablePath + ", the CN's "
                        + c.cnTablePath);
            }
        }
        return c;
    }

    /** The tunnel table's view: path, optimisation, state, and real addresses behind the path. */
    private static void checkTunnelRow(Topology t, MatrixCell c, String row) {
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
            c.problems.add("the DC sees both ends NATed: direct only through route optimisation, but optimised=false");
        }
        if (!"up".equals(c.state)) {
            c.problems.add("tunnel state " + c.state);
        }
    }

    // ------------------------------------------------------------------ captures

    /**
     * The independent check: classify each cell's tunnel from the captures taken in the CN's and in
     * the MN's container (every DATA packet of the tunnel reaches or leaves each end there), with
     * roles built from the topology. Also writes roles.txt and paths-&lt;node&gt;.{md,json} next to
     * the captures, so {@code pcap-analysis paths} can be re-run by hand.
     */
    static void classifyFromCaptures(Topology t, Path dir, List<MatrixCell> cells) throws IOException {
        Roles roles = roles(t);
        Files.writeString(dir.resolve("roles.txt"), rolesText(roles), StandardCharsets.UTF_8);
        Set<String> ends = new java.util.TreeSet<>();
        cells.forEach(c -> {
            ends.add(c.mn);
            ends.add(c.cn);
        });
        Map<String, PathReport> reports = new HashMap<>();
        for (String node : ends) {
            Path file = dir.resolve(capture(t, node));
            if (Files.isRegularFile(file)) {
                PathReport report = PathClassifier.classify(roles, List.of(file));
                Files.writeString(dir.resolve("paths-" + node + ".md"), report.markdown(), StandardCharsets.UTF_8);
                Files.writeString(dir.resolve("paths-" + node + ".json"), report.json(), StandardCharsets.UTF_8);
                reports.put(node, report);
            }
        }
        for (MatrixCell c : cells) {
            c.pcapCapture = capture(t, c.cn);
            if (!reports.containsKey(c.cn)) {
                c.problems.add("pcap: no capture " + dir.resolve(c.pcapCapture));
                continue;
            }
            if (c.tunnelId == null) {
                continue;
            }
            long id = Long.parseUnsignedLong(c.tunnelId, 16);
            classifyCell(c, reports.get(c.cn).tunnel(id), dir.resolve(c.pcapCapture));
            Optional<TunnelPath> atMn = Optional.ofNullable(reports.get(c.mn)).flatMap(r -> r.tunnel(id));
            if (atMn.isEmpty()) {
                c.problems.add("pcap: no DATA of tunnel " + c.tunnelId + " in the MN's capture " + capture(t, c.mn));
            } else {
                c.mnPcapPath = atMn.get().finalKind().name().toLowerCase(Locale.ROOT);
                c.mnPcapHistory = atMn.get().history();
                if (c.pcapPath != null && !c.pcapPath.equals(c.mnPcapPath)) {
                    c.problems.add("the ends disagree: the MN's capture ends " + c.mnPcapPath + " ("
                            + c.mnPcapHistory + "), the CN's " + c.pcapPath);
                }
            }
        }
    }

    /** A node's capture file: {@code <node>-<segment>.pcap} in the lab's artifact folder. */
    static String capture(Topology t, String node) {
        return node + "-" + t.node(node).orElseThrow().segment() + ".pcap";
    }

    static void classifyCell(MatrixCell c, Optional<TunnelPath> found, Path file) {
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
        StringBuilder sb = new StringBuilder("# MatrixDockerIT: real addresses of this topology\n");
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

    static MatrixCell.UdpEcho udpEchoResult(String reply) {
        if (!reply.startsWith("OK")) {
            return new MatrixCell.UdpEcho(ECHO_COUNT, 0, 0, Double.NaN, reply);
        }
        return new MatrixCell.UdpEcho(Integer.parseInt(field(reply, "sent")), Integer.parseInt(field(reply,
                "received")), Integer.parseInt(field(reply, "corrupted")), parseDouble(field(reply, "rttMsP50")),
                reply);
    }

    static MatrixCell.TcpEcho tcpEchoResult(String reply) {
        Matcher m = Pattern.compile("^(OK|ERR) bytes=(\\d+) received=(\\d+) intact=(\\w+) ms=(\\S+)").matcher(reply);
        if (!m.find()) {
            return new MatrixCell.TcpEcho(0, 0, false, Double.NaN, reply);
        }
        return new MatrixCell.TcpEcho(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                "OK".equals(m.group(1)) && "true".equals(m.group(4)), parseDouble(m.group(5)), reply);
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static Segment segment(Topology t, String node) {
        return t.segment(t.node(node).orElseThrow().segment()).orElseThrow();
    }

    private static Optional<Router> nat(Topology t, String node) {
        return t.gatewayOf(t.node(node).orElseThrow().segment());
    }

    /** How a node is attached, for the report: its segment and every NAT on its way out. */
    static String kind(Topology t, String node) {
        Segment s = segment(t, node);
        String base = switch (s.kind()) {
            case IPV4_GLOBAL -> "IPv4 global";
            case IPV4_PRIVATE -> "IPv4 private " + s.name();
            case IPV6_ONLY -> "IPv6";
            case DUAL_STACK -> "dual-stack";
        };
        List<String> nats = new ArrayList<>();
        List<String> chain = PathOracle.chain(t, s.name());
        for (int i = 0; i + 1 < chain.size(); i++) {
            Router r = t.gatewayOf(chain.get(i)).orElseThrow();
            nats.add(r.name() + " " + r.nat().yamlName());
        }
        return nats.isEmpty() ? base : base + " behind " + String.join(" < ", nats);
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

}
