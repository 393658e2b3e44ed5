package org.ntmlab.ntm.node.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

/** The paced UDP check against an in-process echo that can lose or corrupt chosen datagrams. */
class UdpStreamCheckTest {

    /** An echo port: what is sent comes back, unless {@code lose} says otherwise for that send's index. */
    static UdpStreamCheck.DatagramPort echo(IntPredicate lose, IntPredicate corrupt) {
        BlockingQueue<byte[]> q = new ArrayBlockingQueue<>(100_000);
        int[] sends = {0};
        return new UdpStreamCheck.DatagramPort() {
            @Override
            public void send(byte[] b, int len) {
                int i = sends[0]++;
                if (lose.test(i)) {
                    return;
                }
                byte[] c = java.util.Arrays.copyOf(b, len);
                if (corrupt.test(i)) {
                    c[len - 1] ^= 1;
                }
                q.add(c);
            }

            @Override
            public int receive(byte[] b, int timeoutMs) throws java.io.InterruptedIOException {
                try {
                    byte[] c = q.poll(timeoutMs, TimeUnit.MILLISECONDS);
                    if (c == null) {
                        return -1;
                    }
                    System.arraycopy(c, 0, b, 0, c.length);
                    return c.length;
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
    }

    static double field(String reply, String key) {
        for (String f : reply.split(" ")) {
            if (f.startsWith(key + "=")) {
                return Double.parseDouble(f.substring(key.length() + 1));
            }
        }
        throw new AssertionError(key + " not in " + reply);
    }

    /**
     * app-data-resumed: told once per address change, at the first echo of a datagram sent after
     * it (not at an echo still in flight from before), and never for a change before the stream.
     */
    @Test
    void theResumeAfterAnAddressChangeIsToldOncePerChange() throws Exception {
        java.util.concurrent.atomic.AtomicLong armed = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        long before = armed.get();
        java.util.List<long[]> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        long[] sendTimes = new long[400];
        int[] sends = {0};
        UdpStreamCheck.DatagramPort inner = echo(i -> i >= 50 && i < 100, i -> false); // the move's outage
        UdpStreamCheck.DatagramPort port = new UdpStreamCheck.DatagramPort() {
            @Override
            public void send(byte[] b, int len) throws java.io.IOException {
                int i = sends[0]++;
                if (i == 60 || i == 300) {
                    armed.set(System.nanoTime()); // the node saw a new address
                }
                sendTimes[i] = System.nanoTime();
                inner.send(b, len);
            }

            @Override
            public int receive(byte[] b, int timeoutMs) throws java.io.IOException {
                return inner.receive(b, timeoutMs);
            }
        };
        UdpStreamCheck.run(port, 1000, 400, 100, () -> false, new UdpStreamCheck.ResumeWatch() {
            @Override
            public long armedAtNanos() {
                return armed.get();
            }

            @Override
            public void resumed(long armedAtNanos, long atNanos) {
                told.add(new long[] {armedAtNanos, atNanos});
            }
        });
        assertThat(told).as("one resume per change during the stream").hasSize(2);
        assertThat(told.get(0)[0]).isNotEqualTo(before);
        // the first change: heard again with datagram 100, the first sent after it that came back
        assertThat(told.get(0)[1]).isGreaterThanOrEqualTo(sendTimes[100]);
        // the second change (no loss): the echo of datagram 300 or one soon after
        assertThat(told.get(1)[0]).isGreaterThan(told.get(0)[0]);
        assertThat(told.get(1)[1]).isGreaterThanOrEqualTo(sendTimes[300]);
    }

    @Test
    void everyDatagramBackIsCounted() throws Exception {
        String r = UdpStreamCheck.run(echo(i -> false, i -> false), 1000, 200, 100);
        assertThat(r).startsWith("sent=200 received=200 lost=0 corrupted=0 duplicates=0 lostRuns=0 lostSpanMs=0.0");
        assertThat(field(r, "firstEchoAtMs")).isLessThan(50.0);
        assertThat(field(r, "lastEchoAtMs")).isGreaterThan(180.0); // the echo of the last send (at ~199 ms)
    }

    @Test
    void oneOutageIsOneLostRun() throws Exception {
        String r = UdpStreamCheck.run(echo(i -> i >= 50 && i < 70, i -> false), 1000, 200, 100);
        assertThat(field(r, "lost")).isEqualTo(20);
        assertThat(field(r, "lostRuns")).isEqualTo(1);
        // the send times of the 50th and 69th datagram: 19 ms apart when paced, less when a loaded
        // machine made the pacer catch up in a burst; never more than the whole stream
        assertThat(field(r, "lostSpanMs")).isBetween(0.0, field(r, "ms"));
    }

    @Test
    void theStreamSaysWhenItBeganAndWhenItsFirstAndLastEchoCame() throws Exception {
        long before = System.currentTimeMillis();
        // 1000 pps for 400 ms: datagrams 0..19 lost (the path came up late), 250.. lost (it broke for good)
        String r = UdpStreamCheck.run(echo(i -> i < 20 || i >= 250, i -> false), 1000, 400, 100);
        long after = System.currentTimeMillis();
        assertThat((long) field(r, "startEpochMs")).isBetween(before, after);
        assertThat(field(r, "received")).isEqualTo(230);
        assertThat(field(r, "firstEchoAtMs")).isBetween(15.0, 150.0);
        assertThat(field(r, "lastEchoAtMs")).isBetween(field(r, "firstEchoAtMs") + 150, 330.0);
        // the silence at the end is no gap between two echoes: only the last echo's time shows it
        assertThat(field(r, "maxGapMs")).isLessThan(140.0);
    }

    @Test
    void aStoppedStreamSendsNoMoreAndCountsOnlyWhatItSent() throws Exception {
        int[] asked = {0};
        // 1000 pps for up to 10 s, stopped before the 150th datagram
        String r = UdpStreamCheck.run(echo(i -> false, i -> false), 1000, 10_000, 100, () -> ++asked[0] > 150);
        assertThat(r).startsWith("sent=150 received=150 lost=0 corrupted=0");
        assertThat(field(r, "ms")).isLessThan(5_000.0);
    }

    @Test
    void aStreamWithNoEchoHasNoEchoTimes() throws Exception {
        String r = UdpStreamCheck.run(echo(i -> true, i -> false), 1000, 50, 100);
        assertThat(r).contains("received=0", "firstEchoAtMs=NaN", "lastEchoAtMs=NaN");
    }

    @Test
    void corruptedDatagramsAreCountedNotAccepted() throws Exception {
        String r = UdpStreamCheck.run(echo(i -> false, i -> i % 10 == 3), 1000, 100, 64);
        assertThat(field(r, "corrupted")).isEqualTo(10);
        assertThat(field(r, "received")).isEqualTo(90);
    }

    @Test
    void aStreamBeyondTheCapIsRefusedBeforeAnythingIsAllocated() {
        assertThat(UdpStreamCheck.refusal(20_000, 600_000, 200)).contains("more than the 1000000");
        assertThat(UdpStreamCheck.refusal(500, 4000, 200)).isNull();
        assertThat(UdpStreamCheck.refusal(500, 4000, 7)).contains("size 8..1300");
        assertThatThrownBy(() -> UdpStreamCheck.run(echo(i -> false, i -> false), 20_000, 600_000, 200))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
