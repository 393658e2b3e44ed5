package org.ntmlab.ntm.node;

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
import org.ntmlab.ntm.rs.RelayServer;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * The paper's Table 1 network on the in-memory backend: IPv4 global, private P1 and P2
 * behind NATs, IPv6 global; a dual-stack DC and RS; MN and CN hosts in each place.
 */
final class MemoryLab implements AutoCloseable {

    static final String DOMAIN = "ntm.example";
    static final int DC_PORT = 7000;
    static final int RS_PORT = 7100;

    final MemoryNetwork net = new MemoryNetwork(42);
    final Segment global4 = net.segment("global4", true);
    final Segment global6 = net.segment("global6", true);
    final Segment p1 = net.segment("p1", false);
    final Segment p2 = net.segment("p2", false);
    final List<AutoCloseable> closeables = new ArrayList<>();
    final Map<Long, NodeKey> keys = new HashMap<>();
    final Map<String, NtmNode> nodes = new HashMap<>();
    final Map<String, MemoryHost> hosts = new HashMap<>();
    final SecureRandom random = new SecureRandom();
    final DirectionCoordinator dc;
    final RelayServer rs;
    final CipherSuite suite;

    MemoryLab(NatBehaviour nat, CipherSuite suite) throws Exception {
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

    SelectorEventLoop loop(String name) {
        SelectorEventLoop l = new SelectorEventLoop(name);
        closeables.add(l);
        return l;
    }

    /** Adds a node named {@code name}.ntm.example on {@code segment} at {@code address} and registers it. */
    NtmNode node(String name, Segment segment, String address) throws Exception {
        MemoryHost h = net.host(name).attach(segment, address);
        hosts.put(name, h);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        NodeKey k = new NodeKey(random.nextLong(), name + "." + DOMAIN, secret);
        keys.put(k.keyId(), k);
        NtmNode n = new NtmNode(new NodeConfig(new InetSocketAddress("198.51.100.10", DC_PORT),
                new InetSocketAddress("2001:db8::10", DC_PORT), 7200, suite), k, h, loop(name));
        closeables.add(0, n);
        n.start().get(5, TimeUnit.SECONDS);
        nodes.put(name, n);
        return n;
    }

    /** The six hosts of Table 1: MN side g4/p2/v6, CN side g4/p1/v6. */
    MemoryLab table1() throws Exception {
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
