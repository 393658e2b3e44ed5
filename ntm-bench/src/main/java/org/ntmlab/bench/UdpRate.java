package org.ntmlab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

import org.ntmlab.ntm.transport.KernelNetwork;

/**
 * How many datagrams per second kernel UDP carries one way on loopback, with the calls and
 * buffers {@code KernelNetwork} uses: an unbound-destination {@code DatagramChannel.send}
 * from a heap buffer on one thread, {@code receive} into a heap buffer on another, default
 * socket buffers. The sender sends as fast as it can; what counts is what the receiver
 * got (datagrams the receive queue dropped carried nothing), or, paced, what a sender
 * that never overruns the receiver gets through. A TCP over one such path cannot move
 * more than received/s x MSS bytes per second.
 */
final class UdpRate {

    /** Datagrams per second sent and received in the measured window. */
    record Result(double sentPerSecond, double receivedPerSecond) {
    }

    private UdpRate() {
    }

    /** Unpaced: the sender sends as fast as it can; the receive queue drops what does not fit. */
    /** Longest a measuring window is stretched waiting for the first datagram sent and received. */
    static final long MAX_STRETCH_NANOS = 10_000_000_000L;

    static Result measure(int datagramSize, long warmupNanos, long windowNanos) throws IOException, InterruptedException {
        return measure(datagramSize, 0, warmupNanos, windowNanos);
    }

    /**
     * {@code window} > 0: the sender keeps at most that many datagrams ahead of what the
     * receiver has taken (a free, perfect flow control through a shared counter), so the
     * receive queue never overflows: the loss-free rate a reliable transport could reach.
     */
    static Result measure(int datagramSize, int window, long warmupNanos, long windowNanos)
            throws IOException, InterruptedException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open()) {
            rx.bind(new InetSocketAddress(lo, 0));
            tx.bind(new InetSocketAddress(lo, 0));
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            Thread receiver = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(KernelNetwork.MAX_DATAGRAM);
                try {
                    while (true) {
                        b.clear();
                        rx.receive(b);
                        received.lazySet(received.get() + 1);
                    }
                } catch (ClosedChannelException e) {
                    // done
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "bench-udp-receiver");
            receiver.setDaemon(true);
            receiver.start();
            Thread sender = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(datagramSize);
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        while (window > 0 && sent.get() - received.get() >= window) {
                            Thread.yield(); // two cores: leave the CPU to the receiver
                        }
                        b.clear();
                        tx.send(b, to);
                        sent.lazySet(sent.get() + 1);
                    }
                } catch (ClosedChannelException e) {
                    // done
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "bench-udp-sender");
            sender.setDaemon(true);
            sender.start();
            Thread.sleep(warmupNanos / 1_000_000);
            long s0 = sent.get();
            long r0 = received.get();
            long t0 = System.nanoTime();
            Thread.sleep(windowNanos / 1_000_000);
            // A window in which a busy machine never ran the receiver measures nothing: stretch
            // it until both ends moved (at most MAX_STRETCH_NANOS), so a rate is never 0 by chance.
            while ((sent.get() == s0 || received.get() == r0) && System.nanoTime() - t0 < MAX_STRETCH_NANOS) {
                Thread.sleep(10);
            }
            long s1 = sent.get();
            long r1 = received.get();
            long t1 = System.nanoTime();
            sender.interrupt();
            tx.close();
            sender.join(2000);
            Thread.sleep(20); // let the receiver drain what is queued, then stop it
            rx.close();
            receiver.join(2000);
            double secs = (t1 - t0) / 1e9;
            return new Result((s1 - s0) / secs, (r1 - r0) / secs);
        }
    }
}
