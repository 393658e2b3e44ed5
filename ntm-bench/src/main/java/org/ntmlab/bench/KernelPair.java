package org.ntmlab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Two non-blocking kernel UDP sockets on loopback, as {@code KernelNetwork} opens them.
 * Benchmarks that touch the kernel work in batches of {@link Fixture#BATCH} datagrams:
 * the receive queue is filled or emptied outside the timed code, so every timed
 * {@code send} really enqueues a datagram and every timed {@code receive} finds one
 * (no drops, no wake-ups of a blocked thread, no busy reader taking the second core).
 */
final class KernelPair implements AutoCloseable {

    final DatagramChannel sender;
    final DatagramChannel receiver;
    final InetSocketAddress receiverAddress;
    /** For draining without a sender address object: a connected copy of the receive path. */
    private final ByteBuffer drainBuffer = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
    long missing;

    /** @param connectReceiver true when the receiver is only drained (send benchmarks): read() needs no address */
    KernelPair(boolean connectReceiver) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        sender = DatagramChannel.open();
        sender.bind(new InetSocketAddress(lo, 0));
        sender.configureBlocking(false);
        receiver = DatagramChannel.open();
        receiver.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        receiver.bind(new InetSocketAddress(lo, 0));
        receiver.configureBlocking(false);
        receiverAddress = (InetSocketAddress) receiver.getLocalAddress();
        if (connectReceiver) {
            receiver.connect(sender.getLocalAddress());
        }
    }

    /** Reads and discards {@code expected} datagrams (connected receiver only); counts any that never came. */
    void drain(int expected) throws IOException {
        int got = 0;
        for (int idle = 0; got < expected && idle < 100_000; ) {
            drainBuffer.clear();
            if (receiver.read(drainBuffer) > 0) {
                got++;
            } else {
                idle++;
            }
        }
        missing += expected - got;
    }

    @Override
    public void close() throws IOException {
        sender.close();
        receiver.close();
    }
}
