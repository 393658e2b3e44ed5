package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * {@code tcp-stream} at a pace, and {@code stop-streams}: a lab starts its streams long enough for the slowest recovery and ends
 * them once the fault is over (the Docker fault suite), without waiting out their full length.
 * Stopped streams report as usual: what was really sent, every byte checked.
 */
class ControlServerStreamsTest {

    @Test
    void runningStreamsEndEarlyAndReportWhatTheySent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            ControlHandler control = new ControlHandler(lab.node("mn", lab.global4, "198.51.100.40"));
            String to = lab.node("cn", lab.global4, "198.51.100.41").fqdn();
            assertThat(control.handle("stop-streams")).as("nothing runs yet").isEqualTo("OK stopped=0");
            // at most 60 s each
            Future<String> udp = pool.submit(() -> control.handle("udp-stream " + to + " 7 100 60000 200"));
            Future<String> tcp = pool.submit(() -> control.handle("tcp-stream " + to + " 7 60000"));
            // until both run (resolve and connect come first); a stream stopped early stays counted
            // while it drains, so "2" means both have been told
            Thread.sleep(500); // let them send for a while
            String stopped = "";
            for (int i = 0; i < 100 && !stopped.equals("OK stopped=2"); i++) {
                Thread.sleep(50);
                stopped = control.handle("stop-streams");
            }
            long stoppedAt = System.nanoTime();
            String u = udp.get(10, TimeUnit.SECONDS);
            String t = tcp.get(40, TimeUnit.SECONDS);
            assertThat((System.nanoTime() - stoppedAt) / 1e9).as("streams ended soon after the stop").isLessThan(10);
            assertThat(stopped).isEqualTo("OK stopped=2");

            assertThat(u).startsWith("OK").contains("lost=0", "corrupted=0");
            assertThat(number(u, "sent")).isBetween(1.0, 5999.0);
            assertThat(number(u, "received")).isEqualTo(number(u, "sent"));
            assertThat(number(u, "ms")).isLessThan(15_000.0);
            assertThat(t).startsWith("OK").contains("intact=true");
            assertThat(number(t, "received")).isEqualTo(number(t, "bytes")).isPositive();
            assertThat(number(t, "ms")).isLessThan(15_000.0);
            assertThat(control.handle("stop-streams")).as("nothing left running").isEqualTo("OK stopped=0");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPacedTcpStreamWritesAboutItsRateAndNoMore() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            ControlHandler control = new ControlHandler(lab.node("mn", lab.global4, "198.51.100.40"));
            String to = lab.node("cn", lab.global4, "198.51.100.41").fqdn();
            assertThat(control.handle("tcp-stream " + to + " 7 1000 " + (ControlHandler.MAX_TCP_STREAM_KBPS + 1)))
                    .startsWith("ERR kbps must be 0");
            // 800 kbit/s for 1.5 s: 1,000-byte writes every 10 ms, 150 at most
            String t = control.handle("tcp-stream " + to + " 7 1500 800");
            assertThat(t).startsWith("OK").contains("intact=true");
            assertThat(number(t, "bytes")).isBetween(20_000.0, 151_000.0).isEqualTo(number(t, "received"));
            // unpaced, the same connection type carries far more in the same time (the memory network is fast)
            String fast = control.handle("tcp-stream " + to + " 7 1500");
            assertThat(number(fast, "bytes")).isGreaterThan(2 * 151_000.0);
        }
    }

    private static double number(String reply, String key) {
        Matcher m = Pattern.compile("(?:^|\\s)" + key + "=(\\S+)").matcher(reply);
        assertThat(m.find()).as(key + " in " + reply).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
