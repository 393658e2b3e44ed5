package org.ntmlab.ntm.dc;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Every tunnel this DC knows, by tunnel id: those it directs ({@link PendingTunnel}, also by
 * the DIRECTION_REQUEST that asked for them) and, as DCcn, those another domain's DC directs
 * whose CN is ours ({@link ForeignTunnel}). One id space: an id is made once, by the DC that
 * directs the tunnel (paper section 3.2; docs/architecture.md "Several domains"), and must not
 * collide with either kind here. Used on the DC's event loop only.
 */
final class Tunnels {

    /** Tunnels this DC directs. */
    final Map<Long, PendingTunnel> owned = new HashMap<>();
    /** The same tunnels by MN key id + "/" + request id, to answer a retransmitted request. */
    final Map<String, PendingTunnel> byRequest = new HashMap<>();
    /** As DCcn: tunnels another DC owns whose CN is one of our nodes. */
    final Map<Long, ForeignTunnel> foreign = new HashMap<>();
    private final SecureRandom random;

    Tunnels(SecureRandom random) {
        this.random = random;
    }

    /** True when {@code id} names a tunnel here, of either kind. */
    boolean inUse(long id) {
        return owned.containsKey(id) || foreign.containsKey(id);
    }

    /**
     * Forgets {@code t}: its retransmissions stop, it leaves every index and its ends' lists,
     * and its RS carries one tunnel less. Returns the RS whose load dropped, or null.
     */
    RelayState retire(PendingTunnel t) {
        t.close();
        owned.remove(t.id);
        byRequest.values().removeIf(o -> o == t);
        t.mn.tunnels.remove(t);
        if (t.cn != null) {
            t.cn.tunnels.remove(t);
        }
        if (t.relay != null && t.relay.load > 0) {
            t.relay.load--;
            return t.relay;
        }
        return null;
    }

    /** A fresh random tunnel id, not 0 and not in use here. */
    long newTunnelId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || inUse(id));
        return id;
    }
}
