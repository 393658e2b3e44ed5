package org.ntmlab.ntm.node.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A checked TCP stream to an echo service (RFC 862): one thread writes a {@link StreamPattern},
 * another reads the echo and verifies every byte as it arrives, so the check runs in constant
 * memory (two chunk buffers) whatever the stream's length. The writer stops at a byte limit, at a
 * deadline, or on {@link #stop()}, then half-closes; the reader runs until the echo's end of
 * stream. Any I/O error, or the first byte that comes back wrong, is the stream's failure,
 * reported with its stream offset.
 *
 * <p>Used by the node's control channel ({@code tcp-echo}, {@code tcp-stream}) and by every test
 * that sends a stream through a tunnel (issue 8: one checker, not four).
 */
public final class TcpEchoCheck {

    /** Bytes per write (by default) and per read. */
    public static final int CHUNK = 16 * 1024;

    /** Called on the reading thread after each verified read: bytes checked so far and when. */
    @FunctionalInterface
    public interface ReadListener {
        void onRead(long receivedTotal, long nanoTime);
    }

    /** What a finished (or abandoned) check saw. */
    public record Result(long sent, long received, long firstBadOffset, String error, long nanos, long startEpochMs) {

        /** Every byte written came back, in order and unchanged, and neither side failed. */
        public boolean intact() {
            return error == null && firstBadOffset < 0 && received == sent;
        }

        public double ms() {
            return nanos / 1e6;
        }

        /**
         * The control channel's reply fields: {@code bytes=.. received=.. intact=.. ms=..
         * startEpochMs=..} (the wall clock when the stream began, as {@code udp-stream} gives it: a
         * harness compares it with when it injected a fault), then {@code firstBadOffset=..} and
         * {@code error=..} when they apply.
         */
        public String fields() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "bytes=%d received=%d intact=%b ms=%.1f startEpochMs=%d", sent, received, intact(), ms(),
                    startEpochMs));
            if (firstBadOffset >= 0) {
                sb.append(" firstBadOffset=").append(firstBadOffset);
            }
            if (error != null) {
                sb.append(" error=").append(error.replaceAll("\\s+", "_"));
            }
            return sb.toString();
        }
    }

    private final Socket socket;
    private final StreamPattern pattern;
    private final long maxBytes;
    private final long deadlineNanos;
    private final long pauseMillis;
    private final int chunk;
    private final ReadListener listener;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<String> error = new AtomicReference<>();
    private volatile long firstBad = -1;
    private volatile boolean stop;
    private volatile long endNanos;
    private final long startNanos = System.nanoTime();
    private final long startEpochMs = System.currentTimeMillis();
    private final Thread writer;
    private final Thread reader;

    private TcpEchoCheck(Socket socket, StreamPattern pattern, long maxBytes, long maxNanos, int chunk,
                         long pauseMillis, ReadListener listener) {
        this.socket = socket;
        this.pattern = pattern;
        this.maxBytes = maxBytes;
        this.deadlineNanos = maxNanos == Long.MAX_VALUE ? Long.MAX_VALUE : startNanos + maxNanos;
        this.pauseMillis = pauseMillis;
        this.chunk = chunk;
        this.listener = listener;
        this.writer = new Thread(this::writeLoop, "tcp-check-write");
        this.reader = new Thread(this::readLoop, "tcp-check-read");
        writer.setDaemon(true);
        reader.setDaemon(true);
    }

    /** Streams exactly {@code bytes} bytes over a connected socket and checks the echo. */
    public static TcpEchoCheck ofBytes(Socket connected, long bytes) {
        return start(connected, StreamPattern.fresh(), bytes, Long.MAX_VALUE, CHUNK, 0, null);
    }

    /** Streams as fast as the connection takes for {@code millis} ms, then half-closes. */
    public static TcpEchoCheck ofDuration(Socket connected, long millis) {
        return start(connected, StreamPattern.fresh(), Long.MAX_VALUE, TimeUnit.MILLISECONDS.toNanos(millis), CHUNK,
                0, null);
    }

    /**
     * The general form: writes {@code chunk}-byte chunks (at most {@link #CHUNK}) of {@code pattern}, sleeping
     * {@code pauseMillis} after each (0: none), until {@code maxBytes}, {@code maxNanos} after
     * start, or {@link #stop()}, whichever comes first.
     */
    public static TcpEchoCheck start(Socket connected, StreamPattern pattern, long maxBytes, long maxNanos,
                                     int chunk, long pauseMillis, ReadListener listener) {
        if (maxBytes < 0 || maxNanos < 0 || pauseMillis < 0 || chunk < 1 || chunk > CHUNK) {
            throw new IllegalArgumentException("limits must not be negative, chunk 1.." + CHUNK);
        }
        TcpEchoCheck c = new TcpEchoCheck(connected, pattern, maxBytes, maxNanos, chunk, pauseMillis, listener);
        c.reader.start();
        c.writer.start();
        return c;
    }

    private void writeLoop() {
        try {
            OutputStream out = socket.getOutputStream(); // not closed: that would close the socket
            byte[] buf = new byte[chunk];
            long pos = 0;
            while (!stop && pos < maxBytes && System.nanoTime() - deadlineNanos < 0) {
                int n = (int) Math.min(buf.length, maxBytes - pos);
                pattern.fill(buf, 0, n, pos);
                out.write(buf, 0, n);
                pos += n;
                sent.set(pos);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
            socket.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            fail("write: " + describe(e));
        } catch (InterruptedException e) {
            fail("write interrupted");
        }
    }

    private void readLoop() {
        try {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[CHUNK];
            long pos = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                long bad = pattern.firstMismatch(buf, 0, n, pos);
                if (bad >= 0) {
                    firstBad = bad;
                    received.set(bad);
                    fail("byte " + bad + " came back wrong");
                    return;
                }
                pos += n;
                received.set(pos);
                if (listener != null) {
                    listener.onRead(pos, System.nanoTime());
                }
            }
        } catch (IOException | RuntimeException e) {
            fail("read: " + describe(e));
        } finally {
            endNanos = System.nanoTime();
        }
    }

    private void fail(String why) {
        error.compareAndSet(null, why);
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Bytes written so far. */
    public long sent() {
        return sent.get();
    }

    /** Bytes echoed back and checked so far. */
    public long received() {
        return received.get();
    }

    /** The first failure (I/O, or a byte that came back wrong), or null. */
    public String failure() {
        return error.get();
    }

    /** Polls until {@code bytes} have come back, the check failed, or the timeout; returns the bytes back. */
    public long awaitReceived(long bytes, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (received.get() < bytes && error.get() == null && System.nanoTime() - deadline < 0
                && reader.isAlive()) {
            Thread.sleep(10);
        }
        return received.get();
    }

    /** Asks the writer to stop after its current chunk and half-close; the reader goes on to the echo's end. */
    public void stop() {
        stop = true;
    }

    /**
     * Waits for the writer and for the reader to see the end of the echo, up to {@code timeout};
     * if the reader has not finished by then the socket is closed and the result says so.
     */
    public Result await(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (reader.isAlive() || writer.isAlive()) {
            fail("echo not finished within " + unit.toMillis(timeout) + " ms");
            abort();
            reader.join(1000);
            writer.join(1000);
        }
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        if (received.get() > sent.get()) {
            firstBad = sent.get();
            fail("more bytes came back than were sent");
        }
        return new Result(sent.get(), received.get(), firstBad, error.get(), end - startNanos, startEpochMs);
    }

    /** Closes the socket: both threads end with an error if still running. */
    public void abort() {
        stop = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
