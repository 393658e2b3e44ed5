package org.ntmlab.mobility;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import org.ntmlab.ntm.node.NtmDatagramSocket;
import org.ntmlab.ntm.node.NtmNode;

/**
 * The application's UDP stream across a move: sequence-numbered datagrams at a fixed rate
 * to the peer's echo service (RFC 862, virtual port 7), every reply checked byte for byte.
 * Keeps the send and reply time of every sequence number, so loss can be placed in time
 * ({@link LossWindow}) and the first reply after a move marks the application resuming.
 */
public final class UdpProbeStream implements AutoCloseable {

    static final int SIZE = 64;
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final NtmDatagramSocket socket;
    private final InetAddress peer;
    private final int peerPort;
    private final long intervalNanos;
    private final AtomicLongArray sentAt;
    private final AtomicLongArray repliedAt;
    private volatile int sent;
    private final AtomicLong corrupted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private volatile long armedAfter = Long.MAX_VALUE;
    private volatile LongConsumer onResume;
    private volatile long resumedAt;
    private volatile int resumedSeq = -1;
    private final Thread sender;
    private final Thread receiver;

    /**
     * @param intervalNanos time between two datagrams (1 ms = 1,000 datagrams/s)
     * @param capacity      most datagrams this stream sends; it stops sending after that
     */
    public UdpProbeStream(NtmNode node, InetAddress peer, int peerPort, long intervalNanos, int capacity)
            throws IOException {
        this.socket = new NtmDatagramSocket(node, 0);
        this.peer = peer;
        this.peerPort = peerPort;
        this.intervalNanos = intervalNanos;
        this.sentAt = new AtomicLongArray(capacity);
        this.repliedAt = new AtomicLongArray(capacity);
        socket.setSoTimeout(50);
        sender = new Thread(this::sendLoop, "udp-stream-send");
        receiver = new Thread(this::receiveLoop, "udp-stream-receive");
    }

    public UdpProbeStream start() {
        receiver.start();
        sender.start();
        return this;
    }

    /** Fixed rate: datagram k leaves at start + k * interval; a late sender re-anchors instead of bursting. */
    private void sendLoop() {
        byte[] buf = new byte[SIZE];
        long next = System.nanoTime();
        try {
            while (!stop && sent < sentAt.length()) {
                int seq = sent;
                fill(buf, seq);
                sentAt.set(seq, WallClock.nanos());
                sent = seq + 1;
                socket.send(new DatagramPacket(buf, buf.length, peer, peerPort));
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -intervalNanos) {
                    next = System.nanoTime();
                }
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[SIZE * 2];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                if (stop) {
                    return; // nothing more is coming within the timeout after the sender stopped
                }
                continue;
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
                return;
            }
            long now = WallClock.nanos();
            int seq = check(buf, p.getLength());
            if (seq < 0 || seq >= sent) {
                corrupted.incrementAndGet();
                continue;
            }
            if (!repliedAt.compareAndSet(seq, 0, now)) {
                duplicates.incrementAndGet();
                continue;
            }
            if (resumedAt == 0 && sentAt.get(seq) >= armedAfter) {
                resumedSeq = seq; // before resumedAt: readers wait on resumedAt, then read resumedSeq
                resumedAt = now;
                LongConsumer l = onResume;
                if (l != null) {
                    l.accept(now);
                }
            }
        }
    }

    static void fill(byte[] buf, int seq) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        long x = seq;
        b.putLong(x);
        while (b.hasRemaining()) {
            x = x * MIX + 1;
            b.putLong(x);
        }
    }

    /** The sequence number of a correct echo of {@link #fill}, or -1. */
    static int check(byte[] buf, int length) {
        if (length != SIZE) {
            return -1;
        }
        byte[] expected = new byte[SIZE];
        long seq = ByteBuffer.wrap(buf).getLong();
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            return -1;
        }
        fill(expected, (int) seq);
        return Arrays.equals(expected, 0, SIZE, buf, 0, SIZE) ? (int) seq : -1;
    }

    /**
     * Watches for the first reply to a datagram sent at or after {@code afterNanos} (a move
     * start): the application's data flows again. {@code listener} runs once, on the receiving
     * thread, with the reply's time.
     */
    public void armResume(long afterNanos, LongConsumer listener) {
        resumedAt = 0;
        resumedSeq = -1;
        onResume = listener;
        armedAfter = afterNanos;
    }

    /** Reply time of the first datagram answered after the armed instant, 0 while none. */
    public long resumedAt() {
        return resumedAt;
    }

    /** Sequence number of that datagram, -1 while none. */
    public int resumedSeq() {
        return resumedSeq;
    }

    public int sent() {
        return sent;
    }

    public long sentAt(int seq) {
        return sentAt.get(seq);
    }

    /** When the reply to {@code seq} came, 0 if it did not. */
    public long repliedAt(int seq) {
        return repliedAt.get(seq);
    }

    /** Replies so far. */
    public int replies() {
        int n = 0;
        for (int i = 0, s = sent; i < s; i++) {
            if (repliedAt.get(i) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Replies to datagrams sent at or after {@code fromNanos}. */
    public int repliesSince(long fromNanos) {
        int n = 0;
        for (int i = sent - 1; i >= 0 && sentAt.get(i) >= fromNanos; i--) {
            if (repliedAt.get(i) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Round-trip times (ms) of datagrams sent in [fromNanos, toNanos) that were answered. */
    public List<Double> rttsMs(long fromNanos, long toNanos) {
        List<Double> r = new ArrayList<>();
        for (int i = 0, s = sent; i < s; i++) {
            if (sentAt.get(i) >= fromNanos && sentAt.get(i) < toNanos && repliedAt.get(i) != 0) {
                r.add((repliedAt.get(i) - sentAt.get(i)) / 1e6);
            }
        }
        return r;
    }

    /** The highest sequence number whose reply came before {@code nanos}, or -1. */
    public int lastAnsweredBefore(long nanos) {
        int best = -1;
        for (int i = 0, s = sent; i < s; i++) {
            long r = repliedAt.get(i);
            if (r != 0 && r < nanos) {
                best = i;
            }
        }
        return best;
    }

    /** Datagrams sent but not answered (yet). */
    public int outstanding() {
        int n = 0;
        for (int i = 0, s = sent; i < s; i++) {
            if (repliedAt.get(i) == 0) {
                n++;
            }
        }
        return n;
    }

    /** Sequence numbers never answered. */
    public List<Integer> lost() {
        List<Integer> r = new ArrayList<>();
        for (int i = 0, s = sent; i < s; i++) {
            if (repliedAt.get(i) == 0) {
                r.add(i);
            }
        }
        return r;
    }

    /** Datagrams the socket dropped because its queue was full (the application fell behind). */
    public long socketDrops() {
        return socket.droppedDatagrams();
    }

    public long corrupted() {
        return corrupted.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public Throwable failure() {
        return failure.get();
    }

    public long intervalNanos() {
        return intervalNanos;
    }

    /** Stops sending; the receiver keeps reading until every reply came or none came for a while. */
    public void stopSending() throws InterruptedException {
        stop = true;
        sender.join(10_000);
    }

    /** Waits for the receiver to drain (it stops after a quiet receive timeout). */
    public void awaitDrained() throws InterruptedException {
        receiver.join(10_000);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        sender.join(10_000);
        receiver.interrupt();
        receiver.join(10_000);
        socket.close();
    }
}
