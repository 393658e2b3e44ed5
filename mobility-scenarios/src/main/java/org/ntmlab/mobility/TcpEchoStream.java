package org.ntmlab.mobility;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * The application's TCP stream across a move: a connection to the peer's echo service over
 * the virtual TCP stack; the writer sends a known byte pattern, the reader checks every byte
 * that comes back. Any exception or wrong byte is kept as the stream's failure.
 */
public final class TcpEchoStream implements AutoCloseable {

    private final NtmSocket socket;
    private final int chunk;
    private final long pauseMillis;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private volatile long mark = Long.MAX_VALUE;
    private volatile LongConsumer onProgress;
    private volatile long progressAt;
    private final Thread writer;
    private final Thread reader;
    private long[] readTimes = new long[4096];
    private int reads;

    /** Connects; the writer sends {@code chunk} bytes then sleeps {@code pauseMillis}. */
    public TcpEchoStream(NtmNode node, InetAddress peer, int port, int chunk, long pauseMillis) throws IOException {
        this.socket = new NtmSocket(node.tcp(), peer, port);
        this.socket.setSoTimeout(30_000);
        this.chunk = chunk;
        this.pauseMillis = pauseMillis;
        writer = new Thread(this::writeLoop, "tcp-stream-write");
        reader = new Thread(this::readLoop, "tcp-stream-read");
    }

    public TcpEchoStream start() {
        reader.start();
        writer.start();
        return this;
    }

    static byte patternAt(long position) {
        return (byte) (position ^ (position >>> 8) * 31);
    }

    private void writeLoop() {
        try {
            OutputStream out = socket.getOutputStream(); // not closed: that would close the socket
            byte[] buf = new byte[chunk];
            while (!stop) {
                long base = sent.get();
                for (int i = 0; i < buf.length; i++) {
                    buf[i] = patternAt(base + i);
                }
                out.write(buf);
                sent.addAndGet(buf.length);
                Thread.sleep(pauseMillis);
            }
            socket.shutdownOutput();
        } catch (IOException | InterruptedException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void readLoop() {
        try {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                long pos = received.get();
                for (int i = 0; i < n; i++) {
                    if (buf[i] != patternAt(pos + i)) {
                        throw new IllegalStateException("TCP byte " + (pos + i) + " came back as " + buf[i]
                                + ", sent as " + patternAt(pos + i));
                    }
                }
                recordRead(WallClock.nanos());
                long now = received.addAndGet(n);
                if (progressAt == 0 && now > mark) {
                    progressAt = WallClock.nanos();
                    LongConsumer l = onProgress;
                    if (l != null) {
                        l.accept(progressAt);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
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
        mark = sent.get();
    }

    /** When the armed progress happened, 0 while not yet. */
    public long progressAt() {
        return progressAt;
    }

    public long sent() {
        return sent.get();
    }

    public long received() {
        return received.get();
    }

    public Throwable failure() {
        return failure.get();
    }

    /** Stops writing, half-closes, and waits for the echo of every byte (the reader sees EOF). */
    public void finish() throws InterruptedException {
        stop = true;
        writer.join(30_000);
        reader.join(30_000);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop = true;
        writer.join(30_000);
        socket.close();
        reader.join(30_000);
    }
}
