package org.ntmlab.ntm.node;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.ntmlab.ntm.signalling.ProtocolConstants;

/**
 * A UDP socket on the node's virtual addresses, shaped like {@link java.net.DatagramSocket}
 * (paper section 4.2, "NTM socket API"). Datagrams to a peer's virtual address travel through
 * the NTM tunnel; the socket keeps working when the node moves.
 */
public final class NtmDatagramSocket implements AutoCloseable {

    /** Datagrams buffered for the application before new ones are dropped. */
    public static final int RECEIVE_QUEUE = ProtocolConstants.Node.DATAGRAM_SOCKET_RECEIVE_QUEUE;

    private record Received(byte[] data, InetAddress from, int port) {
    }

    private final NtmNode node;
    private final int port;
    private final BlockingQueue<Received> queue = new ArrayBlockingQueue<>(RECEIVE_QUEUE);
    private volatile int soTimeoutMs;
    private volatile boolean closed;
    private volatile long dropped;

    /** Binds virtual UDP {@code port} (0 = ephemeral). */
    public NtmDatagramSocket(NtmNode node, int port) throws SocketException {
        this.node = node;
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        node.loop().execute(() -> {
            try {
                bound.complete(node.stack().bindUdp(port, (src, srcPort, dst, payload) -> {
                    byte[] data = new byte[payload.remaining()];
                    payload.get(data);
                    if (!queue.offer(new Received(data, src, srcPort))) {
                        dropped++;
                    }
                }));
            } catch (RuntimeException e) {
                bound.completeExceptionally(e);
            }
        });
        try {
            this.port = bound.get(ProtocolConstants.Node.DATAGRAM_SOCKET_BIND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new SocketException("cannot bind virtual UDP port " + port + ": " + e.getCause().getMessage());
        } catch (InterruptedException | TimeoutException e) {
            throw new SocketException("cannot bind virtual UDP port " + port + ": " + e);
        }
    }

    public int getLocalPort() {
        return port;
    }

    public void setSoTimeout(int ms) {
        this.soTimeoutMs = ms;
    }

    /** Datagrams dropped because the application did not read fast enough. */
    public long droppedDatagrams() {
        return dropped;
    }

    /** Sends to the packet's address, a peer's virtual IPv4 or IPv6 address. */
    public void send(DatagramPacket p) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        if (p.getAddress() == null) {
            throw new IllegalArgumentException("datagram has no destination address");
        }
        byte[] copy = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
        InetAddress dst = p.getAddress();
        int dstPort = p.getPort();
        node.loop().execute(() -> node.stack().sendUdp(port, dst, dstPort, ByteBuffer.wrap(copy)));
    }

    /** Blocks until a datagram arrives (or the timeout set by {@link #setSoTimeout} passes). */
    public void receive(DatagramPacket p) throws IOException {
        Received r;
        try {
            r = soTimeoutMs > 0 ? queue.poll(soTimeoutMs, TimeUnit.MILLISECONDS) : queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        }
        if (r == null) {
            throw new SocketTimeoutException("no datagram within " + soTimeoutMs + " ms on virtual port " + port);
        }
        int n = Math.min(r.data.length, p.getData().length - p.getOffset());
        System.arraycopy(r.data, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setAddress(r.from);
        p.setPort(r.port);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            node.loop().execute(() -> node.stack().unbindUdp(port));
        }
    }
}
