package org.ntmlab.ntm.transport.memory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Network;

/**
 * A host on the {@link MemoryNetwork}: the {@link Network} a node or server uses there.
 * It can change its addresses at run time ({@link #moveTo}), which is how mobility is
 * exercised without Docker.
 */
public final class MemoryHost implements Network {

    private final MemoryNetwork net;
    private final String name;
    private final List<InetAddress> addresses = new CopyOnWriteArrayList<>();
    private final Map<Integer, List<Endpoint>> byPort = new ConcurrentHashMap<>();
    private final List<Runnable> addressListeners = new CopyOnWriteArrayList<>();
    private int nextEphemeral = 40000;

    MemoryHost(MemoryNetwork net, String name) {
        this.net = net;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Gives this host {@code address} on {@code segment}. */
    public MemoryHost attach(Segment segment, String address) {
        InetAddress a = MemoryNetwork.parse(address);
        net.attach(this, segment, a);
        addresses.add(a);
        addressListeners.forEach(Runnable::run);
        return this;
    }

    /** Removes {@code address} from this host (leaving a segment). */
    public MemoryHost detach(String address) {
        InetAddress a = MemoryNetwork.parse(address);
        net.detach(a);
        addresses.remove(a);
        addressListeners.forEach(Runnable::run);
        return this;
    }

    /** Leaves every segment and joins {@code segment} with {@code address}: a network move. */
    public MemoryHost moveTo(Segment segment, String address) {
        for (InetAddress a : List.copyOf(addresses)) {
            net.detach(a);
            addresses.remove(a);
        }
        return attach(segment, address);
    }

    /** Called (on the caller's thread) whenever this host's addresses change. */
    public void onAddressChange(Runnable listener) {
        addressListeners.add(listener);
    }

    @Override
    public List<InetAddress> localAddresses() {
        return new ArrayList<>(addresses);
    }

    @Override
    public synchronized DatagramEndpoint open(InetSocketAddress bind, EventLoop loop,
                                              DatagramEndpoint.Receiver receiver) {
        int port = bind.getPort();
        if (port == 0) {
            while (byPort.containsKey(nextEphemeral)) {
                nextEphemeral++;
            }
            port = nextEphemeral++;
        }
        InetAddress addr = bind.getAddress();
        if (!addr.isAnyLocalAddress() && !addresses.contains(addr)) {
            throw new IllegalArgumentException(name + " has no address " + addr.getHostAddress());
        }
        Endpoint ep = new Endpoint(new InetSocketAddress(addr, port), loop, receiver);
        for (Endpoint other : byPort.getOrDefault(port, List.of())) {
            if (sameFamily(other.bound.getAddress(), addr)) {
                throw new IllegalArgumentException(name + ": port " + port + " in use");
            }
        }
        byPort.computeIfAbsent(port, p -> new CopyOnWriteArrayList<>()).add(ep);
        return ep;
    }

    /** Delivers an arriving datagram to the bound endpoint; false when no endpoint takes it. */
    boolean deliver(Datagram d) {
        List<Endpoint> eps = byPort.get(d.dst().getPort());
        if (eps == null) {
            return false;
        }
        InetAddress dst = d.dst().getAddress();
        for (Endpoint ep : eps) {
            InetAddress b = ep.bound.getAddress();
            if (b.equals(dst) || (b.isAnyLocalAddress() && sameFamily(b, dst))) {
                net.delivered.incrementAndGet();
                ep.loop.execute(() -> ep.receiver.onDatagram(ByteBuffer.wrap(d.payload()), d.src(), ep));
                return true;
            }
        }
        return false;
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private InetAddress sourceFor(InetAddress bound, InetAddress dst) {
        if (!bound.isAnyLocalAddress()) {
            return addresses.contains(bound) ? bound : null;
        }
        for (InetAddress a : addresses) {
            if (sameFamily(a, dst)) {
                return a;
            }
        }
        return null;
    }

    private final class Endpoint implements DatagramEndpoint {
        final InetSocketAddress bound;
        final EventLoop loop;
        final Receiver receiver;
        volatile boolean closed;

        Endpoint(InetSocketAddress bound, EventLoop loop, Receiver receiver) {
            this.bound = bound;
            this.loop = loop;
            this.receiver = receiver;
        }

        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            if (closed || to.getAddress() == null) {
                return false;
            }
            InetAddress src = sourceFor(bound.getAddress(), to.getAddress());
            if (src == null || !sameFamily(bound.getAddress(), to.getAddress())) {
                net.dropped.incrementAndGet(); // no address of that family: network unreachable
                return false;
            }
            Segment seg = net.segmentOf(src);
            if (seg == null) {
                net.dropped.incrementAndGet();
                return false;
            }
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            net.send(seg, new Datagram(new InetSocketAddress(src, bound.getPort()), to, copy));
            return true;
        }

        @Override
        public InetSocketAddress localAddress() {
            return bound;
        }

        @Override
        public void close() {
            closed = true;
            List<Endpoint> eps = byPort.get(bound.getPort());
            if (eps != null) {
                eps.remove(this);
            }
        }
    }
}
