package org.ntmlab.ntm.transport.memory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A NAPT between a private segment and an outer one, with RFC 4787 mapping, filtering,
 * hairpinning, port preservation and mapping timeout ({@link NatBehaviour}).
 * All methods run under the {@link MemoryNetwork}'s lock.
 */
public final class NatRouter {

    private final String name;
    private final Segment inside;
    private final Segment outside;
    private final InetAddress outsideAddress;
    private final NatBehaviour behaviour;
    private final Random random;

    /** mapping key (depends on the mapping behaviour) -> mapping. */
    private final Map<String, Mapping> byKey = new HashMap<>();
    private final Map<Integer, Mapping> byExternalPort = new HashMap<>();
    private int nextPort = 20000;
    private long filteredInbound;
    private long expiredMappings;
    private long hairpinDropped;

    NatRouter(String name, Segment inside, Segment outside, InetAddress outsideAddress, NatBehaviour behaviour,
              long seed) {
        this.name = name;
        this.inside = inside;
        this.outside = outside;
        this.outsideAddress = outsideAddress;
        this.behaviour = behaviour;
        this.random = new Random(seed);
    }

    public String name() {
        return name;
    }

    public Segment inside() {
        return inside;
    }

    public Segment outside() {
        return outside;
    }

    public InetAddress outsideAddress() {
        return outsideAddress;
    }

    public NatBehaviour behaviour() {
        return behaviour;
    }

    /** Inbound datagrams dropped by the filtering rule (RFC 4787 section 5). */
    public synchronized long filteredInbound() {
        return filteredInbound;
    }

    /** Datagrams from inside to this NAT's outside address that were not hairpinned (see {@link #hairpin}). */
    public synchronized long hairpinDropped() {
        return hairpinDropped;
    }

    /** Mappings forgotten because they were idle longer than the mapping timeout. */
    public synchronized long expiredMappings() {
        return expiredMappings;
    }

    /** The external port of the live mapping an inside endpoint uses towards {@code remote}, if any. */
    public synchronized java.util.OptionalInt externalPort(InetSocketAddress internal, InetSocketAddress remote,
                                                           long nowMs) {
        Mapping m = byKey.get(mappingKey(internal, remote));
        return m == null || expired(m, nowMs) ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(m.externalPort);
    }

    /**
     * Forgets every mapping, as a NAT router that rebooted or whose connection-tracking table was
     * flushed ({@code conntrack -F}): inbound traffic is filtered until the inside sends out again.
     * Returns how many mappings there were.
     */
    public synchronized int flushMappings() {
        int n = byKey.size();
        byKey.clear();
        byExternalPort.clear();
        return n;
    }

    /** Outbound translation: returns the datagram as it leaves on the outside segment. */
    synchronized Datagram outbound(Datagram d, long nowMs) {
        String key = mappingKey(d.src(), d.dst());
        Mapping m = byKey.get(key);
        if (m != null && expired(m, nowMs)) {
            remove(m);
            expiredMappings++;
            m = null;
        }
        if (m == null) {
            m = new Mapping(key, d.src(), allocatePort(d.src().getPort()));
            byKey.put(key, m);
            byExternalPort.put(m.externalPort, m);
        }
        m.lastUsedMs = nowMs; // RFC 4787 REQ-6: outbound refreshes the mapping
        m.contacted.add(d.dst().getAddress().getHostAddress());
        m.contacted.add(d.dst().toString());
        return d.withSrc(new InetSocketAddress(outsideAddress, m.externalPort));
    }

    /** Inbound translation: the datagram for the inside host, or null if filtered or unmapped. */
    synchronized Datagram inbound(Datagram d, long nowMs) {
        Mapping m = byExternalPort.get(d.dst().getPort());
        if (m == null || expired(m, nowMs)) {
            filteredInbound++;
            return null;
        }
        boolean allowed = switch (behaviour.filtering()) {
            case ENDPOINT_INDEPENDENT -> true;
            case ADDRESS_DEPENDENT -> m.contacted.contains(d.src().getAddress().getHostAddress());
            case ADDRESS_AND_PORT_DEPENDENT -> m.contacted.contains(d.src().toString());
        };
        if (!allowed) {
            filteredInbound++;
            return null;
        }
        return d.withDst(m.internal);
    }

    /**
     * Hairpinning (RFC 4787 section 6): {@code d} came from inside, addressed to this NAT's own
     * outside address. With hairpinning on, it is translated as outbound (its source becomes the
     * sender's mapping, REQ-9) and handed to the inside endpoint of the mapping it addresses,
     * without filtering (it never crossed the outside); returns null when hairpinning is off or
     * no live mapping has that port.
     */
    synchronized Datagram hairpin(Datagram d, long nowMs) {
        if (!behaviour.hairpinning()) {
            hairpinDropped++;
            return null;
        }
        Datagram out = outbound(d, nowMs);
        Mapping m = byExternalPort.get(out.dst().getPort());
        if (m == null || expired(m, nowMs)) {
            hairpinDropped++;
            return null;
        }
        return out.withDst(m.internal);
    }

    private boolean expired(Mapping m, long nowMs) {
        return nowMs - m.lastUsedMs > behaviour.mappingTimeout().toMillis();
    }

    private String mappingKey(InetSocketAddress internal, InetSocketAddress remote) {
        return switch (behaviour.mapping()) {
            case ENDPOINT_INDEPENDENT -> internal.toString();
            case ADDRESS_DEPENDENT -> internal + ">" + remote.getAddress().getHostAddress();
            case ADDRESS_AND_PORT_DEPENDENT -> internal + ">" + remote;
        };
    }

    private int allocatePort(int internalPort) {
        if (behaviour.portPreservation() && internalPort > 0 && !byExternalPort.containsKey(internalPort)) {
            return internalPort;
        }
        for (int i = 0; i < 40000; i++) {
            int p = behaviour.portPreservation() ? nextPort++ : 10000 + random.nextInt(50000);
            if (nextPort > 65000) {
                nextPort = 20000;
            }
            if (!byExternalPort.containsKey(p)) {
                return p;
            }
        }
        throw new IllegalStateException("NAT " + name + " is out of ports");
    }

    private void remove(Mapping m) {
        byKey.remove(m.key);
        byExternalPort.remove(m.externalPort);
    }

    private static final class Mapping {
        final String key;
        final InetSocketAddress internal;
        final int externalPort;
        final Set<String> contacted = new HashSet<>();
        long lastUsedMs;

        Mapping(String key, InetSocketAddress internal, int externalPort) {
            this.key = key;
            this.internal = internal;
            this.externalPort = externalPort;
        }
    }
}
