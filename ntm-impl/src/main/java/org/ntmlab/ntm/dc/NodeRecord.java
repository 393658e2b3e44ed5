package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.Family;

/**
 * A node registered at this DC (paper section 3.2: it registers its real addresses and gets
 * virtual ones): its key (paper 3.1: the AS hands the DC and the node a shared key), where the
 * DC saw it per family, and the tunnels it is an end of. Owned by {@link NodeRegistry}; the
 * tunnel lists are kept by {@link RouteDirections} and {@link InterDomainCn}.
 */
final class NodeRecord extends End {

    /** One family's registration: where the DC saw the node and through which socket. */
    record Binding(InetSocketAddress observed, boolean natted, DatagramEndpoint via, long lastSeenNanos) {
    }

    final long keyId;
    final Association assoc;
    final Map<Family, Binding> bindings = new EnumMap<>(Family.class);
    /** Tunnels this DC directs that this node is an end of. */
    final List<PendingTunnel> tunnels = new ArrayList<>();
    /** Tunnels other DCs own whose CN this node is. */
    final List<ForeignTunnel> foreign = new ArrayList<>();
    /** Host endpoints from the last REGISTER, checked ({@link NodeRegistry#onRegister}). */
    List<InetSocketAddress> hostEndpoints = List.of();

    NodeRecord(long keyId, String fqdn, InetAddress v4, InetAddress v6, Association assoc) {
        super(fqdn, v4, v6);
        this.keyId = keyId;
        this.assoc = assoc;
    }

    /** From the bindings: where the DC saw the node last, per family. */
    @Override
    Position position() {
        Position p = new Position();
        bindings.forEach((f, b) -> p.with(f, b.observed, b.natted));
        return p;
    }

    @Override
    List<InetSocketAddress> hostEndpoints() {
        return hostEndpoints;
    }

    Binding latestBinding() {
        Binding best = null;
        for (Binding b : bindings.values()) {
            if (best == null || b.lastSeenNanos > best.lastSeenNanos) {
                best = b;
            }
        }
        return best;
    }
}
