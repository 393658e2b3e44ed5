package org.ntmlab.mobility;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * A capture at one node, as the paper took with Wireshark at the MN (section 5.3): what the
 * node sends, with its own (private) source address before any NAT, and what reaches it,
 * after NAT translation. Outbound datagrams are seen by wrapping the host's {@link Network}
 * ({@link #wrap}); inbound ones by a {@link MemoryNetwork.Tap} on the host's name.
 * Written as a classic pcap (Ethernet, nanoseconds) with the real addresses and ports.
 */
public final class NodeCapture implements MemoryNetwork.Tap {

    private static final String NODE_MAC = "02:00:00:00:00:0a";
    private static final String GATEWAY_MAC = "02:00:00:00:00:01";

    private record Frame(long nanos, InetSocketAddress src, InetSocketAddress dst, byte[] payload, boolean outbound) {
    }

    private final String hostName;
    private final List<Frame> frames = new ArrayList<>();

    public NodeCapture(String hostName) {
        this.hostName = hostName;
    }

    /** Captures what {@code host} sends; give the result to the node instead of the host. */
    public Network wrap(MemoryHost host) {
        return new Network() {
            @Override
            public DatagramEndpoint open(InetSocketAddress bind, EventLoop loop, DatagramEndpoint.Receiver receiver) {
                return new CapturedEndpoint(host, host.open(bind, loop, receiver));
            }

            @Override
            public List<InetAddress> localAddresses() {
                return host.localAddresses();
            }
        };
    }

    @Override
    public void onDatagram(String host, InetSocketAddress src, InetSocketAddress dst, byte[] payload) {
        if (host.equals(hostName)) {
            add(new Frame(WallClock.nanos(), src, dst, payload.clone(), false));
        }
    }

    private synchronized void add(Frame f) {
        frames.add(f);
    }

    public synchronized int size() {
        return frames.size();
    }

    /** Writes every frame so far, in time order, to {@code file}. */
    public void writePcap(Path file) throws IOException {
        List<Frame> copy;
        synchronized (this) {
            copy = new ArrayList<>(frames);
        }
        copy.sort(Comparator.comparingLong(Frame::nanos));
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            for (Frame f : copy) {
                String srcMac = f.outbound() ? NODE_MAC : GATEWAY_MAC;
                String dstMac = f.outbound() ? GATEWAY_MAC : NODE_MAC;
                w.write(f.nanos(), SyntheticPackets.udpFrame(srcMac, dstMac, f.src(), f.dst(), f.payload()));
            }
        }
    }

    /** The host's endpoint, recording each datagram the network accepted. */
    private final class CapturedEndpoint implements DatagramEndpoint {
        private final MemoryHost host;
        private final DatagramEndpoint delegate;

        CapturedEndpoint(MemoryHost host, DatagramEndpoint delegate) {
            this.host = host;
            this.delegate = delegate;
        }

        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            long now = WallClock.nanos();
            byte[] copy = new byte[payload.remaining()];
            payload.duplicate().get(copy);
            InetAddress src = sourceFor(to.getAddress());
            boolean sent = delegate.send(payload, to);
            if (sent && src != null) {
                add(new Frame(now, new InetSocketAddress(src, delegate.localAddress().getPort()), to, copy, true));
            }
            return sent;
        }

        /** The source address the host uses towards {@code dst}, as MemoryHost picks it. */
        private InetAddress sourceFor(InetAddress dst) {
            InetAddress bound = delegate.localAddress().getAddress();
            if (!bound.isAnyLocalAddress()) {
                return bound;
            }
            for (InetAddress a : host.localAddresses()) {
                if ((a instanceof Inet4Address) == (dst instanceof Inet4Address)) {
                    return a;
                }
            }
            return null;
        }

        @Override
        public InetSocketAddress localAddress() {
            return delegate.localAddress();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
