package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * "Path resume" (docs/protocol.md): after a move, the node tells its TCP stack that the tunnel
 * works again, at its own end (first authenticated packet after the move) and at the peer's
 * (PROBE with the move-notice nonce), so segments lost in the move are resent at once instead
 * of after a retransmission timer that backed off while the link was gone. And the paced
 * {@code udp-stream} control command, which the Docker lab uses to see an interruption with
 * 2 ms resolution, reports loss as one run around the outage.
 */
class PathResumeMemoryTest {

    @Test
    void bothEndsResendAtOnceWhenTheTunnelWorksAgainAfterAMove() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            java.util.List<String> cnEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
            cn.onEvent(cnEvents::add);
            // The link is gone for 700 ms: long enough for both ends' retransmission timers to
            // expire twice (200 + 400 ms), so without path resume the next try would be 800 ms away.
            Thread mover = new Thread(() -> {
                try {
                    Thread.sleep(150);
                    var h = lab.hosts.get("mn");
                    h.detach(h.localAddresses().get(0).getHostAddress());
                    Thread.sleep(700);
                    h.attach(lab.p1, "10.1.0.20");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            mover.start();
            String res = new ControlHandler(mn)
                    .handle("tcp-echo " + cn.virtualV4().getHostAddress() + " 7 8000000");
            mover.join();
            assertThat(res).startsWith("OK bytes=8000000 received=8000000 intact=true");
            assertThat(onLoop(mn, () -> mn.tcp().stats().pathResumes())).as("mn's TCP resent on path resume")
                    .isGreaterThanOrEqualTo(1);
            // cn heard the move notice (PROBE nonce 1) and told its TCP; whether cn then had data
            // in flight to resend depends on where the echo stood (TcpReliabilityTest covers that part)
            assertThat(cnEvents).as("cn's events").anyMatch(l -> l.contains("event=path-resumed")
                    && l.contains("reason=peer-moved"));
            assertThat(mn.counters().toString()).contains("pathResumed");
        }
    }

    @Test
    void udpStreamReportsLossAsOneRunAroundTheOutage() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            ControlHandler control = new ControlHandler(mn);
            String target = cn.virtualV4().getHostAddress();

            String quiet = control.handle("udp-stream " + target + " 7 500 600 200");
            assertThat(quiet).startsWith("OK sent=300 received=300 lost=0 corrupted=0 duplicates=0 lostRuns=0");

            Thread mover = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    var h = lab.hosts.get("mn");
                    h.detach(h.localAddresses().get(0).getHostAddress());
                    Thread.sleep(150);
                    h.attach(lab.p1, "10.1.0.21");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            mover.start();
            String moved = control.handle("udp-stream " + target + " 7 500 1000 200");
            mover.join();
            assertThat(moved).startsWith("OK sent=500").contains("corrupted=0", "duplicates=0");
            assertThat(number(moved, "lost")).as("datagrams sent while the link was gone").isGreaterThan(0);
            assertThat(number(moved, "lostRuns")).as("loss in one outage").isBetween(1.0, 2.0);
            assertThat(number(moved, "maxGapMs")).as("longest silence spans the 150 ms outage")
                    .isGreaterThanOrEqualTo(140);
            assertThat(number(moved, "lostSpanMs")).as("send times of the lost datagrams").isPositive();
        }
    }

    private static long onLoop(NtmNode n, java.util.function.LongSupplier s) throws Exception {
        CompletableFuture<Long> f = new CompletableFuture<>();
        n.loop().execute(() -> f.complete(s.getAsLong()));
        return f.get(5, TimeUnit.SECONDS);
    }

    private static double number(String reply, String key) {
        for (String w : reply.split("\\s+")) {
            if (w.startsWith(key + "=")) {
                return Double.parseDouble(w.substring(key.length() + 1));
            }
        }
        throw new AssertionError(key + " missing in " + reply);
    }
}
