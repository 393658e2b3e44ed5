package org.ntmlab.ntm.node;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A paced UDP stream to a peer's echo service (RFC 862) for fault tests: one 16-byte datagram
 * (sequence number, send time) every {@code intervalMs}, the echoes counted as they return. The
 * longest silence between two echoes is the data-plane interruption a fault caused, the same
 * measure the lab's handover reports take from captures (paper Figure 11).
 */
final class PacedUdpEcho implements AutoCloseable {

    private final NtmDatagramSocket socket;
    private final InetAddress peer;
    private final long intervalNanos;
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean running = true;
    private volatile long sent;
    private volatile long echoed;
    private volatile long lastEchoNanos;
    private volatile long longestGapNanos;
    private volatile long gapEndNanos;
    private volatile long markNanos;
    private volatile long firstEchoAfterMark;

    private PacedUdpEcho(NtmNode from, InetAddress peer, int intervalMs) throws IOException {
        this.socket = new NtmDatagramSocket(from, 0);
        this.socket.setSoTimeout(100);
        this.peer = peer;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.sender = new Thread(this::send, "paced-udp-send");
        this.receiver = new Thread(this::receive, "paced-udp-receive");
        sender.setDaemon(true);
        receiver.setDaemon(true);
    }

    /** Starts the stream from {@code from} to {@code peer}'s echo port, one datagram every {@code intervalMs}. */
    static PacedUdpEcho start(NtmNode from, InetAddress peer, int intervalMs) throws IOException {
        PacedUdpEcho e = new PacedUdpEcho(from, peer, intervalMs);
        e.lastEchoNanos = System.nanoTime();
        e.sender.start();
        e.receiver.start();
        return e;
    }

    private void send() {
        byte[] b = new byte[16];
        long next = System.nanoTime();
        while (running) {
            ByteBuffer.wrap(b).putLong(sent).putLong(System.nanoTime());
            try {
                socket.send(new DatagramPacket(b, b.length, peer, NtmNode.ECHO_PORT));
            } catch (IOException e) {
                // the path is down: the gap shows it
            }
            sent++;
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void receive() {
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        while (running) {
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            long now = System.nanoTime();
            long gap = now - lastEchoNanos;
            if (gap > longestGapNanos) {
                longestGapNanos = gap;
                gapEndNanos = now;
            }
            lastEchoNanos = now;
            echoed++;
            if (markNanos != 0 && firstEchoAfterMark == 0 && now - markNanos >= 0) {
                firstEchoAfterMark = now;
            }
        }
    }

    /** Echoes received so far. */
    long echoed() {
        return echoed;
    }

    /** Waits up to {@code timeoutMs} until {@code n} more echoes than now have come back; returns whether they did. */
    boolean awaitMore(long n, long timeoutMs) throws InterruptedException {
        long target = echoed + n;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (echoed < target) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Marks a moment (a server's return): {@link #firstEchoAfterMark} then tells when the next echo came. */
    void mark(long nanos) {
        firstEchoAfterMark = 0;
        markNanos = nanos;
    }

    /**
     * Waits up to {@code timeoutMs} for the first echo after {@link #mark}; returns the ms from
     * the mark to it, or -1 if none came.
     */
    long msToFirstEchoAfterMark(long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (firstEchoAfterMark == 0) {
            if (System.nanoTime() - end > 0) {
                return -1;
            }
            Thread.sleep(5);
        }
        return TimeUnit.NANOSECONDS.toMillis(firstEchoAfterMark - markNanos);
    }

    /** The longest time without an echo so far, in ms. */
    long longestGapMs() {
        return TimeUnit.NANOSECONDS.toMillis(longestGapNanos);
    }

    /** When the longest gap ended ({@link System#nanoTime()}): the first echo after it. */
    long gapEndNanos() {
        return gapEndNanos;
    }

    long sent() {
        return sent;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.join(2000);
        receiver.join(2000);
        socket.close();
    }
}
