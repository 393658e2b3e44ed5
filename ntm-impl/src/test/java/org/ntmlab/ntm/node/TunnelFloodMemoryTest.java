package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.ntm.node.DcRestartMemoryTest.awaitTrue;
import static org.ntmlab.ntm.node.TunnelLivenessMemoryTest.tunnels;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.MessageType;

/**
 * Issue 11, finding 5 (unbounded tunnels): one logged-in node asked the DC for tunnels to a
 * victim again and again and never opened them; the victim held 10,500 tunnels stuck in
 * CONNECTING. Now the DC keeps at most {@code MAX_TUNNELS_PER_PAIR} per pair (retiring the
 * oldest), the victim at most {@code MAX_TUNNELS_PER_PEER} per peer, and a responder that never
 * gets its TUNNEL_REQUEST gives the tunnel up after {@code TUNNEL_SETUP_TIMEOUT_SECONDS}.
 */
class TunnelFloodMemoryTest {

    private static final int REQUESTS = 200;

    @Test
    void aNodeAskingForTunnelsItNeverOpensCannotFillItsPeersTable() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode victim = lab.node("victim", lab.global4, "198.51.100.41");
            NtmNode friend = lab.node("friend", lab.global4, "198.51.100.42");
            NtmNode mallory = lab.node("mallory", lab.global4, "198.51.100.66");
            NodeKey key = lab.keys.values().stream().filter(k -> k.fqdn().equals(mallory.fqdn())).findFirst()
                    .orElseThrow();
            mallory.close(); // registered at the DC; its address is now an attacker's raw socket
            SelectorEventLoop loop = lab.loop("mallory-raw");
            AtomicInteger directions = new AtomicInteger();
            DatagramEndpoint raw = lab.hosts.get("mallory").open(new InetSocketAddress("198.51.100.66", 7200), loop,
                    (p, from, via) -> directions.incrementAndGet());
            Association dcKeys = Association.longLived(CipherSuite.AES_128_GCM, key.secret(), KeyLabels.NODE_TO_DC,
                    KeyLabels.DC_TO_NODE);
            Outbox outbox = new Outbox();
            InetSocketAddress dc = new InetSocketAddress("198.51.100.10", MemoryLab.DC_PORT);
            CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= REQUESTS; i++) {
                    long id = i;
                    outbox.send(raw, dc, dcKeys.send(), MessageType.DIRECTION_REQUEST, 0, key.keyId(),
                            b -> new DirectionRequest(id, victim.fqdn()).encode(b));
                }
            }, loop::execute).get(10, TimeUnit.SECONDS);
            awaitTrue("the DC directed every request", 10_000, () -> directions.get() >= REQUESTS);

            List<TunnelInfo> held = victim.tunnels().get(2, TimeUnit.SECONDS);
            assertThat(held).as("tunnels the victim holds for mallory")
                    .hasSizeLessThanOrEqualTo(ProtocolConstants.Node.MAX_TUNNELS_PER_PEER);
            assertThat(lab.dc.counters().get("tunnelsRetired")).as("the DC kept only the pair's newest")
                    .isGreaterThanOrEqualTo(REQUESTS - ProtocolConstants.Dc.MAX_TUNNELS_PER_PAIR);
            // the victim still serves everybody else
            assertThat(friend.resolve(victim.fqdn()).get(5, TimeUnit.SECONDS).isUp()).isTrue();
            Table1MemoryTest.echo(friend, victim.virtualV4(), "the victim still answers its friends");
            // and gives up mallory's half-open tunnels after the set-up timeout
            awaitTrue("mallory's tunnels gone", (ProtocolConstants.Node.TUNNEL_SETUP_TIMEOUT_SECONDS + 3) * 1000L,
                    () -> tunnels(victim).stream().noneMatch(t -> t.peerFqdn().equals(mallory.fqdn())));
        }
    }
}
