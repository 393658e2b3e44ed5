package org.ntmlab.ntm.memlab;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.keys.NodeKey;
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
import org.ntmlab.ntm.transport.memory.NatRouter;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * What {@link MemoryLab} and {@link InterDomainLab} share: the paper's Table 1 segments (IPv4
 * global 198.51.100.0/24, private P1 10.1.0.0/24 and P2 10.2.0.0/24 behind NAT routers r1 and r2
 * with outsides in 203.0.113.0/24, IPv6 global 2001:db8::/32), one dual-stack RS at
 * 198.51.100.20 / 2001:db8::20, a key store that stands in for the AS, and the way nodes are
 * added ({@link MemoryNtm}). The labs differ only in their DCs.
 */
abstract class Table1Network implements AutoCloseable {

    /** Every DC's signalling port. */
    public static final int DC_PORT = 7000;
    public static final int RS_PORT = 7100;
    /** Every node's tunnel port. */
    static final int NODE_PORT = 7200;
    private static final InetSocketAddress RS_V4 = new InetSocketAddress("198.51.100.20", RS_PORT);
    private static final InetSocketAddress RS_V6 = new InetSocketAddress("2001:db8::20", RS_PORT);

    public final MemoryNetwork net;
    public final Segment global4;
    public final Segment global6;
    public final Segment p1;
    public final Segment p2;
    /** The NAT routers of P1 and P2 ({@link NatRouter#flushMappings()} for a router that lost its table). */
    public final NatRouter r1;
    public final NatRouter r2;
    public final CipherSuite suite;
    /** The RS at 198.51.100.20 / 2001:db8::20; {@link #restartRs()} replaces it. */
    public volatile RelayServer rs;
    private final MemoryHost rsHost;
    private int rsStarts = 1;
    /** DCs, RSs, nodes, their loops and the stand-in AS. */
    final MemoryNtm ntm = new MemoryNtm();
    /** The AS's keys, by key id: DCs look them up here, and a node's key is put here first. */
    public final Map<Long, NodeKey> keys = ntm.keys;
    public final Map<String, NtmNode> nodes = new HashMap<>();
    public final Map<String, MemoryHost> hosts = new HashMap<>();
    final SecureRandom random = new SecureRandom();
    private final byte[] rsSecret = new byte[32];
    private final Closeables closeables = ntm.closeables();

    Table1Network(long seed, NatBehaviour nat, CipherSuite suite) throws Exception {
        this(seed, nat, nat, suite);
    }

    /** P1 behind a NAT that behaves as {@code natP1}, P2 behind one that behaves as {@code natP2}. */
    Table1Network(long seed, NatBehaviour natP1, NatBehaviour natP2, CipherSuite suite) throws Exception {
        this.suite = suite;
        net = new MemoryNetwork(seed);
        global4 = net.segment("global4", true);
        global6 = net.segment("global6", true);
        p1 = net.segment("p1", false);
        p2 = net.segment("p2", false);
        r1 = net.natRouter("r1", p1, global4, "203.0.113.1", natP1);
        r2 = net.natRouter("r2", p2, global4, "203.0.113.2", natP2);
        random.nextBytes(rsSecret);
        rsHost = net.host("rs").attach(global4, "198.51.100.20").attach(global6, "2001:db8::20");
        rs = closeables.add(new RelayServer(1, rsSecret, suite, RS_V4, RS_V6, rsHost, loop("rs")));
    }

    /**
     * Stops the RS and starts a new one with the same id, DC secret and addresses, as a restarted
     * process: it knows no tunnel until the DC authorises them again.
     */
    public RelayServer restartRs() throws Exception {
        stopRs();
        return startRsAgain();
    }

    /** Stops the RS: its sockets close and every tunnel it relayed is forgotten (a crash, as the ends see it). */
    public void stopRs() {
        rs.close();
    }

    /** Starts a new RS in place of the one {@link #stopRs()} stopped (see {@link #restartRs()}). */
    public RelayServer startRsAgain() throws Exception {
        rs = closeables.add(new RelayServer(1, rsSecret, suite, RS_V4, RS_V6, rsHost, loop("rs-" + (++rsStarts))));
        return rs;
    }

    /**
     * Stops node {@code name} and starts it again on the same host, address and name with a
     * fresh key (a new login at the AS), as a restarted process; waits until it has registered.
     */
    public NtmNode restartNode(String name) throws Exception {
        NtmNode old = nodes.get(name);
        old.close();
        MemoryHost h = hosts.get(name);
        NtmNode n = newNode(old.fqdn(), h, old.config().dcV4(), old.config().dcV6(), name + "-" + System.nanoTime());
        n.start().get(5, TimeUnit.SECONDS);
        nodes.put(name, n);
        return n;
    }

    /** The lab's RS as a DC that uses it knows it. */
    RelayInfo relayInfo() {
        return new RelayInfo(1, RS_V4, RS_V6, rsSecret);
    }

    /** A new event loop, closed with the lab. */
    public SelectorEventLoop loop(String name) {
        return ntm.loop(name);
    }

    /**
     * Makes the stand-in AS ({@link #keys}) unreachable: key look-ups fail until
     * {@link #startAsAgain()}. The keys stay, as the AS keeps them in a file (issue 10).
     */
    public void stopAs() {
        ntm.stopAs();
    }

    /** Ends {@link #stopAs()}: the AS answers again with the keys it issued before. */
    public void startAsAgain() {
        ntm.startAsAgain();
    }

    /** Starts a DC with {@code cfg} on {@code host} and its own loop; it takes node keys from {@link #keys}. */
    DirectionCoordinator startDc(DcConfig cfg, MemoryHost host, String loopName) throws Exception {
        return ntm.startDc(cfg, host, loopName);
    }

    /**
     * Adds node {@code fqdn} on a new host {@code name} at {@code address} of {@code segment},
     * with a fresh key, and waits until it has registered with the DC at {@code dcV4} / {@code dcV6}.
     */
    NtmNode startNode(String name, String fqdn, InetSocketAddress dcV4, InetSocketAddress dcV6, Segment segment,
                      String address) throws Exception {
        MemoryHost h = net.host(name).attach(segment, address);
        hosts.put(name, h);
        NtmNode n = newNode(fqdn, h, dcV4, dcV6, name);
        n.start().get(5, TimeUnit.SECONDS);
        nodes.put(name, n);
        return n;
    }

    /** A node {@code fqdn} on {@code h} with a fresh key (known to the lab's stand-in AS, {@link #keys}). */
    private NtmNode newNode(String fqdn, MemoryHost h, InetSocketAddress dcV4, InetSocketAddress dcV6, String loopName) {
        return ntm.node(new NodeConfig(dcV4, dcV6, NODE_PORT, suite), fqdn, h, loopName);
    }

    @Override
    public void close() {
        closeables.close();
        net.close();
    }
}
