package org.ntmlab.ntm.dc;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RelayAuthorise;

/**
 * The DC's side of relaying (paper section 3.1: the RS relays when the ends cannot talk
 * directly; section 3.2: several RSs may be installed and the DC picks a suitable one each
 * time). Owns the {@link RelayState}s, the RS choice (least-loaded RS serving both families,
 * docs/architecture.md "Path rules"), the relay secret of a tunnel, and RELAY_AUTHORISE,
 * retransmitted until the RS acks; then {@link RouteDirections} directs the ends. An RS that
 * never answers fails the MN's request. Used on the DC's event loop only.
 */
final class RelayAuthorisation {

    private final EventLoop loop;
    private final SecureRandom random;
    private final Outbox outbox;
    private final Map<Family, DatagramEndpoint> endpoints;
    private final Counters counters;
    private final Tunnels tunnels;
    private final RouteDirections routes;
    private final Map<Long, RelayState> relays = new HashMap<>();

    /** @param endpoints the DC's signalling sockets by family (filled when they open) */
    RelayAuthorisation(DcConfig config, EventLoop loop, SecureRandom random, Outbox outbox,
                       Map<Family, DatagramEndpoint> endpoints, Counters counters, Tunnels tunnels,
                       RouteDirections routes) {
        this.loop = loop;
        this.random = random;
        this.outbox = outbox;
        this.endpoints = endpoints;
        this.counters = counters;
        this.tunnels = tunnels;
        this.routes = routes;
        for (RelayInfo r : config.relays()) {
            relays.put(r.id(), new RelayState(r, Association.longLived(config.suite(), r.secret(), KeyLabels.DC_TO_RS,
                    KeyLabels.RS_TO_DC)));
        }
    }

    /** The RS with key id {@code relayId}, or null. */
    RelayState relay(long relayId) {
        return relays.get(relayId);
    }

    /** The least-loaded RS that serves both families, or null. */
    RelayState choose(Family a, Family b) {
        RelayState best = null;
        for (RelayState r : relays.values()) {
            if (r.info.serves(a) && r.info.serves(b) && (best == null || r.load < best.load)) {
                best = r;
            }
        }
        return best;
    }

    /** {@code t} goes through {@code t.relay}: draws its relay secret and counts the load. */
    void assign(PendingTunnel t) {
        random.nextBytes(t.relaySecret);
        t.relay.load++;
    }

    /**
     * A move re-decided {@code t} onto a relay path {@code d}: keeps its RS if it serves both
     * families, else chooses one. False (counted) when none serves them.
     */
    boolean keepOrChoose(PendingTunnel t, PathDecision d) {
        if (t.relay == null) {
            t.relay = choose(d.mnFamily(), d.cnFamily());
            if (t.relay == null) {
                counters.count(DcCounter.REDIRECT_NO_RELAY);
                return false;
            }
            assign(t);
        } else if (!(t.relay.info.serves(d.mnFamily()) && t.relay.info.serves(d.cnFamily()))) {
            t.relay = choose(d.mnFamily(), d.cnFamily());
            if (t.relay == null) {
                counters.count(DcCounter.REDIRECT_NO_RELAY);
                return false;
            }
        }
        return true;
    }

    /** Sends RELAY_AUTHORISE for {@code t} to its RS until the RS acks. */
    void authorise(PendingTunnel t) {
        authorise(t, 0);
    }

    private void authorise(PendingTunnel t, int attempt) {
        if (t.relayGrant() == PendingTunnel.RelayGrant.GRANTED || t.closed()) {
            return;
        }
        if (attempt >= Dc.MAX_RETRANSMITS) {
            counters.count(DcCounter.RELAY_UNREACHABLE);
            routes.fail(t.mn, t.requestId, "relay server " + t.relay.info.id() + " did not answer");
            return;
        }
        RelayInfo ri = t.relay.info;
        Family f = ri.serves(Family.V4) && endpoints.containsKey(Family.V4) ? Family.V4 : Family.V6;
        DatagramEndpoint via = endpoints.get(f);
        if (via == null || ri.address(f) == null) {
            routes.fail(t.mn, t.requestId, "DC has no socket toward relay server " + ri.id());
            return;
        }
        outbox.send(via, ri.address(f), t.relay.assoc.send(), MessageType.RELAY_AUTHORISE, 0, ri.id(),
                b -> new RelayAuthorise(t.id, t.relaySecret, Dc.RELAY_LIFETIME_SECONDS).encode(b));
        loop.schedule(Dc.RETRANSMIT_NANOS, () -> authorise(t, attempt + 1));
    }

    /** RELAY_AUTHORISE_ACK for {@code tunnelId} (opened by {@link SignallingReceiver}): direct the ends. */
    void onAuthoriseAck(long tunnelId) {
        PendingTunnel t = tunnels.owned.get(tunnelId);
        if (t != null && t.relayGranted()) {
            routes.startDirections(t);
        }
    }
}
