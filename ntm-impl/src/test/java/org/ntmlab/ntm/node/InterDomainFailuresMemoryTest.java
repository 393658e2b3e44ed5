package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.DcPosition;
import org.ntmlab.ntm.wire.DcReach;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * What goes wrong between domains fails clearly, and nothing a stranger sends a DC changes its
 * state (docs/protocol.md, "Authentication between DCs"): no secret for the peer domain, a
 * domain DNS does not know, a peer DC that does not share our secret, an unregistered name at
 * the peer DC; forged, replayed and stale DC <-> DC messages are dropped and counted.
 */
class InterDomainFailuresMemoryTest {

    static final String A = InterDomainLab.DOMAIN_A;
    static final String B = InterDomainLab.DOMAIN_B;
    /** DC_QUERY tries of the DC (docs/protocol.md "Timers and limits"). */
    static final int DC_QUERY_TRIES = ProtocolConstants.Dc.DC_QUERY_TRIES;

    @Test
    void noSecretForPeerDomainFailsClearly() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            assertThatThrownBy(() -> mn.resolve("cn.c.ntm.example").get(8, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("no inter-DC secret for domain c.ntm.example");
            assertThat(lab.dc(A).counters().get("noPeerSecret")).isEqualTo(1);
            assertThat(lab.dc(A).counters().get("dnsQueriesSent")).as("no DNS traffic for it").isZero();
        }
    }

    @Test
    void unknownDomainNxdomainFailsClearly() throws Exception {
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        // DC a has secrets for these domains, but DNS knows no DC for them
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM,
                Map.of("nowhere.b.ntm.example", s, "gone.example", s))) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            // DC b's DNS is authoritative for b.ntm.example: the SRV name does not exist
            assertThatThrownBy(() -> mn.resolve("cn.nowhere.b.ntm.example").get(8, TimeUnit.SECONDS))
                    .hasMessageContaining("no NTM DC for domain nowhere.b.ntm.example")
                    .hasMessageContaining("NXDOMAIN for _ntm-dc._udp.nowhere.b.ntm.example");
            // a name no resolver we have serves: REFUSED by every try
            assertThatThrownBy(() -> mn.resolve("cn.gone.example").get(8, TimeUnit.SECONDS))
                    .hasMessageContaining("DNS: no answer for _ntm-dc._udp.gone.example")
                    .hasMessageContaining("REFUSED");
            assertThat(lab.dc(A).counters().get("dcLocateFailures")).isEqualTo(2);
        }
    }

    @Test
    void unregisteredNameAtPeerDcFailsWithItsReason() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            assertThatThrownBy(() -> mn.resolve("nobody." + B).get(8, TimeUnit.SECONDS))
                    .hasMessageContaining("DC of b.ntm.example: no node registered as nobody.b.ntm.example");
            assertThat(lab.dc(B).counters().get("dcQueriesRefused")).isEqualTo(1);
        }
    }

    /** DC c believes it shares a secret with b, but b has none for c: b drops and counts, c tells its MN. */
    @Test
    void peerDcWithoutOurSecretIsNotAnswered() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            byte[] wrong = new byte[32];
            new SecureRandom().nextBytes(wrong);
            lab.dc("c.ntm.example", "198.51.100.12", "2001:db8::12", Map.of(B, wrong),
                    List.of(InterDomainLab.dns("198.51.100.11")), false);
            NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
            NtmNode mc = lab.node("mc", "c.ntm.example", lab.global4, "198.51.100.61");
            assertThatThrownBy(() -> mc.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS))
                    .hasMessageContaining("DC of b.ntm.example at [/198.51.100.11:7000, /[2001:db8:0:0:0:0:0:11]:7000] "
                            + "did not answer");
            assertThat(lab.dc(B).counters().get("dcBAD_AUTH")).isEqualTo(DC_QUERY_TRIES);
            assertThat(lab.dc(B).counters().get("dcSessions")).isZero();
            assertThat(lab.dc(B).counters().get("dcQueriesAnswered")).isZero();
        }
    }

    /**
     * A real DC_DIRECTION from DC a to DC b is captured; an attacker replays it, flips a bit,
     * re-labels it with a fresh session, seals one with a wrong secret, then floods junk; a
     * message sealed with the right secret but ten minutes old is stale. Each is dropped and
     * counted, DC b's state does not change, and the tunnel goes on working.
     */
    @Test
    void forgedDcToDcMessagesAreDroppedAndCounted() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
            AtomicReference<byte[]> captured = new AtomicReference<>();
            lab.net.tap((host, src, dst, payload) -> {
                if (host.equals("dc-" + B) && payload.length > NtmHeader.LENGTH
                        && NtmHeader.type(ByteBuffer.wrap(payload), 0) == MessageType.DC_DIRECTION) {
                    captured.compareAndSet(null, payload.clone());
                }
            });
            TunnelInfo t = mn.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, cn.virtualV4(), "genuine");
            assertThat(captured.get()).isNotNull();
            DirectionCoordinator dcB = lab.dc(B);
            long foreign = dcB.counters().get("foreignTunnels");

            MemoryHost evil = lab.net.host("attacker").attach(lab.global4, "198.51.100.66");
            SelectorEventLoop loop = lab.loop("attacker");
            DatagramEndpoint ep = evil.open(new InetSocketAddress("0.0.0.0", 7000), loop, (p, f, v) -> { });
            InetSocketAddress dcBAddress = new InetSocketAddress("198.51.100.11", InterDomainLab.DC_PORT);

            long replayed = dcB.counters().get("dcREPLAYED"); // a slow ack can cause genuine duplicates
            send(loop, ep, captured.get(), dcBAddress);                                   // replay
            await(dcB, () -> dcB.counters().get("dcREPLAYED") == replayed + 1);

            byte[] flipped = captured.get().clone();
            flipped[flipped.length - 1] ^= 1;
            ByteBuffer.wrap(flipped).putLong(12, 1_000_000);                              // fresh counter
            send(loop, ep, flipped, dcBAddress);
            await(dcB, () -> dcB.counters().get("dcBAD_AUTH") == 1);

            byte[] relabelled = captured.get().clone();
            ByteBuffer.wrap(relabelled).putLong(4, 0x0123456789abcdefL);                  // unknown session
            send(loop, ep, relabelled, dcBAddress);
            await(dcB, () -> dcB.counters().get("dcBAD_AUTH") == 2);

            byte[] wrong = new byte[32];
            new SecureRandom().nextBytes(wrong);
            long session = 0x1111222233334444L;
            byte[] badKey = position(TrafficKey.derive(CipherSuite.AES_128_GCM, wrong,
                    KeyLabels.dcToDc(A, B, session)), session, System.currentTimeMillis(), t.tunnelId());
            send(loop, ep, badKey, dcBAddress);
            await(dcB, () -> dcB.counters().get("dcBAD_AUTH") == 3);

            long oldSession = 0x5555666677778888L;                                        // right secret, old
            byte[] stale = position(TrafficKey.derive(CipherSuite.AES_128_GCM, lab.secretAb,
                    KeyLabels.dcToDc(A, B, oldSession)), oldSession, System.currentTimeMillis() - 600_000,
                    t.tunnelId());
            send(loop, ep, stale, dcBAddress);
            await(dcB, () -> dcB.counters().get("dcStale") == 1);

            SecureRandom rnd = new SecureRandom();                                        // junk storm
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[20 + rnd.nextInt(300)];
                rnd.nextBytes(junk);
                junk[0] = 1;
                junk[1] = (byte) (MessageType.DC_QUERY + rnd.nextInt(7));
                junk[2] = 1;
                junk[3] = 0;
                send(loop, ep, junk, dcBAddress);
            }
            await(dcB, () -> dcB.counters().get("dcBAD_AUTH") + dcB.counters().get("dcTrialLimited")
                    + dcB.counters().get("dcTrialSourceLimited") + dcB.counters().get("dcTOO_SHORT") >= 303);

            assertThat(dcB.counters().get("foreignTunnels")).as("no state changed").isEqualTo(foreign);
            assertThat(dcB.counters().get("dcSessions")).isEqualTo(1);
            TunnelInfo cnView = cn.tunnels().get(2, TimeUnit.SECONDS).get(0);
            assertThat(cnView.peerEndpoint()).isEqualTo(new InetSocketAddress("198.51.100.31", 7200));
            Table1MemoryTest.echo(mn, cn.virtualV4(), "still working");
            // and DC b still serves DC a
            NtmNode cn2 = lab.node("cn2", B, lab.global4, "198.51.100.42");
            mn.resolve(cn2.fqdn()).get(8, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, cn2.virtualV4(), "a new tunnel after the storm");
        }
    }

    /** A DC_POSITION for {@code tunnelId} (it would re-direct the tunnel), sealed with {@code key}. */
    private static byte[] position(TrafficKey key, long session, long sentAt, long tunnelId) {
        ByteBuffer body = ByteBuffer.allocate(256);
        body.putLong(sentAt);
        new DcPosition(tunnelId, 99, List.of(new DcReach(new InetSocketAddress("198.51.100.66", 7200), false)))
                .encode(body);
        body.flip();
        ByteBuffer out = ByteBuffer.allocate(512);
        key.seal(out, MessageType.DC_POSITION, 0, session, body);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static void send(SelectorEventLoop loop, DatagramEndpoint ep, byte[] payload, InetSocketAddress to) {
        loop.execute(() -> ep.send(ByteBuffer.wrap(payload), to));
    }

    /** Waits up to 5 s for {@code cond}; the failure shows the DC's counters. */
    private static void await(DirectionCoordinator dc, java.util.function.BooleanSupplier cond)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(cond.getAsBoolean()).as("DC counters: %s", dc.counters()).isTrue();
    }
}
