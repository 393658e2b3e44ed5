package org.ntmlab.mobility;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.traffic.StreamPattern;
import org.ntmlab.ntm.node.traffic.TcpEchoCheck;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * The application's TCP stream across a move: a connection to the peer's echo service over
 * the virtual TCP stack, driven by ntm-impl's {@link TcpEchoCheck} (a seeded pattern written in
 * chunks, every byte checked as it returns, constant memory). This class adds what the scenario
 * timeline needs: when reads happened, and when the first byte written after a mark came back.
 */
public final class TcpEchoStream implements AutoCloseable {

    private final NtmSocket socket;
    private final int chunk;
    private final long pauseMillis;
    private TcpEchoCheck check;
    private volatile long mark = Long.MAX_VALUE;
    private volatile LongConsumer onProgress;
    private volatile long progressAt;
    private long[] readTimes = new long[4096];
    private int reads;

    /** Connects; the writer sends {@code chunk} bytes then sleeps {@code pauseMillis}. */
    public TcpEchoStream(NtmNode node, InetAddress peer, int port, int chunk, long pauseMillis) throws IOException {
        this.socket = new NtmSocket(node.tcp(), peer, port);
        this.socket.setSoTimeout(30_000);
        this.chunk = chunk;
        this.pauseMillis = pauseMillis;
    }

    public TcpEchoStream start() {
        check = TcpEchoCheck.start(socket, StreamPattern.fresh(), Long.MAX_VALUE, Long.MAX_VALUE, chunk, pauseMillis,
                this::onRead);
        return this;
    }

    private void onRead(long receivedTotal, long nanoTime) {
        long at = WallClock.nanos();
        recordRead(at);
        if (progressAt == 0 && receivedTotal > mark) {
            progressAt = at;
            LongConsumer l = onProgress;
            if (l != null) {
                l.accept(progressAt);
            }
        }
    }

    private synchronized void recordRead(long nanos) {
        if (reads == readTimes.length) {
            readTimes = java.util.Arrays.copyOf(readTimes, reads * 2);
        }
        readTimes[reads++] = nanos;
    }

    /**
     * The longest time the application's reads waited across {@code atNanos} (a move start):
     * the largest gap between two successive reads from the last read before that instant up
     * to {@code untilNanos}; its end is when the reader saw data flowing again.
     *
     * @return {gap nanos, end of that gap}, or {0, 0} when there were no reads to compare
     */
    public synchronized long[] longestStall(long atNanos, long untilNanos) {
        int i = 0;
        while (i + 1 < reads && readTimes[i + 1] < atNanos) {
            i++;
        }
        long best = 0;
        long end = 0;
        for (; i + 1 < reads && readTimes[i] <= untilNanos; i++) {
            long gap = readTimes[i + 1] - readTimes[i];
            if (gap > best) {
                best = gap;
                end = readTimes[i + 1];
            }
        }
        return new long[] {best, end};
    }

    /**
     * Watches for the first byte written after now to come back: the connection makes progress
     * on the new path. {@code listener} runs once, on the reading thread.
     */
    public void armProgress(LongConsumer listener) {
        progressAt = 0;
        onProgress = listener;
        mark = check.sent();
    }

    /** When the armed progress happened, 0 while not yet. */
    public long progressAt() {
        return progressAt;
    }

    public long sent() {
        return check.sent();
    }

    public long received() {
        return check.received();
    }

    /** The stream's first failure (I/O, or a byte that came back wrong, with its offset), or null. */
    public Throwable failure() {
        String f = check.failure();
        return f == null ? null : new java.io.IOException("TCP stream: " + f);
    }

    /** Stops writing, half-closes, and waits for the echo of every byte (the reader sees EOF). */
    public void finish() throws InterruptedException {
        check.stop();
        check.await(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        check.stop();
        socket.close();
        check.await(30, TimeUnit.SECONDS);
    }
}
