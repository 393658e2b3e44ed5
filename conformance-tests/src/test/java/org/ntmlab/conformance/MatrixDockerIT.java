package org.ntmlab.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.LabOptions;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.scenario.MatrixCell;
import org.ntmlab.lab.scenario.MatrixScenario;
import org.ntmlab.lab.scenario.MatrixSuite;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Server;
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
    static final MatrixSuite SUITE = new MatrixSuite("docker",
            Path.of(System.getProperty("ntm.report", "target/ntm-report")), MatrixDockerIT::run);

    static List<Path> topologyFiles() {
        return TopologyParser.topologyFiles(Path.of(System.getProperty("ntm.topologies", "../topologies")));
    }

    @TestFactory
    Stream<DynamicNode> matrix() {
        return SUITE.tests(topologyFiles());
    }

    /** Runs one topology's lab, measures every cell, then classifies them from the captures. */
    static void run(Topology t, List<MatrixCell> mine) throws Exception {
        Path artifacts;
        Topology ran;
        // relocatable: the cells and the captures' roles come from the lab's topology, so the lab
        // may run on other prefixes beside FaultsDockerIT's of the same file (docs/lab.md "Parallel labs")
        try (Lab lab = Lab.start(t, LabOptions.defaults().withRelocation(true))) {
            artifacts = lab.artifactDir();
            ran = lab.topology();
            lab.startNtm(180);
            MatrixScenario.measureAll(lab, mine);
        }
        // close() stopped tcpdump; the captures are in the artifact directory.
        classifyFromCaptures(ran, artifacts, mine);
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
            List<Path> files = captures(t, node).stream().map(dir::resolve).filter(Files::isRegularFile).toList();
            if (!files.isEmpty()) {
                PathReport report = PathClassifier.classify(roles, files);
                Files.writeString(dir.resolve("paths-" + node + ".md"), report.markdown(), StandardCharsets.UTF_8);
                Files.writeString(dir.resolve("paths-" + node + ".json"), report.json(), StandardCharsets.UTF_8);
                reports.put(node, report);
            }
        }
        for (MatrixCell c : cells) {
            // where the lab put them (a relocated lab has its own folder), relative to the module
            Path shown = dir.isAbsolute() && dir.startsWith(Path.of("").toAbsolutePath())
                    ? Path.of("").toAbsolutePath().relativize(dir) : dir;
            c.pcapCapture = captures(t, c.cn).stream().map(f -> shown.resolve(f).toString())
                    .collect(java.util.stream.Collectors.joining(","));
            if (!reports.containsKey(c.cn)) {
                c.problems.add("pcap: no capture " + c.pcapCapture);
                continue;
            }
            if (c.tunnelId == null) {
                continue;
            }
            long id = Long.parseUnsignedLong(c.tunnelId, 16);
            classifyCell(c, reports.get(c.cn).tunnel(id), dir.resolve(captures(t, c.cn).get(0)));
            Optional<TunnelPath> atMn = Optional.ofNullable(reports.get(c.mn)).flatMap(r -> r.tunnel(id));
            if (atMn.isEmpty()) {
                c.problems.add("pcap: no DATA of tunnel " + c.tunnelId + " in the MN's captures " + captures(t, c.mn));
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

    /** A node's capture files, one per interface: {@code <node>-<segment>.pcap} in the lab's artifact folder. */
    static List<String> captures(Topology t, String node) {
        return t.node(node).orElseThrow().segments().stream().map(s -> node + "-" + s + ".pcap").toList();
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
            // Relay first when the first DATA beat route optimisation, then the punched direct path
            // (while the two ends switch at slightly different times the kinds may alternate
            // briefly); host endpoints and triggered checks often switch before the first DATA, so
            // a capture of DIRECT only is fine. That the path was punched rather than directed is
            // the tunnel table's optimised=true, checked beside this.
            if (tp.finalKind() != PathKind.DIRECT) {
                c.problems.add("pcap: route optimisation should end DIRECT, saw " + c.pcapHistory);
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
}
