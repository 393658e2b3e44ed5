package org.ntmlab.ntm.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A bound UDP socket on the real network (kernel UDP or the in-memory network).
 * {@link #send} must be called on the owning {@link EventLoop}; it copies the bytes out
 * before returning, so callers may reuse their buffer at once.
 */
public interface DatagramEndpoint extends AutoCloseable {

    /** Sends {@code payload} (position..limit) to {@code to}. Returns false if dropped locally. */
    boolean send(ByteBuffer payload, InetSocketAddress to);

    /** The address this endpoint is bound to (for kernel sockets: the bound address and port). */
    InetSocketAddress localAddress();

    @Override
    void close();

    /**
     * Receives datagrams on the owning loop. The buffer is only valid during the call: it is
     * reused for the next datagram (no allocation per packet).
     */
    @FunctionalInterface
    interface Receiver {
        void onDatagram(ByteBuffer payload, InetSocketAddress from, DatagramEndpoint via);
    }
}
