package org.ntmlab.ntm.memlab;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.dc.InterDcConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.transport.memory.MemoryHost;
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
public final class InterDomainLab extends Table1Network {

    public static final String DOMAIN_A = "a.ntm.example";
    public static final String DOMAIN_B = "b.ntm.example";
    public static final int DNS_PORT = 53;

    /** The secret DC a and DC b share. */
    public final byte[] secretAb = new byte[32];
    /** DCs by domain. */
    public final Map<String, DirectionCoordinator> dcs = new LinkedHashMap<>();
    /** Signalling addresses {v4, v6} of each domain's DC. */
    public final Map<String, InetSocketAddress[]> dcAddresses = new HashMap<>();

    public InterDomainLab(NatBehaviour nat, CipherSuite suite) throws Exception {
        this(nat, suite, Map.of());
    }

    /** @param extraPeersOfA more peer domains and secrets for DC a (tests of failures) */
    public InterDomainLab(NatBehaviour nat, CipherSuite suite, Map<String, byte[]> extraPeersOfA) throws Exception {
        super(43, nat, suite);
        random.nextBytes(secretAb);
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
        DcConfig cfg = new DcConfig(domain, s4, s6, List.of(dns(v4), dns(v6)),
                withRelay ? List.of(relayInfo()) : List.of(), suite, 10, new InterDcConfig(peers, resolvers, List.of()));
        DirectionCoordinator dc = startDc(cfg, h, "dc-" + domain);
        dcs.put(domain, dc);
        dcAddresses.put(domain, new InetSocketAddress[] {s4, s6});
        return dc;
    }

    public DirectionCoordinator dc(String domain) {
        return dcs.get(domain);
    }

    /** Adds node {@code name}.{@code domain} on {@code segment} at {@code address}, registered with its domain's DC. */
    public NtmNode node(String name, String domain, Segment segment, String address) throws Exception {
        InetSocketAddress[] dc = dcAddresses.get(domain);
        if (dc == null) {
            throw new IllegalArgumentException("no DC for domain " + domain);
        }
        return startNode(name, name + "." + domain, dc[0], dc[1], segment, address);
    }
}
