package org.ntmlab.ntm.memlab;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.as.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.dc.RelayInfo;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.rs.RelayServer;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * The paper's Table 1 network on the in-memory backend, ready to use from tests and
 * experiments: IPv4 global (198.51.100.0/24, NAT outsides in 203.0.113.0/24), private P1
 * (10.1.0.0/24) and P2 (10.2.0.0/24) behind NAT routers r1 and r2, IPv6 global
 * (2001:db8::/32); a dual-stack DC and RS. Nodes get keys directly (no AS: the AS is
 * exercised over TLS elsewhere) and learn of moves from their host, as netlink would tell.
 *
 * <pre>
 * try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
 *     NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
 *     NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
 *     mn.resolve(cn.fqdn()).get();
 *     lab.hosts.get("mn").moveTo(lab.p1, "10.1.0.20");   // a network move
 * }
 * </pre>
 */
public final class MemoryLab implements AutoCloseable {

    public static final String DOMAIN = "ntm.example";
    public static final int DC_PORT = 7000;
    public static final int RS_PORT = 7100;

    public final MemoryNetwork net = new MemoryNetwork(42);
    public final Segment global4 = net.segment("global4", true);
    public final Segment global6 = net.segment("global6", true);
    public final Segment p1 = net.segment("p1", false);
    public final Segment p2 = net.segment("p2", false);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    public final Map<Long, NodeKey> keys = new HashMap<>();
    public final Map<String, NtmNode> nodes = new HashMap<>();
    public final Map<String, MemoryHost> hosts = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    public final DirectionCoordinator dc;
    public final RelayServer rs;
    public final CipherSuite suite;

    public MemoryLab(NatBehaviour nat, CipherSuite suite) throws Exception {
        this.suite = suite;
        net.natRouter("r1", p1, global4, "203.0.113.1", nat);
        net.natRouter("r2", p2, global4, "203.0.113.2", nat);
        MemoryHost dcHost = net.host("dc").attach(global4, "198.51.100.10").attach(global6, "2001:db8::10");
        MemoryHost rsHost = net.host("rs").attach(global4, "198.51.100.20").attach(global6, "2001:db8::20");
        byte[] rsSecret = new byte[32];
        random.nextBytes(rsSecret);
        SelectorEventLoop rsLoop = loop("rs");
        rs = new RelayServer(1, rsSecret, suite, new InetSocketAddress("198.51.100.20", RS_PORT),
                new InetSocketAddress("2001:db8::20", RS_PORT), rsHost, rsLoop);
        closeables.add(rs);
        SelectorEventLoop dcLoop = loop("dc");
        DcConfig cfg = new DcConfig(DOMAIN, new InetSocketAddress("198.51.100.10", DC_PORT),
                new InetSocketAddress("2001:db8::10", DC_PORT), List.of(),
                List.of(new RelayInfo(1, new InetSocketAddress("198.51.100.20", RS_PORT),
                        new InetSocketAddress("2001:db8::20", RS_PORT), rsSecret)), suite, 10);
        dc = new DirectionCoordinator(cfg, dcHost, dcLoop, id -> CompletableFuture.completedFuture(keys.get(id)));
        closeables.add(dc);
    }

    /** A new event loop, closed with the lab. */
    public SelectorEventLoop loop(String name) {
        SelectorEventLoop l = new SelectorEventLoop(name);
        closeables.add(l);
        return l;
    }

    /** Adds a node named {@code name}.ntm.example on {@code segment} at {@code address} and registers it. */
    public NtmNode node(String name, Segment segment, String address) throws Exception {
        MemoryHost h = net.host(name).attach(segment, address);
        hosts.put(name, h);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        NodeKey k = new NodeKey(random.nextLong(), name + "." + DOMAIN, secret);
        keys.put(k.keyId(), k);
        NtmNode n = new NtmNode(new NodeConfig(new InetSocketAddress("198.51.100.10", DC_PORT),
                new InetSocketAddress("2001:db8::10", DC_PORT), 7200, suite), k, h, loop(name));
        closeables.add(0, n);
        h.onAddressChange(n::addressesChanged); // stands in for netlink on the in-memory network
        n.start().get(5, TimeUnit.SECONDS);
        nodes.put(name, n);
        return n;
    }

    /** The six hosts of Table 1: MN side g4/p2/v6, CN side g4/p1/v6. */
    public MemoryLab table1() throws Exception {
        node("mn-g4", global4, "198.51.100.31");
        node("mn-p2", p2, "10.2.0.10");
        node("mn-v6", global6, "2001:db8::31");
        node("cn-g4", global4, "198.51.100.41");
        node("cn-p1", p1, "10.1.0.10");
        node("cn-v6", global6, "2001:db8::41");
        return this;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        net.close();
    }
}
