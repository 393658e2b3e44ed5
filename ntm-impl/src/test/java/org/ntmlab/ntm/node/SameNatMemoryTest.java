package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.Register;

/**
 * Issue 12 item 6: two nodes on one private segment behind one NAT go direct on their segment.
 * Their PROBEs to each other's mapping on the shared NAT need hairpinning, which the NAT (as
 * Linux MASQUERADE) does not do, so they sent everything out to the RS and back. Now a node
 * lists its host endpoints in REGISTER and the DC, when it sees both ends behind one public
 * address, hands each end the other's; route optimisation probes them too (as ICE host
 * candidates). Nodes behind different NATs learn no host endpoints of each other.
 */
class SameNatMemoryTest {

    /** A datagram delivered to a host: which host, from where. */
    record Delivery(String host, InetSocketAddress src) {
    }

    @Test
    void twoNodesBehindOneNatTalkDirectlyOnTheirSegment() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            List<Delivery> data = directPairWatched(lab, lab.p1, "10.1.0.11");
            NtmNode a = lab.nodes.get("a");
            NtmNode b = lab.nodes.get("b");
            Thread.sleep(200); // anything sent before the switch has arrived
            long relayed = lab.rs.counters().get("relayed");
            data.clear();
            Table1MemoryTest.echo(a, b.virtualV4(), "a -> b on the segment");
            Table1MemoryTest.echo(b, a.virtualV6(), "b -> a on the segment");
            Table1MemoryTest.tcpEcho(a, b.virtualV4(), 50_000);
            assertThat(data).as("DATA delivered to a and b").isNotEmpty();
            assertThat(data).as("every DATA came straight from the other's private address").allSatisfy(d ->
                    assertThat(d.src()).isEqualTo(new InetSocketAddress(d.host().equals("a") ? "10.1.0.11"
                            : "10.1.0.10", 7200)));
            assertThat(lab.rs.counters().get("relayed")).as("relayed once both were direct").isEqualTo(relayed);
            assertThat(lab.dc.counters().get("sameNatDirections")).isPositive();
        }
    }

    @Test
    void nodesBehindDifferentNatsLearnNoHostEndpoints() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            List<Delivery> data = directPairWatched(lab, lab.p2, "10.2.0.10");
            data.clear();
            Table1MemoryTest.echo(lab.nodes.get("a"), lab.nodes.get("b").virtualV4(), "a -> b through both NATs");
            assertThat(data).isNotEmpty().allSatisfy(d -> assertThat(d.src().getAddress().getHostAddress())
                    .isEqualTo(d.host().equals("a") ? "203.0.113.2" : "203.0.113.1"));
            assertThat(lab.dc.counters().get("sameNatDirections")).isZero();
        }
    }

    /**
     * docs/security.md finding 16: a node may name as host endpoints only its own real addresses,
     * and only private ones (the Internet does not route them); the DC leaves the others out
     * (counted), so a peer behind the same NAT is never told to probe them.
     */
    @Test
    void hostEndpointsThatAreNotTheNodesOwnAreLeftOut() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            byte[] secret = new byte[32];
            NodeKey key = new NodeKey(0x6d616c6cL, "mallory." + MemoryLab.DOMAIN, secret);
            lab.keys.put(key.keyId(), key);
            SelectorEventLoop loop = lab.loop("mallory");
            AtomicInteger acks = new AtomicInteger();
            DatagramEndpoint raw = lab.net.host("mallory").attach(lab.p1, "10.1.0.12")
                    .open(new InetSocketAddress("10.1.0.12", 7200), loop, (p, from, via) -> acks.incrementAndGet());
            // its own private address passes; an address it does not have, loopback and a public
            // address (a third party on the Internet) do not
            Register reg = new Register(key.fqdn(), List.of(InetAddress.getByName("10.1.0.12"),
                    InetAddress.getByName("127.0.0.1"), InetAddress.getByName("192.0.2.53")),
                    List.of(new InetSocketAddress("10.1.0.12", 7200), new InetSocketAddress("10.1.0.99", 22),
                            new InetSocketAddress("127.0.0.1", 7200), new InetSocketAddress("192.0.2.53", 53)),
                    System.currentTimeMillis());
            Association a = Association.longLived(CipherSuite.AES_128_GCM, secret, KeyLabels.NODE_TO_DC,
                    KeyLabels.DC_TO_NODE);
            CompletableFuture.runAsync(() -> new Outbox().send(raw, new InetSocketAddress("198.51.100.10",
                    MemoryLab.DC_PORT), a.send(), MessageType.REGISTER, 0, key.keyId(), reg::encode), loop::execute)
                    .get(2, TimeUnit.SECONDS);
            DcRestartMemoryTest.awaitTrue("REGISTER_ACK", 5000, () -> acks.get() == 1);
            assertThat(lab.dc.counters().get("registered")).isEqualTo(1);
            assertThat(lab.dc.counters().get("badHostEndpoint")).as("10.1.0.99:22, loopback, 192.0.2.53")
                    .isEqualTo(3);
        }
    }

    /**
     * Node a at 10.1.0.10 behind r1 and node b at {@code addressOfB} of {@code segmentOfB}; a
     * resolves b and both go direct. Returns the DATA the network delivers to either, from the start.
     */
    private static List<Delivery> directPairWatched(MemoryLab lab, Segment segmentOfB, String addressOfB)
            throws Exception {
        NtmNode a = lab.node("a", lab.p1, "10.1.0.10");
        NtmNode b = lab.node("b", segmentOfB, addressOfB);
        List<Delivery> data = tapData(lab, "a", "b");
        PathAgreementMemoryTest.resolveAndAwaitPath(a, b, "direct");
        return data;
    }

    /** Records every DATA message the network delivers to {@code hosts}. */
    static List<Delivery> tapData(MemoryLab lab, String... hosts) {
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        List<String> names = List.of(hosts);
        lab.net.tap((host, src, dst, payload) -> {
            if (names.contains(host) && payload.length > 1 && (payload[1] & 0xFF) == MessageType.DATA) {
                seen.add(new Delivery(host, src));
            }
        });
        return seen;
    }
}
