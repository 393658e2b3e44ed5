package org.ntmlab.bench;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.ExecutionException;

import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.transport.SelectorEventLoop;

/**
 * What-if for {@code TcpReport --what-if}: {@code KernelNetwork} as it is (same calls, same
 * heap buffers, same 64-datagram read batches) except that every socket asks for
 * {@code SO_RCVBUF}/{@code SO_SNDBUF} of {@link #bufferBytes} (Linux caps the request at
 * net.core.rmem_max / wmem_max and doubles it for bookkeeping). The default receive queue
 * (212,992 bytes, about 90 tunnel datagrams of kernel truesize) overflows whenever a loop is
 * descheduled for a few hundred microseconds, which the inner TCP sees as loss.
 */
final class BufferedKernelNetwork implements Network {

    final int bufferBytes;
    private final KernelNetwork plain = new KernelNetwork();

    BufferedKernelNetwork(int bufferBytes) {
        this.bufferBytes = bufferBytes;
    }

    @Override
    public DatagramEndpoint open(InetSocketAddress bind, EventLoop loop, DatagramEndpoint.Receiver receiver)
            throws IOException {
        DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
        ch.bind(bind);
        Endpoint ep = new Endpoint(ch, receiver);
        try {
            ((SelectorEventLoop) loop).register(ch, ep::onReadable).get();
        } catch (InterruptedException | ExecutionException e) {
            ch.close();
            throw new IOException("cannot register " + bind, e);
        }
        return ep;
    }

    @Override
    public List<InetAddress> localAddresses() {
        return plain.localAddresses();
    }

    @Override
    public boolean dualStackSockets() {
        return plain.dualStackSockets();
    }

    private static final class Endpoint implements DatagramEndpoint {
        private final DatagramChannel channel;
        private final Receiver receiver;
        private final ByteBuffer rx = ByteBuffer.allocate(KernelNetwork.MAX_DATAGRAM);
        private final InetSocketAddress local;

        Endpoint(DatagramChannel channel, Receiver receiver) throws IOException {
            this.channel = channel;
            this.receiver = receiver;
            this.local = (InetSocketAddress) channel.getLocalAddress();
        }

        void onReadable(SelectionKey key) {
            try {
                for (int i = 0; i < 64; i++) {
                    rx.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(rx);
                    if (from == null) {
                        return;
                    }
                    rx.flip();
                    receiver.onDatagram(rx, from, this);
                }
            } catch (IOException e) {
                // as KernelNetwork: the socket stays usable
            }
        }

        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            try {
                return channel.send(payload, to) > 0;
            } catch (IOException | RuntimeException e) {
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
