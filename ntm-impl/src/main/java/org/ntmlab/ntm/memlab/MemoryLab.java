package org.ntmlab.ntm.memlab;

import java.net.InetSocketAddress;
import java.util.List;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.transport.memory.MemoryHost;
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
public final class MemoryLab extends Table1Network {

    public static final String DOMAIN = "ntm.example";
    private static final InetSocketAddress DC_V4 = new InetSocketAddress("198.51.100.10", DC_PORT);
    private static final InetSocketAddress DC_V6 = new InetSocketAddress("2001:db8::10", DC_PORT);

    /** The DC at 198.51.100.10 / 2001:db8::10; {@link #restartDc()} replaces it. */
    public volatile DirectionCoordinator dc;
    /** The DC's host, whose addresses {@link #partitionDc()} takes away. */
    public final MemoryHost dcHost;
    private final DcConfig dcConfig;
    private int dcStarts = 1;

    public MemoryLab(NatBehaviour nat, CipherSuite suite) throws Exception {
        this(nat, suite, 10);
    }

    /** A lab whose DC asks its nodes for a keepalive every {@code keepaliveSeconds} (short ones for fault tests). */
    public MemoryLab(NatBehaviour nat, CipherSuite suite, int keepaliveSeconds) throws Exception {
        this(nat, nat, suite, keepaliveSeconds);
    }

    /**
     * A lab whose two NATs behave differently (RFC 4787 mapping and filtering): r1 (P1, the CN
     * side of Table 1) as {@code natP1}, r2 (P2, the MN side) as {@code natP2}.
     */
    public MemoryLab(NatBehaviour natP1, NatBehaviour natP2, CipherSuite suite) throws Exception {
        this(natP1, natP2, suite, 10);
    }

    private MemoryLab(NatBehaviour natP1, NatBehaviour natP2, CipherSuite suite, int keepaliveSeconds)
            throws Exception {
        super(42, natP1, natP2, suite);
        dcHost = net.host("dc").attach(global4, "198.51.100.10").attach(global6, "2001:db8::10");
        dcConfig = new DcConfig(DOMAIN, DC_V4, DC_V6, List.of(), List.of(relayInfo()), suite, keepaliveSeconds);
        dc = startDc(dcConfig, dcHost, "dc");
    }

    /** Stops the DC: its sockets close, everything it knew is gone (a crash, as far as the nodes can tell). */
    public void stopDc() {
        dc.close();
    }

    /**
     * Starts a new DC with the same configuration (domain, RS secret, keepalive) on the same
     * addresses and a new loop, as a restarted process: it knows no node until they come back
     * (it fetches their keys from {@link #keys}, the AS). Call {@link #stopDc()} first.
     */
    public DirectionCoordinator startDcAgain() throws Exception {
        dc = startDc(dcConfig, dcHost, "dc-" + (++dcStarts));
        return dc;
    }

    /** {@link #stopDc()} then {@link #startDcAgain()}. */
    public DirectionCoordinator restartDc() throws Exception {
        stopDc();
        return startDcAgain();
    }

    /**
     * Hangs the DC for {@code ms} (its loop is blocked, as a process stopped by {@code docker
     * pause} or a long GC pause): nothing is answered meanwhile, then everything queued is
     * handled. Returns at once.
     */
    public void hangDc(long ms) {
        ntm.loopNamed(dcStarts == 1 ? "dc" : "dc-" + dcStarts).execute(() -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Cuts the DC off the network (its addresses go away: nothing reaches it, it reaches nobody); the DC keeps its state. */
    public void partitionDc() {
        dcHost.detach("198.51.100.10").detach("2001:db8::10");
    }

    /** Ends {@link #partitionDc()}: the DC is reachable again on its addresses. */
    public void healDc() {
        dcHost.attach(global4, "198.51.100.10").attach(global6, "2001:db8::10");
    }

    /** Adds a node named {@code name}.ntm.example on {@code segment} at {@code address} and registers it. */
    public NtmNode node(String name, Segment segment, String address) throws Exception {
        return startNode(name, name + "." + DOMAIN, DC_V4, DC_V6, segment, address);
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
}
