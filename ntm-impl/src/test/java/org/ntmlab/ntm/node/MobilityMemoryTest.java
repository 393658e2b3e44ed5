package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Mobility on the in-memory network (paper section 4.2): the MN moves between networks of
 * every kind while a TCP stream and a UDP stream run; the application's sockets never see it
 * except as a pause. And an address update counts only when authenticated.
 */
class MobilityMemoryTest {

    record Move(Segment to, String address, String path) {
    }

    @Test
    void sessionsSurviveMovesBetweenNatsGlobalAndIpv6() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            java.net.InetAddress v4Before = mn.virtualV4();
            java.net.InetAddress v6Before = mn.virtualV6();
            TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            assertThat(t.path()).isEqualTo("direct");

            // a TCP stream to the CN's echo service, checked byte by byte, across every move
            CheckedEchoStream stream = CheckedEchoStream.start(mn, cn);
            List<Move> moves = List.of(new Move(lab.p1, "10.1.0.20", "direct"),
                    new Move(lab.global4, "198.51.100.50", "direct"), new Move(lab.global6, "2001:db8::50", "relay"),
                    new Move(lab.p2, "10.2.0.30", "direct"), new Move(lab.global6, "2001:db8::51", "relay"),
                    new Move(lab.p1, "10.1.0.21", "direct"));
            try (NtmDatagramSocket udp = new NtmDatagramSocket(mn, 0)) {
                udp.setSoTimeout(100);
                for (Move m : moves) {
                    long before = stream.received();
                    lab.hosts.get("mn").moveTo(m.to(), m.address());
                    long moved = System.nanoTime();
                    long gapMs = udpUntilAnswered(udp, cn, 10_000);
                    assertThat(gapMs).as("UDP answered again after move to %s", m.to()).isLessThan(10_000);
                    assertThat(stream.awaitReceived(before + 20_000)).as("TCP flowing after move to %s (%d ms after "
                            + "the move)", m.to(), (System.nanoTime() - moved) / 1_000_000)
                            .isGreaterThanOrEqualTo(before + 20_000);
                    assertThat(stream.failure()).isNull();
                    assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), m.path())).as("path in %s", m.to())
                            .isEqualTo(m.path());
                    assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), m.path())).isEqualTo(m.path());
                }
            }
            stream.stop();
            stream.assertAllEchoed();
            assertThat(mn.virtualV4()).as("virtual address kept across moves").isEqualTo(v4Before);
            assertThat(mn.virtualV6()).isEqualTo(v6Before);
            stream.close();
        }
    }

    /** Sends UDP echoes until one comes back; returns the ms it took. */
    static long udpUntilAnswered(NtmDatagramSocket udp, NtmNode cn, long limitMs) throws Exception {
        long t0 = System.nanoTime();
        byte[] out = "ping".getBytes();
        DatagramPacket in = new DatagramPacket(new byte[64], 64);
        while ((System.nanoTime() - t0) / 1_000_000 < limitMs) {
            udp.send(new DatagramPacket(out, out.length, cn.virtualV4(), NtmNode.ECHO_PORT));
            try {
                udp.receive(in);
                return (System.nanoTime() - t0) / 1_000_000;
            } catch (SocketTimeoutException e) {
                // still moving
            }
        }
        return limitMs;
    }

    /**
     * A forged or replayed packet cannot redirect a tunnel: the attacker captures a real DATA
     * packet and replays it from its own address, and sends a forged one with a fresh counter.
     */
    @Test
    void unauthenticatedAddressUpdatesAreIgnored() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            AtomicReference<byte[]> captured = new AtomicReference<>();
            lab.net.tap((host, src, dst, payload) -> {
                if (host.equals("cn") && payload.length > NtmHeader.LENGTH
                        && NtmHeader.type(ByteBuffer.wrap(payload), 0) == MessageType.DATA) {
                    captured.compareAndSet(null, payload.clone());
                }
            });
            TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, cn.virtualV4(), "genuine");
            assertThat(captured.get()).isNotNull();

            MemoryHost evil = lab.net.host("attacker").attach(lab.global4, "198.51.100.66");
            SelectorEventLoop loop = lab.loop("attacker");
            DatagramEndpoint ep = evil.open(new InetSocketAddress("0.0.0.0", 7200), loop, (p, f, v) -> { });
            byte[] forged = captured.get().clone();
            ByteBuffer.wrap(forged).putLong(12, 1_000_000); // a fresh counter, but the tag no longer matches
            loop.execute(() -> {
                ep.send(ByteBuffer.wrap(captured.get()), new InetSocketAddress("198.51.100.41", 7200));
                ep.send(ByteBuffer.wrap(forged), new InetSocketAddress("198.51.100.41", 7200));
            });
            Thread.sleep(300);
            TunnelInfo cnView = cn.tunnels().get(2, TimeUnit.SECONDS).get(0);
            assertThat(cnView.roams()).isZero();
            assertThat(cnView.peerEndpoint()).isEqualTo(new InetSocketAddress("198.51.100.31", 7200));
            assertThat(cn.counters().get("tunnelREPLAYED")).isEqualTo(1);
            assertThat(cn.counters().get("tunnelBAD_AUTH")).isEqualTo(1);
            Table1MemoryTest.echo(mn, cn.virtualV4(), "still to the genuine MN");
            assertThat(t.tunnelId()).isEqualTo(cnView.tunnelId());
        }
    }

    /** Both ends move at the same time and find each other again through the DC. */
    @Test
    void bothEndsMovingAtOnce() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, cn.virtualV4(), "before");
            lab.hosts.get("mn").moveTo(lab.p2, "10.2.0.10");
            lab.hosts.get("cn").moveTo(lab.p1, "10.1.0.10");
            try (NtmDatagramSocket udp = new NtmDatagramSocket(mn, 0)) {
                udp.setSoTimeout(100);
                assertThat(udpUntilAnswered(udp, cn, 10_000)).isLessThan(10_000);
            }
            Table1MemoryTest.tcpEcho(mn, cn.virtualV6(), 100_000);
            // both behind cone NATs now: relayed first, then optimised to direct (Table 1, P2 <-> P1)
            assertThat(Table1MemoryTest.awaitPath(mn, mn.tunnels().get().get(0).tunnelId(), "direct"))
                    .isEqualTo("direct");
        }
    }
}
