package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * Moves across domains (paper section 4.2 with two DCs): the MN is in a.ntm.example, the CN in
 * b.ntm.example. When the CN moves, DC b reports its new position to DC a (DC_POSITION), which
 * decides again and directs the MN itself and the CN through DC b; when the MN moves, DC a
 * decides again with the CN position it has. A TCP stream to the CN's echo service is checked
 * byte by byte across every move, and every path is the paper's.
 */
class InterDomainMobilityMemoryTest {

    static final String A = InterDomainLab.DOMAIN_A;
    static final String B = InterDomainLab.DOMAIN_B;

    record Move(String who, Segment to, String address, String path) {
    }

    @Test
    void cnMovesKeepTcpStreamIntact() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
            long positionsBefore = lab.dc(A).counters().get("dcPositions");
            movesKeepStream(lab, mn, cn, "direct", List.of(
                    new Move("cn", lab.p1, "10.1.0.20", "direct"),            // both NATed: relay, then optimised
                    new Move("cn", lab.global6, "2001:db8::60", "relay"),     // IPv4 MN <-> IPv6 CN
                    new Move("cn", lab.global4, "198.51.100.60", "direct")));
            assertThat(lab.dc(A).counters().get("dcPositions")).as("CN moves reported by DC b to DC a")
                    .isGreaterThanOrEqualTo(positionsBefore + 3);
            assertThat(lab.dc(A).counters().get("redirects")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void mnMovesKeepTcpStreamIntact() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn", B, lab.p1, "10.1.0.10");
            movesKeepStream(lab, mn, cn, "direct", List.of(
                    new Move("mn", lab.p2, "10.2.0.30", "direct"),            // both NATed: relay, then optimised
                    new Move("mn", lab.global6, "2001:db8::50", "relay"),
                    new Move("mn", lab.global4, "198.51.100.50", "direct")));
            assertThat(lab.dc(A).counters().get("redirects")).isGreaterThanOrEqualTo(3);
            assertThat(lab.dc(B).counters().get("redirects")).as("DC b decides nothing for DC a's tunnel").isZero();
        }
    }

    /** Both ends move, one after the other, on one stream. */
    @Test
    void bothEndsMoveInTurn() throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
            movesKeepStream(lab, mn, cn, "direct", List.of(
                    new Move("cn", lab.p1, "10.1.0.20", "direct"),
                    new Move("mn", lab.p2, "10.2.0.30", "direct"),
                    new Move("cn", lab.global6, "2001:db8::61", "relay"),
                    new Move("mn", lab.global6, "2001:db8::51", "direct")));
        }
    }

    private static void movesKeepStream(InterDomainLab lab, NtmNode mn, NtmNode cn, String firstPath,
                                        List<Move> moves) throws Exception {
        java.net.InetAddress mnV4 = mn.virtualV4();
        java.net.InetAddress cnV4 = cn.virtualV4();
        TunnelInfo t = mn.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS);
        assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), firstPath)).isEqualTo(firstPath);
        NtmSocket s = new NtmSocket(mn.tcp(), cn.virtualV4(), NtmNode.ECHO_PORT);
        s.setSoTimeout(20_000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                byte[] chunk = new byte[1000];
                while (!stop.get()) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) (sent.get() + i);
                    }
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                    Thread.sleep(2);
                }
                s.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                failure.compareAndSet(null, e);
            }
        }, "stream-writer");
        Thread reader = new Thread(() -> {
            try (var in = s.getInputStream()) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        long pos = received.getAndIncrement();
                        if (buf[i] != (byte) pos) {
                            throw new AssertionError("byte " + pos + " corrupted");
                        }
                    }
                }
            } catch (IOException | AssertionError e) {
                failure.compareAndSet(null, e);
            }
        }, "stream-reader");
        writer.start();
        reader.start();
        try (NtmDatagramSocket udp = new NtmDatagramSocket(mn, 0)) {
            udp.setSoTimeout(100);
            for (Move m : moves) {
                long before = received.get();
                lab.hosts.get(m.who()).moveTo(m.to(), m.address());
                long gapMs = MobilityMemoryTest.udpUntilAnswered(udp, cn, 10_000);
                assertThat(gapMs).as("UDP answered again after %s moved to %s", m.who(), m.to()).isLessThan(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (received.get() < before + 20_000 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(received.get()).as("TCP flowing after %s moved to %s", m.who(), m.to())
                        .isGreaterThanOrEqualTo(before + 20_000);
                assertThat(failure.get()).isNull();
                assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), m.path()))
                        .as("MN's path after %s moved to %s", m.who(), m.to()).isEqualTo(m.path());
                assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), m.path()))
                        .as("CN's path after %s moved to %s", m.who(), m.to()).isEqualTo(m.path());
            }
        } finally {
            stop.set(true);
            writer.join(20_000);
            reader.join(20_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(received.get()).as("every byte echoed").isEqualTo(sent.get());
        assertThat(mn.virtualV4()).as("virtual addresses kept").isEqualTo(mnV4);
        assertThat(cn.virtualV4()).isEqualTo(cnV4);
        assertThat(mn.tunnels().get(2, TimeUnit.SECONDS)).extracting(TunnelInfo::tunnelId).containsExactly(t.tunnelId());
        s.close();
    }
}
