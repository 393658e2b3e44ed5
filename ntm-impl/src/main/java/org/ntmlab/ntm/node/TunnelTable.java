package org.ntmlab.ntm.node;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.ntmlab.ntm.stack.Ip;

/**
 * The node's tunnels, found by tunnel id (inbound) or by the inner packet's virtual
 * destination (outbound), both without allocation. Loop-thread only. A node has few
 * tunnels, so outbound lookup is a scan comparing addresses in place.
 */
final class TunnelTable {

    private Tunnel[] byId = new Tunnel[16]; // open addressing, linear probing; ids are random
    private int size;
    private final List<Tunnel> all = new ArrayList<>();

    Tunnel get(long id) {
        int mask = byId.length - 1;
        for (int i = mix(id) & mask; ; i = (i + 1) & mask) {
            Tunnel t = byId[i];
            if (t == null || t.id == id) {
                return t;
            }
        }
    }

    void put(Tunnel t) {
        if (get(t.id) != null) {
            throw new IllegalStateException("tunnel " + Long.toHexString(t.id) + " exists");
        }
        if ((size + 1) * 2 > byId.length) {
            Tunnel[] old = byId;
            byId = new Tunnel[old.length * 2];
            size = 0;
            for (Tunnel o : old) {
                if (o != null) {
                    insert(o);
                }
            }
        }
        insert(t);
        all.add(t);
    }

    /**
     * Removes {@code t} (superseded, expired, or never up and failed). Rebuilds the id index:
     * removal is rare (a few per re-resolve) and linear probing has no cheap delete.
     */
    void remove(Tunnel t) {
        if (!all.remove(t)) {
            return;
        }
        byId = new Tunnel[byId.length];
        size = 0;
        for (Tunnel o : all) {
            insert(o);
        }
    }

    int size() {
        return all.size();
    }

    private void insert(Tunnel t) {
        int mask = byId.length - 1;
        int i = mix(t.id) & mask;
        while (byId[i] != null) {
            i = (i + 1) & mask;
        }
        byId[i] = t;
        size++;
    }

    /** The tunnel whose peer owns the destination of the inner packet at {@code at}, or null. */
    Tunnel forDestination(ByteBuffer p, int at) {
        boolean v4 = Ip.version(p, at) == 4;
        Tunnel best = null;
        for (int i = 0, n = all.size(); i < n; i++) {
            Tunnel t = all.get(i);
            if (Ip.dstEquals(p, at, v4 ? t.peerV4Bytes : t.peerV6Bytes)
                    && (best == null || t.isUp())) {
                best = t; // several tunnels to one peer after a re-resolve: prefer one that is up
            }
        }
        return best;
    }

    /** Tunnels to {@code fqdn}, newest last. */
    List<Tunnel> byPeer(String fqdn) {
        List<Tunnel> out = new ArrayList<>();
        for (Tunnel t : all) {
            if (t.peerFqdn.equalsIgnoreCase(fqdn)) {
                out.add(t);
            }
        }
        return out;
    }

    List<Tunnel> all() {
        return all;
    }

    private static int mix(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
