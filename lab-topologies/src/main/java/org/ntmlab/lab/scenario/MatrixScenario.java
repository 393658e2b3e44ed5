package org.ntmlab.lab.scenario;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;

/**
 * The connectivity matrix, written once for every lab backend: for each cell of the topology's
 * {@code matrix} (MN x CN), drive the MN's control channel (resolve, UDP echo over virtual IPv4 and
 * IPv6, TCP echo over virtual IPv4 and IPv6 with every byte checked, ping, tunnels) and hold the
 * result to the expected path ({@link PathOracle}): the MN's tunnel table, cross-checked against
 * real addresses (a direct tunnel's peer endpoint is the CN or one of its NATs, a relayed one's
 * relay an RS), must say it, and the CN's table must say the same for the same tunnel. A backend
 * with captures adds the packet-level check (conformance-tests' {@code MatrixDockerIT}).
 */
public final class MatrixScenario {
    public static final int ECHO_COUNT = 20;
    public static final int ECHO_SIZE = 1000;
    public static final int PING_COUNT = 3;
    public static final int TCP4_BYTES = 200_000;
    public static final int TCP6_BYTES = 100_000;

    private MatrixScenario() {
    }

    /**
     * Measures every cell of the lab's matrix in order into {@code out} (each also noted in the
     * lab's notes as JSON), so a failure part way leaves the cells measured so far.
     */
    public static void measureAll(NtmLab lab, List<MatrixCell> out) throws InterruptedException {
        for (Matrix.Cell cell : lab.topology().matrix().cells()) {
            MatrixCell c = measure(lab, cell);
            lab.note("matrix " + c.json());
            out.add(c);
        }
    }

    /** Measures one cell; the problems found are in the returned cell's {@code problems}. */
    public static MatrixCell measure(NtmLab lab, Matrix.Cell cell) throws InterruptedException {
        Topology t = lab.topology();
        String mn = cell.mn();
        String cn = cell.cn();
        String fqdn = t.node(cn).orElseThrow().fqdn();
        PathOracle.Expected e = PathOracle.expected(t, mn, cn);
        MatrixCell c = new MatrixCell(t.name(), mn, cn, kind(t, mn), kind(t, cn), e.path(), e.optimised(),
                e.rule().name(), e.why());
        NodeControl m = lab.control(mn);
        // resolve and the first echo share one control connection: data flows the moment the
        // tunnel is up, so when route optimisation follows, the capture sees the relay phase too.
        List<NodeControl.Reply> first = m.send("resolve " + fqdn,
                NodeControl.udpEcho(fqdn, 7, ECHO_COUNT, ECHO_SIZE));
        NodeControl.Resolve resolve = NodeControl.Resolve.of(first.get(0));
        if (!resolve.ok()) {
            c.problems.add("resolve failed: " + resolve.reply());
            return c;
        }
        c.resolvePath = resolve.path();
        c.setupMs = resolve.setupMs();
        c.tunnelId = resolve.tunnelId();
        c.udp4 = NodeControl.UdpEcho.of(first.get(1), ECHO_COUNT);
        if (!c.udp4.ok(ECHO_COUNT)) {
            c.problems.add("udp-echo over virtual IPv4: " + first.get(1));
        }
        // Route optimisation (10 probes, 100 ms apart) may still be running: wait for it.
        Optional<NodeControl.TunnelRow> row = m.tunnel(fqdn);
        for (int i = 0; i < 20 && "direct".equals(e.path()) && row.isPresent() && !"direct".equals(row.get().path());
             i++) {
            Thread.sleep(250);
            row = m.tunnel(fqdn);
        }
        // The rest in the final path: UDP over virtual IPv6, TCP over virtual IPv4 and IPv6, ICMP.
        List<NodeControl.Reply> rest = m.send(NodeControl.udpEcho(fqdn + "/6", 7, ECHO_COUNT, ECHO_SIZE),
                NodeControl.tcpEcho(fqdn, 7, TCP4_BYTES), NodeControl.tcpEcho(fqdn + "/6", 7, TCP6_BYTES),
                NodeControl.ping(fqdn, PING_COUNT), "tunnels");
        c.udp6 = NodeControl.UdpEcho.of(rest.get(0), ECHO_COUNT);
        if (!c.udp6.ok(ECHO_COUNT)) {
            c.problems.add("udp-echo over virtual IPv6: " + rest.get(0));
        }
        c.tcp4 = NodeControl.TcpEcho.of(rest.get(1));
        if (!c.tcp4.ok(TCP4_BYTES)) {
            c.problems.add("tcp-echo over virtual IPv4: " + rest.get(1));
        }
        c.tcp6 = NodeControl.TcpEcho.of(rest.get(2));
        if (!c.tcp6.ok(TCP6_BYTES)) {
            c.problems.add("tcp-echo over virtual IPv6: " + rest.get(2));
        }
        NodeControl.Ping ping = NodeControl.Ping.of(rest.get(3), PING_COUNT);
        c.pingSent = ping.sent();
        c.pingReceived = ping.received();
        if (ping.received() == PING_COUNT) {
            c.pingRttMsP50 = ping.rttMsP50();
        } else {
            c.problems.add("ping: " + ping.reply());
        }
        Optional<NodeControl.TunnelRow> after = NodeControl.TunnelRow.of(rest.get(4)).stream()
                .filter(r -> fqdn.equals(r.peer())).findFirst();
        row = after.isPresent() ? after : row;
        if (row.isEmpty()) {
            c.problems.add("no tunnel to " + fqdn + " in the MN's tunnel table");
            return c;
        }
        checkTunnelRow(t, c, row.get());
        // the other end's view of the same tunnel: both ends must send the same way
        Optional<NodeControl.TunnelRow> cnRow = lab.control(cn).tunnel(t.node(mn).orElseThrow().fqdn());
        if (cnRow.isEmpty()) {
            c.problems.add("no tunnel to " + mn + " in the CN's tunnel table");
        } else {
            c.cnTablePath = cnRow.get().path();
            if (!c.tunnelId.equals(cnRow.get().tunnelId())) {
                c.problems.add("CN's tunnel table has tunnel " + cnRow.get().tunnelId() + ", the MN's " + c.tunnelId);
            } else if (!c.cnTablePath.equals(c.tablePath)) {
                c.problems.add("the ends disagree: the MN's tunnel table says " + c.tablePath + ", the CN's "
                        + c.cnTablePath);
            }
        }
        return c;
    }

    /** The tunnel table's view: path, optimisation, state, and real addresses behind the path. */
    static void checkTunnelRow(Topology t, MatrixCell c, NodeControl.TunnelRow row) {
        c.tablePath = row.path();
        c.optimised = row.optimised();
        c.state = row.state();
        if (!c.tunnelId.equals(row.tunnelId())) {
            c.problems.add("tunnel table has tunnel " + row.tunnelId() + ", resolve said " + c.tunnelId);
        }
        if ("direct".equals(c.tablePath)) {
            c.tableEvidence = "peerEndpoint=" + row.peerEndpoint();
            if (!directTargets(t, c.cn).contains(host(row.peerEndpoint()))) {
                c.problems.add("direct tunnel's peer endpoint " + row.peerEndpoint() + " is neither " + c.cn
                        + " nor one of its NATs");
            }
        } else {
            c.tableEvidence = "relay=" + row.relay();
            if (!relayAddresses(t).contains(host(row.relay()))) {
                c.problems.add("relayed tunnel's relay " + row.relay() + " is not an RS address");
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

    /** How a node is attached, for the report: its segments and every NAT on its IPv4 way out. */
    public static String kind(Topology t, String node) {
        Node n = t.node(node).orElseThrow();
        List<String> parts = new java.util.ArrayList<>();
        for (String name : n.segments()) {
            Segment s = t.segment(name).orElseThrow();
            String base = switch (s.kind()) {
                case IPV4_GLOBAL -> "IPv4 global";
                case IPV4_PRIVATE -> "IPv4 private " + s.name();
                case IPV6_ONLY -> "IPv6";
                case DUAL_STACK -> "dual-stack";
            };
            List<String> nats = new java.util.ArrayList<>();
            List<String> chain = PathOracle.chain(t, s.name());
            for (int i = 0; i + 1 < chain.size(); i++) {
                Router r = t.gatewayOf(chain.get(i)).orElseThrow();
                nats.add(r.name() + " " + r.nat().yamlName());
            }
            parts.add(nats.isEmpty() ? base : base + " behind " + String.join(" < ", nats));
        }
        return String.join(" + ", parts);
    }

    /** The CN's own addresses and the outside addresses of every NAT on its way out. */
    static Set<InetAddress> directTargets(Topology t, String cn) {
        Set<InetAddress> out = new HashSet<>();
        for (HostAddress a : t.addresses().of(cn)) {
            Optional.ofNullable(a.ipv4()).ifPresent(out::add);
            Optional.ofNullable(a.ipv6()).ifPresent(out::add);
        }
        t.node(cn).orElseThrow().segmentWith(t, false).ifPresent(v4 -> {
            for (String seg : PathOracle.chain(t, v4.name())) {
                t.gatewayOf(seg).ifPresent(r -> {
                    out.add(t.addresses().on(r.name(), r.outside()).ipv4());
                    out.addAll(t.addresses().oneToOne(r.name()).values());
                });
            }
        });
        return out;
    }

    static Set<InetAddress> relayAddresses(Topology t) {
        Set<InetAddress> out = new HashSet<>();
        t.servers().stream().filter(s -> s.role() == ServerRole.RS).forEach(s -> t.addresses().of(s.name())
                .forEach(a -> {
                    Optional.ofNullable(a.ipv4()).ifPresent(out::add);
                    Optional.ofNullable(a.ipv6()).ifPresent(out::add);
                }));
        return out;
    }

    /** "1.2.3.4:5" or "[v6]:5" -> the address (null if absent or not a literal). */
    public static InetAddress host(String endpoint) {
        if (endpoint == null || endpoint.lastIndexOf(':') < 0) {
            return null;
        }
        String h = endpoint.substring(0, endpoint.lastIndexOf(':'));
        if (h.startsWith("[")) {
            h = h.substring(1, h.length() - 1);
        }
        return IpLiteral.parse(h).orElse(null);
    }
}
