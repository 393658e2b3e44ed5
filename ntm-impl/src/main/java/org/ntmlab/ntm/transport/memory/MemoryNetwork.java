package org.ntmlab.ntm.transport.memory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory IPv4/IPv6 network of segments, NAT routers and hosts (in the spirit of
 * pion's vnet). It runs the same NTM code as the kernel network, in one JVM, in seconds,
 * and is the place for property tests of NAT traversal. Routing:
 * <ul>
 *   <li>same segment: delivered directly;</li>
 *   <li>global to global (same family): delivered directly (the Internet);</li>
 *   <li>from a private segment: through its NAT router, then onward from the outside;</li>
 *   <li>to a router's outside address: the router's mapping and filtering decide;</li>
 *   <li>from a private segment to its own router's outside address: hairpinning, if the router
 *       has it (otherwise dropped).</li>
 * </ul>
 */
public final class MemoryNetwork implements AutoCloseable {

    private final Map<String, Segment> segments = new HashMap<>();
    private final Map<String, MemoryHost> hosts = new HashMap<>();
    private final Map<InetAddress, Object> owners = new HashMap<>(); // address -> MemoryHost or NatRouter
    private final Map<InetAddress, Segment> segmentOf = new HashMap<>();
    private final Random random;
    private final long seed;
    private final ScheduledExecutorService delayer;
    private final long startNanos = System.nanoTime();

    /** Sees every datagram that reaches a host, as it arrives (after NAT translation). */
    @FunctionalInterface
    public interface Tap {
        void onDatagram(String host, InetSocketAddress src, InetSocketAddress dst, byte[] payload);
    }

    private final java.util.List<Tap> taps = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Adds a tap (a capture point for tests and traces). */
    public void tap(Tap tap) {
        taps.add(tap);
    }

    final AtomicLong delivered = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    public MemoryNetwork() {
        this(1);
    }

    public MemoryNetwork(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
        this.delayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memnet-delay");
            t.setDaemon(true);
            return t;
        });
    }

    public synchronized Segment segment(String name, boolean global) {
        if (segments.containsKey(name)) {
            throw new IllegalArgumentException("segment '" + name + "' exists");
        }
        Segment s = new Segment(name, global);
        segments.put(name, s);
        return s;
    }

    /** Connects private segment {@code inside} to {@code outside} through a NAT at {@code outsideAddress}. */
    public synchronized NatRouter natRouter(String name, Segment inside, Segment outside, String outsideAddress,
                                            NatBehaviour behaviour) {
        if (inside.gateway != null) {
            throw new IllegalArgumentException("segment " + inside + " already has router " + inside.gateway.name());
        }
        InetAddress addr = parse(outsideAddress);
        NatRouter r = new NatRouter(name, inside, outside, addr, behaviour, seed ^ name.hashCode());
        claim(addr, r, outside);
        inside.gateway = r;
        return r;
    }

    public synchronized MemoryHost host(String name) {
        if (hosts.containsKey(name)) {
            throw new IllegalArgumentException("host '" + name + "' exists");
        }
        MemoryHost h = new MemoryHost(this, name);
        hosts.put(name, h);
        return h;
    }

    /** Datagrams delivered to an endpoint so far. */
    public long delivered() {
        return delivered.get();
    }

    /** Datagrams lost to impairment, filtering, missing routes or closed ports. */
    public long dropped() {
        return dropped.get();
    }

    synchronized void attach(MemoryHost host, Segment segment, InetAddress address) {
        claim(address, host, segment);
    }

    synchronized void detach(InetAddress address) {
        owners.remove(address);
        segmentOf.remove(address);
    }

    synchronized Segment segmentOf(InetAddress address) {
        return segmentOf.get(address);
    }

    private void claim(InetAddress addr, Object owner, Segment segment) {
        if (owners.containsKey(addr)) {
            throw new IllegalArgumentException("address " + addr.getHostAddress() + " is already in use");
        }
        owners.put(addr, owner);
        segmentOf.put(addr, segment);
    }

    long nowMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Sends {@code d} from a host on {@code from}. */
    void send(Segment from, Datagram d) {
        route(from, d, 0);
    }

    private void route(Segment from, Datagram d, int hops) {
        if (hops > 8) {
            dropped.incrementAndGet();
            return;
        }
        Object owner;
        Segment dstSeg;
        synchronized (this) {
            owner = owners.get(d.dst().getAddress());
            dstSeg = segmentOf.get(d.dst().getAddress());
        }
        if (owner == null) {
            dropped.incrementAndGet();
            return;
        }
        if (dstSeg == from || (from.isGlobal() && dstSeg.isGlobal())) {
            arrive(dstSeg, owner, d, hops);
        } else if (from.gateway != null && owner == from.gateway) {
            // to the NAT's own outside address from inside: hairpinning, or nothing
            Datagram in = from.gateway.hairpin(d, nowMs());
            if (in == null) {
                dropped.incrementAndGet();
            } else {
                route(from, in, hops + 1);
            }
        } else if (from.gateway != null) {
            NatRouter r = from.gateway;
            route(r.outside(), r.outbound(d, nowMs()), hops + 1);
        } else {
            dropped.incrementAndGet();
        }
    }

    /** Applies the destination segment's impairment, then hands the datagram to its owner. */
    private void arrive(Segment seg, Object owner, Datagram d, int hops) {
        Impairment imp = seg.impairment();
        if (imp.isNone()) {
            hand(owner, d, hops);
            return;
        }
        double loss;
        double delay;
        boolean dup;
        synchronized (random) {
            loss = random.nextDouble();
            delay = imp.delayMs() + imp.jitterMs() * random.nextDouble();
            if (random.nextDouble() < imp.reorder()) {
                delay += 2 * imp.delayMs() + 1;
            }
            dup = random.nextDouble() < imp.duplicate();
        }
        if (loss < imp.loss()) {
            dropped.incrementAndGet();
            return;
        }
        for (int copies = dup ? 2 : 1; copies > 0; copies--) {
            if (delay <= 0) {
                hand(owner, d, hops);
            } else {
                delayer.schedule(() -> hand(owner, d, hops), (long) (delay * 1000), TimeUnit.MICROSECONDS);
            }
        }
    }

    private void hand(Object owner, Datagram d, int hops) {
        if (owner instanceof MemoryHost h) {
            for (Tap t : taps) {
                t.onDatagram(h.name(), d.src(), d.dst(), d.payload());
            }
            if (!h.deliver(d)) {
                dropped.incrementAndGet();
            }
        } else {
            NatRouter r = (NatRouter) owner;
            Datagram in = r.inbound(d, nowMs());
            if (in == null) {
                dropped.incrementAndGet();
            } else {
                route(r.inside(), in, hops + 1);
            }
        }
    }

    static InetAddress parse(String literal) {
        try {
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP address literal: " + literal);
            }
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }


    @Override
    public void close() {
        delayer.shutdownNow();
    }
}
