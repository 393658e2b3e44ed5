package org.ntmlab.ntm.transport;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** The real network: non-blocking kernel UDP sockets served by a {@link SelectorEventLoop}. */
public final class KernelNetwork implements Network {

    /** Largest datagram we read: an inner packet of up to 1,500 bytes plus NTM overhead. */
    public static final int MAX_DATAGRAM = 2048;

    /**
     * SO_RCVBUF / SO_SNDBUF asked for each socket. The default receive queue (~208 KiB) holds
     * ~90 tunnel datagrams, and a loop descheduled for a few hundred microseconds overflows
     * it: every drop was a TCP retransmission (docs/benchmarks.md). Linux caps this at
     * net.core.rmem_max / wmem_max.
     */
    public static final int SOCKET_BUFFER = 4 * 1024 * 1024;

    private final int socketBuffer;

    /** Sockets with {@link #SOCKET_BUFFER}-byte buffers. */
    public KernelNetwork() {
        this(SOCKET_BUFFER);
    }

    /** Sockets with {@code socketBuffer}-byte SO_RCVBUF/SO_SNDBUF; 0 keeps the kernel's defaults. */
    public KernelNetwork(int socketBuffer) {
        this.socketBuffer = socketBuffer;
    }

    @Override
    public DatagramEndpoint open(InetSocketAddress bind, EventLoop loop, DatagramEndpoint.Receiver receiver)
            throws IOException {
        if (!(loop instanceof SelectorEventLoop sel)) {
            throw new IllegalArgumentException("kernel sockets need a SelectorEventLoop");
        }
        DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        if (socketBuffer > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
        }
        ch.bind(bind);
        KernelEndpoint ep = new KernelEndpoint(ch, receiver);
        try {
            sel.register(ch, ep::onReadable).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
            throw new IOException("interrupted while registering " + bind, e);
        } catch (ExecutionException e) {
            ch.close();
            throw new IOException("cannot register " + bind, e.getCause());
        }
        return ep;
    }

    private static final boolean IPV6 = probeIpv6();

    private static boolean probeIpv6() {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // kernel without IPv6
        }
    }

    @Override
    public boolean dualStackSockets() {
        return IPV6;
    }

    @Override
    public List<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (!a.isLinkLocalAddress() && !a.isMulticastAddress()) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            // an interface vanished while we looked (a move): report what we saw
        }
        return out;
    }

    private static final class KernelEndpoint implements DatagramEndpoint {
        private final DatagramChannel channel;
        private final Receiver receiver;
        private final ByteBuffer rx = ByteBuffer.allocate(MAX_DATAGRAM); // heap: crypto reads it next
        private final InetSocketAddress local;
        private long sendErrors;

        KernelEndpoint(DatagramChannel channel, Receiver receiver) throws IOException {
            this.channel = channel;
            this.receiver = receiver;
            this.local = (InetSocketAddress) channel.getLocalAddress();
        }

        void onReadable(SelectionKey key) {
            try {
                for (int i = 0; i < 64; i++) { // bounded batch so timers and tasks still run
                    rx.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(rx);
                    if (from == null) {
                        return;
                    }
                    rx.flip();
                    receiver.onDatagram(rx, from, this);
                }
            } catch (IOException e) {
                // ICMP port unreachable surfaces here on some kernels; the socket stays usable
            }
        }

        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            try {
                return channel.send(payload, to) > 0;
            } catch (IOException | RuntimeException e) {
                sendErrors++; // unreachable network during a move, family mismatch...
                return false;
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
