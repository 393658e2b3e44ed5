package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.Family;

import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a node is on the real network, per IP family: the address the DC observed (its NAT
 * mapping if any) and whether a NAT is on the path (observed address not among the
 * addresses the node reported).
 */
public final class Position {

    /** One family's reachability. */
    public record Reach(InetSocketAddress observed, boolean natted) {
    }

    private final Map<Family, Reach> reach = new EnumMap<>(Family.class);

    public Position with(Family f, InetSocketAddress observed, boolean natted) {
        reach.put(f, new Reach(observed, natted));
        return this;
    }

    public Reach get(Family f) {
        return reach.get(f);
    }

    public boolean has(Family f) {
        return reach.containsKey(f);
    }

    public Family anyFamily() {
        return has(Family.V4) ? Family.V4 : has(Family.V6) ? Family.V6 : null;
    }

    @Override
    public String toString() {
        return reach.toString();
    }
}
