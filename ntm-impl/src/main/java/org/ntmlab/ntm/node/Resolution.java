package org.ntmlab.ntm.node;

import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.DIRECTION_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.DIRECTION_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.MAX_TUNNELS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.MAX_TUNNELS_PER_PEER;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.RERESOLVE_FIRST_BACKOFF_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.RERESOLVE_MAX_BACKOFF_NANOS;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.wire.DirectionAck;
import org.ntmlab.ntm.wire.DirectionFailure;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.HostEndpoints;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RouteDirection;

/**
 * Name resolution the NTM way (paper section 3.2): resolving the CN's FQDN sends a
 * route-direction request (DIRECTION_REQUEST) to the DC, which answers both ends with a
 * ROUTE_DIRECTION (or DIRECTION_FAILURE); this end creates or re-directs the tunnel and
 * acknowledges. Also refuses a tunnel whose peer's virtual address clashes with one in use
 * (docs/protocol.md, "Virtual addresses"). Loop-thread only.
 */
final class Resolution {

    private final NodeContext ctx;
    private final Registration registration;
    private final TunnelTimers timers;
    private final PendingResolves pending;

    Resolution(NodeContext ctx, Registration registration, TunnelTimers timers, PendingResolves pending) {
        this.ctx = ctx;
        this.registration = registration;
        this.timers = timers;
        this.pending = pending;
    }

    /** Starts resolving {@code fqdn}; {@code f} completes with the tunnel once data can flow (call on the loop). */
    void resolve(String fqdn, CompletableFuture<TunnelInfo> f) {
        String bad = badName(fqdn);
        if (bad != null) {
            // refused here, before anything is kept: a name that cannot be encoded used to throw in
            // the loop and leave its resolve pending for good (issue 11 finding 15)
            f.completeExceptionally(new IllegalArgumentException("cannot resolve '" + abbreviate(fqdn) + "': " + bad));
            return;
        }
        for (Tunnel t : ctx.tunnels.byPeer(fqdn)) {
            if (t.isUp()) {
                f.complete(t.info());
                return;
            }
        }
        if (!registration.isRegistered()) {
            f.completeExceptionally(new IOException("node " + ctx.key.fqdn() + " is not registered with its DC"));
            return;
        }
        PendingResolves.Pending p = pending.add(fqdn, f);
        ctx.event(NodeEvents.DIRECTION_REQUEST, "peer=" + fqdn + " request=" + p.requestId);
        sendDirectionRequest(p);
    }

    /** Why {@code fqdn} is not a name a DC could know ({@link org.ntmlab.ntm.wire.HostName}), or null. */
    static String badName(String fqdn) {
        return org.ntmlab.ntm.wire.HostName.problem(fqdn);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /**
     * {@code t} is DOWN and data waits for its peer (or it just died carrying data): ask the DC
     * for a new tunnel, unless a resolve of the peer runs already or the backoff says wait. The
     * new tunnel supersedes {@code t} once it is UP (docs/protocol.md "Tunnel liveness").
     */
    void reresolve(Tunnel t) {
        if (!registration.isRegistered() || pending.resolving(t.peerFqdn)
                || !t.reresolveDue(ctx.loop.nanoTime(), RERESOLVE_FIRST_BACKOFF_NANOS, RERESOLVE_MAX_BACKOFF_NANOS)) {
            return;
        }
        ctx.counters.count(NodeCounter.RERESOLVES);
        PendingResolves.Pending p = pending.add(t.peerFqdn, new CompletableFuture<>());
        ctx.event(NodeEvents.DIRECTION_REQUEST, "peer=" + t.peerFqdn + " request=" + p.requestId
                + " reason=tunnel-down tunnel=" + Long.toHexString(t.id));
        sendDirectionRequest(p);
    }

    private void sendDirectionRequest(PendingResolves.Pending p) {
        if (p.future.isDone() || p.tunnelId != 0) {
            return;
        }
        if (p.tries++ >= DIRECTION_TRIES) {
            pending.remove(p.requestId);
            p.future.completeExceptionally(new IOException("DC did not direct a path to " + p.fqdn));
            return;
        }
        Family f = ctx.signallingFamily();
        if (f == null) {
            p.future.completeExceptionally(new IOException("no real network to reach the DC"));
            return;
        }
        ctx.sendToDc(f, MessageType.DIRECTION_REQUEST, b -> new DirectionRequest(p.requestId, p.fqdn).encode(b));
        p.timer = ctx.loop.schedule(DIRECTION_RETRY_NANOS, () -> sendDirectionRequest(p));
    }

    /** ROUTE_DIRECTION from the DC on family {@code f}: acknowledge, then create or re-direct the tunnel. */
    void onRouteDirection(RouteDirection rd, Family f) {
        ctx.sendToDc(f, MessageType.ROUTE_DIRECTION_ACK, b -> new DirectionAck(rd.tunnelId(), rd.generation()).encode(b));
        Tunnel t = ctx.tunnels.get(rd.tunnelId());
        if (t != null && rd.generation() < t.generation()) {
            ctx.counters.count(NodeCounter.STALE_DIRECTION);
            return;
        }
        boolean initiator = rd.role() == RouteDirection.INITIATOR;
        if (t == null) {
            if (ctx.tunnels.size() >= MAX_TUNNELS) {
                ctx.counters.count(NodeCounter.TUNNEL_TABLE_FULL);
                ctx.event(NodeEvents.TUNNEL_REFUSED, "peer=" + rd.peerFqdn() + " reason=\"tunnel table full ("
                        + MAX_TUNNELS + ")\"");
                pending.fail(rd.requestId(), "tunnel table full");
                return;
            }
            makeRoomForOneMore(rd.peerFqdn());
            String clash = virtualAddressClash(rd);
            if (clash != null) {
                // Packets are routed to a tunnel by the peer's virtual address: a second peer
                // with the same address would get the first one's traffic (docs/protocol.md).
                ctx.counters.count(NodeCounter.VIRTUAL_ADDRESS_CLASH);
                ctx.event(NodeEvents.TUNNEL_REFUSED, "peer=" + rd.peerFqdn() + " reason=\"" + clash + "\"");
                pending.fail(rd.requestId(), clash);
                return;
            }
            t = new Tunnel(rd, usableHosts(rd), ctx.config.suite(), ctx.loop.nanoTime());
            ctx.tunnels.put(t);
        } else if (t.initiator != initiator) {
            ctx.counters.count(NodeCounter.ROLE_CHANGED); // keys are bound to the role: ignore a contradicting direction
            return;
        } else if (t.isUp() && rd.generation() == t.generation() && t.follows(rd)) {
            return; // a retransmission of what we already follow
        } else {
            t.directed(rd, usableHosts(rd));
        }
        pending.directed(rd.requestId(), t.id);
        ctx.event(NodeEvents.ROUTE_DIRECTION, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn + " role="
                + (initiator ? "initiator" : "responder") + " path=" + t.path() + " target=" + NodeEvents.format(t.target()));
        timers.directed(t);
    }

    /**
     * The peer's host endpoints in {@code rd} that route optimisation may probe: private ones
     * ({@link HostEndpoints#isPrivate}, as the DC checked), of a family we have a socket for, and
     * not one of our own addresses (two LANs behind one carrier-grade NAT may use the same
     * private addresses; a PROBE to ourselves would only fail to open).
     */
    private List<InetSocketAddress> usableHosts(RouteDirection rd) {
        if (rd.peerHosts().isEmpty()) {
            return List.of();
        }
        List<InetAddress> own = ctx.network.localAddresses();
        List<InetSocketAddress> out = new ArrayList<>(rd.peerHosts().size());
        for (InetSocketAddress h : rd.peerHosts()) {
            if (HostEndpoints.isPrivate(h.getAddress()) && ctx.endpointFor(h) != null
                    && !own.contains(h.getAddress())) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * At most {@code MAX_TUNNELS_PER_PEER} tunnels to one peer, the coming one included: the
     * oldest that is not UP goes first (then the oldest), as the DC retires a pair's oldest, so a
     * peer that keeps asking for tunnels it never opens cannot fill this node's table.
     */
    private void makeRoomForOneMore(String peer) {
        java.util.List<Tunnel> mine = ctx.tunnels.byPeer(peer);
        while (mine.size() >= MAX_TUNNELS_PER_PEER) {
            Tunnel victim = mine.stream().filter(o -> !o.isUp()).findFirst().orElse(mine.get(0));
            mine.remove(victim);
            ctx.tunnels.remove(victim);
            victim.failed(ctx.loop.nanoTime()); // stops its retries
            pending.tunnelFailed(victim, "replaced by a newer tunnel to " + peer);
            ctx.counters.count(NodeCounter.TUNNELS_SUPERSEDED);
            ctx.event(NodeEvents.TUNNEL_REMOVED, "tunnel=" + Long.toHexString(victim.id) + " peer=" + peer
                    + " reason=per-peer-limit");
        }
    }

    /** DIRECTION_FAILURE: the DC cannot direct a path; the resolve fails with its reason. */
    void onDirectionFailure(DirectionFailure df) {
        pending.fail(df.requestId(), "DC: " + df.reason());
    }

    /** Why a new tunnel to {@code rd}'s peer cannot coexist with ours, or null. */
    private String virtualAddressClash(RouteDirection rd) {
        if (rd.peerV4() != null && rd.peerV4().equals(ctx.virtualV4)
                || rd.peerV6() != null && rd.peerV6().equals(ctx.virtualV6)) {
            return "virtual address of " + rd.peerFqdn() + " is this node's own (their domains' DCs hand out"
                    + " overlapping virtual blocks)";
        }
        for (Tunnel o : ctx.tunnels.all()) {
            if (o.peerFqdn.equals(rd.peerFqdn())) {
                continue;
            }
            InetAddress same = rd.peerV4() != null && rd.peerV4().equals(o.peerV4) ? o.peerV4
                    : rd.peerV6() != null && rd.peerV6().equals(o.peerV6) ? o.peerV6 : null;
            if (same != null) {
                return "virtual address " + same.getHostAddress() + " of " + rd.peerFqdn() + " is already "
                        + o.peerFqdn + "'s (their domains' DCs hand out overlapping virtual blocks)";
            }
        }
        return null;
    }
}
