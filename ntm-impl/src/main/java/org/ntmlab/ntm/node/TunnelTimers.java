package org.ntmlab.ntm.node;

import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.PROBE_INTERVAL_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.PROBE_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.RELAY_BIND_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.RELAY_BIND_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_REQUEST_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_DEAD_PROBES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_DOWN_EXPIRY_SECONDS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_LIVENESS_TICK_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_REQUEST_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.TUNNEL_SETUP_TIMEOUT_SECONDS;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.ntmlab.ntm.wire.MessageType;

/**
 * What a tunnel sends on its own, by timer or event rather than for the application: the
 * RELAY_BIND retransmission to the RS and the opener's TUNNEL_REQUEST retransmission (paper
 * section 3.2: the DC directs, both ends build the UDP tunnel, through an RS when they cannot
 * reach each other), route-optimisation PROBEs toward the peer's NAT mapping
 * (docs/protocol.md "Route optimisation"), the keepalive PROBE of up tunnels, and the move
 * notices that resume data at once after this node moved (paper section 4.2), and the
 * liveness check that declares a silent tunnel DOWN (docs/protocol.md "Tunnel liveness").
 * Each timer has its own slot on the {@link Tunnel}. Loop-thread only.
 */
final class TunnelTimers {

    private final NodeContext ctx;
    private final TunnelSend send;
    /** Liveness checks a tunnel may spend in set-up: {@code TUNNEL_SETUP_TIMEOUT_SECONDS} of ticks. */
    private static final int SETUP_CHECKS = (int) (TimeUnit.SECONDS.toNanos(TUNNEL_SETUP_TIMEOUT_SECONDS)
            / TUNNEL_LIVENESS_TICK_NANOS);

    private final PendingResolves pending;
    private Consumer<Tunnel> onDead = t -> { };

    TunnelTimers(NodeContext ctx, TunnelSend send, PendingResolves pending) {
        this.ctx = ctx;
        this.send = send;
        this.pending = pending;
    }

    /** What a tunnel that went DOWN while it carried data triggers: a re-resolve ({@link Resolution#reresolve}). */
    void onDead(Consumer<Tunnel> action) {
        this.onDead = action;
    }

    /** Starts the liveness check, every {@code TUNNEL_LIVENESS_TICK_NANOS} until the node closes. */
    void startLiveness() {
        ctx.loop.schedule(TUNNEL_LIVENESS_TICK_NANOS, this::livenessTick);
    }

    private void livenessTick() {
        if (ctx.closed) {
            return;
        }
        long now = ctx.loop.nanoTime();
        long expiry = TimeUnit.SECONDS.toNanos(TUNNEL_DOWN_EXPIRY_SECONDS);
        for (Tunnel t : List.copyOf(ctx.tunnels.all())) {
            if (t.expired(now, expiry)) {
                ctx.tunnels.remove(t);
                ctx.event(NodeEvents.TUNNEL_REMOVED, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn
                        + " reason=expired");
                continue;
            }
            switch (t.livenessCheck(TUNNEL_DEAD_PROBES, SETUP_CHECKS, now)) {
                case PROBE -> {
                    ctx.counters.count(NodeCounter.LIVENESS_PROBES);
                    send.sendProbe(t, MessageType.PROBE, TunnelSend.KEEPALIVE_NONCE, t.target());
                }
                case DEAD -> {
                    ctx.counters.count(NodeCounter.TUNNELS_DOWN);
                    ctx.event(NodeEvents.TUNNEL_DOWN, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn
                            + " path=" + t.path() + " reason=\"no answer to " + TUNNEL_DEAD_PROBES + " liveness probes\"");
                    onDead.accept(t);
                }
                case SETUP_EXPIRED -> failTunnel(t, "still " + t.state().name().toLowerCase(java.util.Locale.ROOT)
                        + " after " + TUNNEL_SETUP_TIMEOUT_SECONDS + " s");
                case ALIVE -> { }
            }
        }
        ctx.loop.schedule(TUNNEL_LIVENESS_TICK_NANOS, this::livenessTick);
    }

    /** Starts what the state the DC's direction left {@code t} in needs: RELAY_BIND, or the opener's TUNNEL_REQUEST. */
    void directed(Tunnel t) {
        if (t.state() == Tunnel.State.BINDING) {
            relayBind(t);
        } else {
            connect(t);
        }
    }

    /** CONNECTING: the opener sends TUNNEL_REQUEST (the other end waits for it). */
    void connect(Tunnel t) {
        if (t.opener()) {
            tunnelRequest(t);
        }
    }

    private void relayBind(Tunnel t) {
        if (t.state() != Tunnel.State.BINDING) {
            return;
        }
        if (!t.relayBindRetry.tryAgain(RELAY_BIND_TRIES)) {
            failTunnel(t, "relay server " + t.relayEndpoint() + " did not answer RELAY_BIND");
            return;
        }
        send.sendRelayBind(t);
        t.relayBindRetry.scheduled(ctx.loop.schedule(RELAY_BIND_RETRY_NANOS, () -> relayBind(t)));
    }

    private void tunnelRequest(Tunnel t) {
        if (t.state() != Tunnel.State.CONNECTING) {
            return;
        }
        if (!t.requestRetry.tryAgain(TUNNEL_REQUEST_TRIES)) {
            failTunnel(t, "peer " + t.peerFqdn + " did not answer TUNNEL_REQUEST at " + t.target());
            return;
        }
        send.sendHello(t, MessageType.TUNNEL_REQUEST, t.target());
        t.requestRetry.scheduled(ctx.loop.schedule(TUNNEL_REQUEST_RETRY_NANOS, () -> tunnelRequest(t)));
    }

    private void failTunnel(Tunnel t, String reason) {
        ctx.counters.count(NodeCounter.TUNNEL_FAILURES);
        ctx.event(NodeEvents.TUNNEL_FAILED, "tunnel=" + Long.toHexString(t.id) + " reason=\"" + reason + "\"");
        pending.tunnelFailed(t, reason);
        if (t.failed(ctx.loop.nanoTime())) {
            // was up once (the set-up after a re-direction failed): DOWN, re-resolved like a dead one
            ctx.counters.count(NodeCounter.TUNNELS_DOWN);
            ctx.event(NodeEvents.TUNNEL_DOWN, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn
                    + " path=" + t.path() + " reason=\"" + reason + "\"");
            onDead.accept(t);
        } else {
            ctx.tunnels.remove(t); // never carried data: nothing refers to it
            ctx.event(NodeEvents.TUNNEL_REMOVED, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn
                    + " reason=failed");
        }
    }

    /** {@code t} is up: on a relayed tunnel between two NATed ends, start route optimisation. */
    void optimise(Tunnel t) {
        if (t.optimisable()) {
            t.probingStarted(probeNonce());
            probe(t);
        }
    }

    /**
     * A random route-optimisation nonce: never {@link TunnelSend#KEEPALIVE_NONCE} or
     * {@link TunnelSend#RESUME_NONCE}, whose PROBEs must not trigger checks at the peer.
     */
    private long probeNonce() {
        long n;
        do {
            n = ctx.random.nextLong();
        } while (n == TunnelSend.KEEPALIVE_NONCE || n == TunnelSend.RESUME_NONCE);
        return n;
    }

    /**
     * Route optimisation (docs/protocol.md): punch toward the peer's NAT mapping, and its host
     * endpoints and triggered sources (every candidate of the tunnel), once per tick.
     */
    private void probe(Tunnel t) {
        if (!t.optimisable()) {
            return;
        }
        if (!t.probeRetry.tryAgain(PROBE_TRIES)) {
            t.probeRetry.cancel(); // the round is over: a later triggered check starts another
            ctx.event(NodeEvents.OPTIMISATION_FAILED, "tunnel=" + Long.toHexString(t.id) + " peerMapped=" + t.peerMapped());
            ctx.counters.count(NodeCounter.OPTIMISATION_FAILED);
            return;
        }
        for (int i = 0; i < t.candidateCount(); i++) {
            send.sendProbe(t, MessageType.PROBE, t.probeNonce(), t.candidate(i));
        }
        t.probeRetry.scheduled(ctx.loop.schedule(PROBE_INTERVAL_NANOS, () -> probe(t)));
    }

    /**
     * A route-optimisation PROBE from {@code from}, outside the RS, reached {@code t} (it has
     * answered PROBE_ACK already). If {@code t} is still relayed, probe {@code from} too: ICE's
     * triggered check (RFC 8445 section 7.3.1.4). Behind a symmetric NAT the peer probes from a
     * mapping the DC never saw, so this end's own PROBEs to the DC-observed mapping are filtered;
     * the PROBE_ACK to this check is what proves the path for this end, so both ends switch and
     * agree. Bounded by {@link Tunnel#triggered}: each source once per direction, at most
     * {@code TRIGGERED_CHECKS_MAX}. A check that is never answered changes nothing: the tunnel
     * stays on the RS, as without it.
     */
    void triggeredCheck(Tunnel t, java.net.InetSocketAddress from) {
        if (!t.triggered(from)) {
            // A candidate already probed whose check has not succeeded yet (its first PROBE met a
            // NAT with no mapping for it yet): check it now, not at the next tick (RFC 8445 section
            // 7.3.1.4 triggers a check for a pair already in the list too), so both ends switch
            // within a round trip of each other instead of up to PROBE_INTERVAL apart.
            if (t.isUp() && t.optimisable() && t.probeRetry.pending() && t.isCandidate(from)) {
                send.sendProbe(t, MessageType.PROBE, t.probeNonce(), from);
            }
            return;
        }
        ctx.counters.count(NodeCounter.TRIGGERED_CHECKS);
        if (!t.isUp()) {
            return; // optimise() probes every candidate, this one included, once the tunnel is up
        }
        if (t.probeRetry.pending()) {
            send.sendProbe(t, MessageType.PROBE, t.probeNonce(), from); // at once; the round's ticks repeat it
        } else {
            t.probeRetry.restart(); // the round was over: another, to every candidate
            probe(t);
        }
    }

    /**
     * Every keepalive interval: a PROBE on each up tunnel keeps NAT mappings of direct paths open
     * (RFC 4787 REQ-5) and checks that an idle tunnel still works: until the PROBE_ACK comes, the
     * liveness check counts it as an unanswered probe.
     */
    void keepalive() {
        for (Tunnel t : ctx.tunnels.all()) {
            if (t.isUp()) {
                send.sendProbe(t, MessageType.PROBE, TunnelSend.KEEPALIVE_NONCE, t.target());
                t.keepaliveProbeSent();
            }
        }
    }

    /**
     * This node moved: resume data at once from the new address, in parallel with the DC's
     * re-signalling. An authenticated PROBE (the move notice) moves a direct peer's endpoint
     * (roaming), a RELAY_BIND moves our binding at the RS. Where the new position needs
     * another path, the DC's direction follows.
     */
    void resume() {
        for (Tunnel t : ctx.tunnels.all()) {
            if (!t.moved()) {
                continue;
            }
            if (t.path() == Tunnel.Path.DIRECT && t.peerEndpoint() != null) {
                t.moveNoticeSent(send.sendProbe(t, MessageType.PROBE, TunnelSend.RESUME_NONCE, t.peerEndpoint()));
            } else if (t.path() == Tunnel.Path.RELAY && t.relayEndpoint() != null && t.relayKeys() != null) {
                t.moveNoticeSent(send.sendRelayBind(t));
            }
        }
    }

    /** Whether a moved tunnel's notice did not leave (the default route came after the address). */
    boolean resumePending() {
        for (Tunnel t : ctx.tunnels.all()) {
            if (t.resume() == Tunnel.Resume.NOTICE_PENDING) {
                return true;
            }
        }
        return false;
    }
}
