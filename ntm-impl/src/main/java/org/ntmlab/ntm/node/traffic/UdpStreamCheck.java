package org.ntmlab.ntm.node.traffic;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * A paced UDP stream to an echo service: {@code pps} datagrams a second for {@code ms}
 * milliseconds, sent whether or not echoes come back (unlike a stop-and-wait echo, whose timeout
 * would add up to a second to any outage). Each datagram carries its sequence number and a
 * {@link StreamPattern} fill, so every echo is checked. The result gives the longest silence
 * between two echoes (the interruption as the application sees it, with the pacing interval as
 * resolution) and the send-time span of the datagrams that never came back. It also says when the
 * stream began on the wall clock ({@code startEpochMs}) and when its first and last echo came
 * ({@code firstEchoAtMs}, {@code lastEchoAtMs}, ms into the stream): a caller on the same host
 * (e.g. a lab whose containers share the kernel's clock) can place the silence against events of
 * its own, and a silence that lasted to the stream's end, which no gap between two echoes shows,
 * is visible as a last echo long before the last send.
 *
 * <p>Memory is bounded by {@link #MAX_DATAGRAMS}, not by the caller: 4 bytes of send time, 4 of
 * round-trip time and 1 bit per datagram, 8.1 MB at the cap (issue 8: no control command may run
 * its node out of heap).
 */
public final class UdpStreamCheck {

    /** Most datagrams one stream may send (e.g. 20,000 pps for 50 s, or 500 pps for 33 min). */
    public static final int MAX_DATAGRAMS = 1_000_000;
    public static final int MAX_PPS = 20_000;
    public static final int MAX_MS = 600_000;
    /** Room for the 4-byte sequence number; at most what one NTM datagram carries unfragmented. */
    public static final int MIN_SIZE = 8;
    public static final int MAX_SIZE = 1300;
    /** How long the receiver waits for stragglers after the last send. */
    private static final long DRAIN_NANOS = 1_000_000_000L;

    /** The datagram socket the stream runs over (an {@code NtmDatagramSocket} bound to the echo's address). */
    public interface DatagramPort {
        void send(byte[] b, int len) throws IOException;

        /** Receives into {@code b}; returns the length, or -1 when nothing came within {@code timeoutMs}. */
        int receive(byte[] b, int timeoutMs) throws IOException;
    }

    private UdpStreamCheck() {
    }

    /** Why these parameters are refused, or null when they are fine. */
    public static String refusal(int pps, int ms, int size) {
        if (pps < 1 || pps > MAX_PPS || ms < 1 || ms > MAX_MS || size < MIN_SIZE || size > MAX_SIZE) {
            return "pps must be 1.." + MAX_PPS + ", ms 1.." + MAX_MS + " and size " + MIN_SIZE + ".." + MAX_SIZE;
        }
        if ((long) pps * ms / 1000 > MAX_DATAGRAMS) {
            return "pps * ms / 1000 = " + (long) pps * ms / 1000 + " datagrams, more than the " + MAX_DATAGRAMS
                    + " one stream may send";
        }
        return null;
    }

    /** Runs the stream; the caller checked {@link #refusal}. Returns the control reply's fields. */
    public static String run(DatagramPort port, int pps, int ms, int size) throws IOException, InterruptedException {
        return run(port, pps, ms, size, () -> false);
    }

    /**
     * {@link #run(DatagramPort, int, int, int)} that sends no more once {@code stop} says so (asked
     * before each datagram): {@code ms} is then the longest the stream may run, and the reply
     * counts what was really sent.
     */
    public static String run(DatagramPort port, int pps, int ms, int size, BooleanSupplier stop)
            throws IOException, InterruptedException {
        return run(port, pps, ms, size, stop, ResumeWatch.NONE);
    }

    /**
     * Watches a stream for the moment the application hears its peer again after an address
     * change (the {@code app-data-resumed} of the handover timeline, docs/pcap-analysis.md): the
     * first good echo of a datagram sent after the change. Told from the receiving thread.
     */
    public interface ResumeWatch {
        ResumeWatch NONE = new ResumeWatch() {
            @Override
            public long armedAtNanos() {
                return 0;
            }

            @Override
            public void resumed(long armedAtNanos, long atNanos) {
            }
        };

        /** {@link System#nanoTime()} of the latest address change, or 0 before any. */
        long armedAtNanos();

        /** The first echo of a datagram sent at or after {@code armedAtNanos} came back at {@code atNanos}. */
        void resumed(long armedAtNanos, long atNanos);
    }

    /**
     * {@link #run(DatagramPort, int, int, int, BooleanSupplier)} that also tells {@code watch}
     * once per address change when the stream is heard again.
     */
    public static String run(DatagramPort port, int pps, int ms, int size, BooleanSupplier stop, ResumeWatch watch)
            throws IOException, InterruptedException {
        String no = refusal(pps, ms, size);
        if (no != null) {
            throw new IllegalArgumentException(no);
        }
        int max = (int) Math.max(1, (long) pps * ms / 1000);
        int[] sentCount = {max}; // what was sent, once sending is done (fewer when stopped)
        long interval = 1_000_000_000L / pps;
        StreamPattern pattern = StreamPattern.fresh();
        int[] sentMicros = new int[max];
        int[] rttMicros = new int[max];
        BitSet got = new BitSet(max);
        int[] tally = new int[3]; // received, corrupted, duplicates
        double[] gap = {0, 0}; // longest silence between echoes, and when it began (ms into the stream)
        long[] echoes = {-1, -1}; // nanoTime of the first and the last accepted echo
        // the address change whose resume was told: none before the stream began counts
        long[] resumeReported = {watch.armedAtNanos()};
        AtomicLong sendingDone = new AtomicLong();
        long startEpochMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        IOException[] receiveError = new IOException[1];
        Thread receiver = new Thread(() -> {
            byte[] in = new byte[2048];
            long last = t0;
            while (true) {
                long done = sendingDone.get();
                long now = System.nanoTime();
                if (done != 0 && (tally[0] == sentCount[0] || now - done > DRAIN_NANOS)) {
                    return;
                }
                int n;
                try {
                    n = port.receive(in, 50);
                } catch (IOException e) {
                    receiveError[0] = e;
                    return;
                }
                if (n < 0) {
                    continue;
                }
                long at = System.nanoTime();
                int seq = seqOf(in);
                if (n != size || seq < 0 || seq >= max || pattern.firstMismatch(in, 4, size - 4, (long) seq * size) >= 0) {
                    tally[1]++;
                    continue;
                }
                if (got.get(seq)) {
                    tally[2]++;
                    continue;
                }
                got.set(seq);
                if (echoes[0] < 0) {
                    echoes[0] = at;
                }
                echoes[1] = at;
                rttMicros[tally[0]++] = (int) Math.min(Integer.MAX_VALUE, (at - t0) / 1000 - sentMicros[seq]);
                if (at - last > gap[0] * 1e6) {
                    gap[0] = (at - last) / 1e6;
                    gap[1] = (last - t0) / 1e6;
                }
                last = at;
                long armed = watch.armedAtNanos();
                if (armed != 0 && armed != resumeReported[0] && (long) sentMicros[seq] * 1000 >= armed - t0) {
                    resumeReported[0] = armed;
                    watch.resumed(armed, at);
                }
            }
        }, "udp-stream-receiver");
        receiver.setDaemon(true);
        receiver.start();
        try {
            byte[] out = new byte[size];
            long next = System.nanoTime();
            for (int seq = 0; seq < max; seq++) {
                if (stop.getAsBoolean()) {
                    sentCount[0] = seq;
                    break;
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval;
                out[0] = (byte) (seq >>> 24);
                out[1] = (byte) (seq >>> 16);
                out[2] = (byte) (seq >>> 8);
                out[3] = (byte) seq;
                pattern.fill(out, 4, size - 4, (long) seq * size);
                long now = System.nanoTime();
                sentMicros[seq] = (int) ((now - t0) / 1000);
                port.send(out, size);
            }
        } finally {
            sendingDone.set(System.nanoTime());
            receiver.join(DRAIN_NANOS / 1_000_000 + 5_000);
        }
        if (receiveError[0] != null) {
            throw receiveError[0];
        }
        int count = sentCount[0];
        int received = tally[0];
        int lostRuns = 0;
        int firstLost = got.nextClearBit(0);
        int lastLost = -1;
        for (int i = firstLost; i < count; i = got.nextClearBit(i + 1)) {
            if (i == 0 || got.get(i - 1)) {
                lostRuns++;
            }
            lastLost = i;
        }
        // send times of the first and last datagram lost: an outage of g ms loses what was sent
        // within about g ms plus one round trip, whatever the pace achieved
        double lostSpanMs = lastLost < 0 ? 0 : (sentMicros[lastLost] - sentMicros[firstLost]) / 1e3;
        int[] rtt = Arrays.copyOf(rttMicros, received);
        Arrays.sort(rtt);
        return String.format(Locale.ROOT, "sent=%d received=%d lost=%d corrupted=%d duplicates=%d lostRuns=%d"
                        + " lostSpanMs=%.1f maxGapMs=%.1f maxGapAtMs=%.1f rttMsP50=%s rttMsMax=%s ms=%.1f"
                        + " startEpochMs=%d firstEchoAtMs=%s lastEchoAtMs=%s", count,
                received, count - received, tally[1], tally[2], lostRuns, lostSpanMs, gap[0], gap[1],
                rtt.length == 0 ? "NaN" : String.format(Locale.ROOT, "%.3f", rtt[rtt.length / 2] / 1e3),
                rtt.length == 0 ? "NaN" : String.format(Locale.ROOT, "%.3f", rtt[rtt.length - 1] / 1e3),
                (System.nanoTime() - t0) / 1e6, startEpochMs, msInto(echoes[0], t0), msInto(echoes[1], t0));
    }

    /** {@code at} as ms after {@code t0} with one decimal, or NaN for "never" (-1). */
    private static String msInto(long at, long t0) {
        return at < 0 ? "NaN" : String.format(Locale.ROOT, "%.1f", (at - t0) / 1e6);
    }

    private static int seqOf(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }
}
