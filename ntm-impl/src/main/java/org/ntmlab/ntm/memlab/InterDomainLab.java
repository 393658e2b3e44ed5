package org.ntmlab.ntm.memlab;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.as.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.dc.InterDcConfig;
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
 * Two NTM domains on the in-memory network (paper section 3.2: DCmn finds DCcn through DNS):
 * the segments of {@link MemoryLab} (IPv4 global, P1 and P2 behind NAT routers r1 and r2,
 * IPv6 global), DC {@value #DOMAIN_A} at 198.51.100.10 / 2001:db8::10 and DC {@value #DOMAIN_B}
 * at 198.51.100.11 / 2001:db8::11, each with its DNS responder on port 53 and each using the
 * other's DNS as its resolver, sharing one inter-DC secret; one dual-stack RS at
 * 198.51.100.20 / 2001:db8::20, known to DC a only (the RS is DCmn's choice, so relayed
 * tunnels have their MN in domain a). One key store stands in for the AS; each DC accepts
 * only the nodes of its own domain.
 *
 * <pre>
 * try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
 *     NtmNode mn = lab.node("mn", InterDomainLab.DOMAIN_A, lab.p2, "10.2.0.10");
 *     NtmNode cn = lab.node("cn", InterDomainLab.DOMAIN_B, lab.global4, "198.51.100.41");
 *     mn.resolve(cn.fqdn()).get();     // DC a -> DNS of b -> DC b -> both ends directed
 * }
 * </pre>
 */
public final class InterDomainLab implements AutoCloseable {

    public static final String DOMAIN_A = "a.ntm.example";
    public static final String DOMAIN_B = "b.ntm.example";
    public static final int DC_PORT = 7000;
    public static final int DNS_PORT = 53;
    public static final int RS_PORT = 7100;

    public final MemoryNetwork net = new MemoryNetwork(43);
    public final Segment global4 = net.segment("global4", true);
    public final Segment global6 = net.segment("global6", true);
    public final Segment p1 = net.segment("p1", false);
    public final Segment p2 = net.segment("p2", false);
    public final CipherSuite suite;
    /** The secret DC a and DC b share. */
    public final byte[] secretAb = new byte[32];
    public final RelayServer rs;
    private final byte[] rsSecret = new byte[32];
    /** DCs by domain. */
    public final Map<String, DirectionCoordinator> dcs = new LinkedHashMap<>();
    /** Signalling addresses {v4, v6} of each domain's DC. */
    public final Map<String, InetSocketAddress[]> dcAddresses = new HashMap<>();
    public final Map<Long, NodeKey> keys = new java.util.concurrent.ConcurrentHashMap<>();
    public final Map<String, NtmNode> nodes = new HashMap<>();
    public final Map<String, MemoryHost> hosts = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    public InterDomainLab(NatBehaviour nat, CipherSuite suite) throws Exception {
        this(nat, suite, Map.of());
    }

    /** @param extraPeersOfA more peer domains and secrets for DC a (tests of failures) */
    public InterDomainLab(NatBehaviour nat, CipherSuite suite, Map<String, byte[]> extraPeersOfA) throws Exception {
        this.suite = suite;
        random.nextBytes(secretAb);
        random.nextBytes(rsSecret);
        net.natRouter("r1", p1, global4, "203.0.113.1", nat);
        net.natRouter("r2", p2, global4, "203.0.113.2", nat);
        MemoryHost rsHost = net.host("rs").attach(global4, "198.51.100.20").attach(global6, "2001:db8::20");
        rs = new RelayServer(1, rsSecret, suite, new InetSocketAddress("198.51.100.20", RS_PORT),
                new InetSocketAddress("2001:db8::20", RS_PORT), rsHost, loop("rs"));
        closeables.add(rs);
        Map<String, byte[]> peersOfA = new HashMap<>(extraPeersOfA);
        peersOfA.put(DOMAIN_B, secretAb);
        dc(DOMAIN_A, "198.51.100.10", "2001:db8::10", peersOfA, List.of(dns("198.51.100.11")), true);
        dc(DOMAIN_B, "198.51.100.11", "2001:db8::11", Map.of(DOMAIN_A, secretAb), List.of(dns("198.51.100.10")),
                false);
    }

    /** The DNS responder address of a DC host. */
    public static InetSocketAddress dns(String dcAddress) {
        return new InetSocketAddress(dcAddress, DNS_PORT);
    }

    /**
     * Starts a DC for {@code domain} on a new host at {@code v4} / {@code v6}, its DNS on port
     * {@value #DNS_PORT} of both, with the given peer secrets and resolvers, and the lab's RS if
     * {@code withRelay}.
     */
    public DirectionCoordinator dc(String domain, String v4, String v6, Map<String, byte[]> peers,
                                   List<InetSocketAddress> resolvers, boolean withRelay) throws Exception {
        MemoryHost h = net.host("dc-" + domain).attach(global4, v4).attach(global6, v6);
        InetSocketAddress s4 = new InetSocketAddress(v4, DC_PORT);
        InetSocketAddress s6 = new InetSocketAddress(v6, DC_PORT);
        List<RelayInfo> relays = withRelay ? List.of(new RelayInfo(1, new InetSocketAddress("198.51.100.20", RS_PORT),
                new InetSocketAddress("2001:db8::20", RS_PORT), rsSecret)) : List.of();
        DcConfig cfg = new DcConfig(domain, s4, s6, List.of(dns(v4), dns(v6)), relays, suite, 10,
                new InterDcConfig(peers, resolvers, List.of()));
        DirectionCoordinator dc = new DirectionCoordinator(cfg, h, loop("dc-" + domain),
                id -> CompletableFuture.completedFuture(keys.get(id)));
        closeables.add(dc);
        dcs.put(domain, dc);
        dcAddresses.put(domain, new InetSocketAddress[] {s4, s6});
        return dc;
    }

    public DirectionCoordinator dc(String domain) {
        return dcs.get(domain);
    }

    /** A new event loop, closed with the lab. */
    public SelectorEventLoop loop(String name) {
        SelectorEventLoop l = new SelectorEventLoop(name);
        closeables.add(l);
        return l;
    }

    /** Adds node {@code name}.{@code domain} on {@code segment} at {@code address}, registered with its domain's DC. */
    public NtmNode node(String name, String domain, Segment segment, String address) throws Exception {
        InetSocketAddress[] dc = dcAddresses.get(domain);
        if (dc == null) {
            throw new IllegalArgumentException("no DC for domain " + domain);
        }
        MemoryHost h = net.host(name).attach(segment, address);
        hosts.put(name, h);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        NodeKey k = new NodeKey(random.nextLong(), name + "." + domain, secret);
        keys.put(k.keyId(), k);
        NtmNode n = new NtmNode(new NodeConfig(dc[0], dc[1], 7200, suite), k, h, loop(name));
        closeables.add(0, n);
        h.onAddressChange(n::addressesChanged); // stands in for netlink on the in-memory network
        n.start().get(5, TimeUnit.SECONDS);
        nodes.put(name, n);
        return n;
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
