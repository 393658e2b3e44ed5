package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyParser;

/**
 * The paper's Table 1 from live traffic: for every topology file, start the lab (NAT types
 * verified by stun-client), start AS/DC/RS/nodes with the ntm CLI, and for each MN x CN drive the
 * MN's control channel (resolve, udp-echo, ping, tunnels). Each cell must carry traffic and take
 * the path the paper's rules give; the path is cross-checked against real addresses (a direct
 * tunnel's peer endpoint is the CN or its NAT, a relayed one's relay is an RS).
 * Writes target/ntm-report/table1.{md,json,html}.
 */
class Table1DockerIT {
    /** MNs (rows) and CNs (columns); two nodes per kind so the diagonal cells have two ends. */
    static final List<String> MNS = List.of("g4", "p2", "v6");
    static final List<String> CNS = List.of("g4b", "p1", "v6b");
    static final int ECHO_COUNT = 20;
    static final int PING_COUNT = 3;
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
        try (Lab lab = Lab.start(t)) {
            lab.startNtm(180);
            for (String mn : MNS) {
                for (String cn : CNS) {
                    Table1Cell c = measure(lab, t, mn, cn);
                    lab.note("table1 " + c.json());
                    mine.add(c);
                }
            }
        } finally {
            CELLS.addAll(mine);
            Table1Report.write(Path.of(System.getProperty("ntm.report", "target/ntm-report")), List.copyOf(CELLS));
        }
        System.out.println(Table1Report.markdown(mine));
        assertThat(mine).hasSize(MNS.size() * CNS.size());
        assertThat(mine.stream().filter(c -> !c.pass()).map(c -> c.mn() + " -> " + c.cn() + ": " + c.problem()))
                .as("Table 1 cells of " + t.source()).isEmpty();
    }

    private static Table1Cell measure(Lab lab, Topology t, String mn, String cn) throws InterruptedException {
        String fqdn = t.node(cn).orElseThrow().fqdn();
        String expected = expectedPath(t, mn, cn);
        boolean bothNated = nat(t, mn).isPresent() && nat(t, cn).isPresent();
        List<String> problems = new ArrayList<>();
        String resolve = lab.control(mn, "resolve " + fqdn);
        if (!resolve.startsWith("OK")) {
            return new Table1Cell(t.name(), mn, cn, kind(t, mn), kind(t, cn), expected, null, null, false, Double.NaN,
                    0, 0, Double.NaN, null, "resolve failed: " + resolve);
        }
        String resolvePath = field(resolve, "path");
        double setupMs = Double.parseDouble(field(resolve, "setupMs"));
        String echo = lab.control(mn, "udp-echo " + fqdn + " 7 " + ECHO_COUNT + " 1000");
        int sent = echo.startsWith("OK") ? Integer.parseInt(field(echo, "sent")) : 0;
        int received = echo.startsWith("OK") ? Integer.parseInt(field(echo, "received")) : 0;
        if (received != ECHO_COUNT) {
            problems.add("udp-echo: " + echo);
        }
        // Route optimisation (10 probes, 100 ms apart) may still be running: wait for it.
        String row = tunnelRow(lab.control(mn, "tunnels"), fqdn);
        for (int i = 0; i < 20 && "direct".equals(expected) && row != null && !"direct".equals(json(row, "path"));
             i++) {
            Thread.sleep(250);
            row = tunnelRow(lab.control(mn, "tunnels"), fqdn);
        }
        String ping = lab.control(mn, "ping " + fqdn + " " + PING_COUNT);
        double rtt = Double.NaN;
        if (ping.startsWith("OK") && Integer.parseInt(field(ping, "received")) == PING_COUNT) {
            rtt = Double.parseDouble(field(ping, "rttMsP50"));
        } else {
            problems.add("ping: " + ping);
        }
        if (row == null) {
            problems.add("no tunnel to " + fqdn + " in the MN's tunnel table");
            return new Table1Cell(t.name(), mn, cn, kind(t, mn), kind(t, cn), expected, resolvePath, null, false,
                    setupMs, sent, received, rtt, null, String.join("; ", problems));
        }
        String finalPath = json(row, "path");
        boolean optimised = "true".equals(json(row, "optimised"));
        String evidence;
        if ("direct".equals(finalPath)) {
            String pe = json(row, "peerEndpoint");
            evidence = "peerEndpoint=" + pe;
            if (!directTargets(t, cn).contains(host(pe))) {
                problems.add("direct tunnel's peer endpoint " + pe + " is neither " + cn + " nor its NAT");
            }
        } else {
            String relay = json(row, "relay");
            evidence = "relay=" + relay;
            if (!relayAddresses(t).contains(host(relay))) {
                problems.add("relayed tunnel's relay " + relay + " is not an RS address");
            }
        }
        if (!expected.equals(finalPath)) {
            problems.add("path " + finalPath + ", expected " + expected);
        }
        if ("direct".equals(expected) && bothNated && !optimised) {
            problems.add("both ends behind NATs: direct only through route optimisation, but optimised=false");
        }
        if (!"up".equals(json(row, "state"))) {
            problems.add("tunnel state " + json(row, "state"));
        }
        return new Table1Cell(t.name(), mn, cn, kind(t, mn), kind(t, cn), expected, resolvePath, finalPath, optimised,
                setupMs, sent, received, rtt, evidence, problems.isEmpty() ? null : String.join("; ", problems));
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
