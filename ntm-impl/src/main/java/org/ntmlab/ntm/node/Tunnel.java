package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.wire.RouteDirection;

/**
 * One NTM tunnel of this node (paper section 3.2, "UDP tunnel"): identified by the id the DC
 * chose, not by real addresses, so it survives moves of either end (paper section 4.2).
 * Loop-thread only.
 *
 * <p>The tunnel owns its state machine; callers report events and the tunnel checks the
 * current state before it changes anything:
 *
 * <pre>
 * event                       message          in state                       then
 * directed(rd)                ROUTE_DIRECTION  new, any                       BINDING (relay) / CONNECTING (direct)
 * relayBound()                RELAY_BIND_ACK   BINDING                        CONNECTING
 * responseReceived(now)       TUNNEL_RESPONSE  any (opener)                   UP
 * requestAnswered(now)        TUNNEL_REQUEST   CONNECTING, UP (responder)     UP; BINDING stays
 * trafficAfterRedirection()   any other        CONNECTING, responder up once  UP
 * probeAcked(from)            PROBE_ACK        relayed, peer NATed, not yet   path := DIRECT (route optimisation)
 * triggered(from)             PROBE (random)   relayed, peer NATed, not yet   from joins the probe candidates
 * peerSeenAt(from, newest)    any              direct path                    peer endpoint := from (roaming)
 * livenessCheck(now)          (1 s tick)       UP, nothing heard, probes out  DOWN after TUNNEL_DEAD_PROBES
 * failed()                    (retries spent)  BINDING, CONNECTING, was up    DOWN (never up: removed by the caller)
 * heard()                     any authentic.   DOWN                           UP (revived: the peer was only away)
 * </pre>
 *
 * A DOWN tunnel carries no data; the next packet to its peer re-resolves through the DC, whose
 * new tunnel supersedes this one when it is UP (docs/protocol.md "Tunnel liveness").
 *
 * Orthogonal to it, the {@link Resume} sub-state says whether this end moved and still waits
 * for proof that the path works again: {@link #moved()} (a tunnel that was up once) makes it
 * NOTICE_PENDING, {@link #moveNoticeSent} NOTICE_SENT once the notice left, {@link #resumed()}
 * NONE.
 *
 * <p>One retry slot per purpose ({@link #relayBindRetry}, {@link #requestRetry},
 * {@link #probeRetry}): cancelling one never cancels another.
 */
final class Tunnel {

    /** Life cycle of a tunnel at one end. */
    enum State {
        /** Relay path: binding our address at the RS (RELAY_BIND until RELAY_BIND_ACK). */
        BINDING,
        /** Initiator waiting for TUNNEL_RESPONSE, or responder waiting for TUNNEL_REQUEST. */
        CONNECTING,
        /** Data flows. */
        UP,
        /**
         * No authenticated packet answered {@code TUNNEL_DEAD_PROBES} liveness probes (the peer or
         * the RS restarted or is cut off), or the set-up after a re-direction failed.
         */
        DOWN
    }

    /** What a liveness check found. */
    enum Liveness {
        /** Heard from the peer since the last check, or nothing to check. */
        ALIVE,
        /** Nothing heard while a probe or data was out: send a liveness PROBE. */
        PROBE,
        /** The probes went unanswered: the tunnel is DOWN now. */
        DEAD,
        /** Still BINDING or CONNECTING after the set-up timeout: give up on it. */
        SETUP_EXPIRED
    }

    /** Path in use. */
    enum Path { DIRECT, RELAY }

    /** Whether this end moved and waits for the path to work again (paper section 4.2). */
    enum Resume {
        /** Not moved since the path last worked. */
        NONE,
        /** Moved; the move notice (PROBE nonce 1 or RELAY_BIND) did not leave: send it again. */
        NOTICE_PENDING,
        /** Moved; the move notice left; the first authenticated packet back resumes the path. */
        NOTICE_SENT
    }

    /** What an event that makes the tunnel UP changed. */
    enum Up {
        /** The event does not make the tunnel UP in its current state. */
        NO,
        /** UP for the first time. */
        FIRST,
        /** UP again after a re-direction (it was up before). */
        AGAIN,
        /** Was UP already (a retransmission). */
        STILL
    }

    final long id;
    final boolean initiator;
    final String peerFqdn;
    final InetAddress peerV4;
    final InetAddress peerV6;
    final byte[] peerV4Bytes;
    final byte[] peerV6Bytes;
    final Association keys;
    final long createdNanos;
    /** RELAY_BIND retransmission (paper section 3.2: a relay path is bound at the RS first). */
    final Retry relayBindRetry = new Retry();
    /** TUNNEL_REQUEST retransmission of the opener. */
    final Retry requestRetry = new Retry();
    /** Route-optimisation PROBEs toward the peer's NAT mapping (and the other candidates). */
    final Retry probeRetry = new Retry();

    /** Most probe candidates: the mapping, the peer's host endpoints, the triggered sources. */
    static final int MAX_CANDIDATES = 1 + ProtocolConstants.Node.HOST_ENDPOINTS_PER_FAMILY
            + ProtocolConstants.Node.TRIGGERED_CHECKS_MAX;

    private final CipherSuite suite;
    private Association relayKeys;
    private byte[] relaySecret;
    /** This end sends TUNNEL_REQUEST (it may change after a move; {@link #initiator} never does). */
    private boolean opener;
    /** Generation of the DC direction this end follows. */
    private long generation;
    private State state;
    private Path path;
    /** Where data goes on a direct path (peer's real or NAT-mapped address). */
    private InetSocketAddress peerEndpoint;
    /** The RS address for our family, when the DC chose a relay. */
    private InetSocketAddress relayEndpoint;
    /** Peer's NAT mapping to punch toward (route optimisation), or null. */
    private InetSocketAddress peerMapped;
    private boolean optimised;
    /**
     * Where route-optimisation PROBEs go (ICE's check list, RFC 8445 section 6.1.2, in small):
     * the peer's NAT mapping, then the peer's host endpoints when the DC saw both ends behind
     * one public address, then up to {@code TRIGGERED_CHECKS_MAX} sources whose PROBE reached us
     * (triggered checks). Filled per direction, never reallocated.
     */
    private final InetSocketAddress[] candidates = new InetSocketAddress[MAX_CANDIDATES];
    private int candidateCount;
    private int triggeredCount;
    private Resume resume = Resume.NONE;
    private long probeNonce;

    private long upNanos;
    private long txPackets;
    private long rxPackets;
    private long txBytes;
    private long rxBytes;
    private long rxDropped;
    private long roams;

    // liveness (docs/protocol.md "Tunnel liveness"): counts, not clock reads, on the data path
    /** Authenticated packets from the peer (any type), at the last liveness check. */
    private long heard;
    private long heardAtCheck;
    private long txAtCheck;
    /** Liveness PROBEs sent since the peer was last heard. */
    private int unansweredProbes;
    private long downNanos;
    /** Liveness checks passed while BINDING or CONNECTING since the last direction. */
    private int setupChecks;
    private long reresolveNotBefore;
    private long reresolveBackoff;

    /**
     * A tunnel the DC has just directed for the first time; it follows {@code rd} at once.
     * {@code peerHosts}: the peer's host endpoints from {@code rd} that this node can send to.
     */
    Tunnel(RouteDirection rd, List<InetSocketAddress> peerHosts, CipherSuite suite, long createdNanos) {
        this.id = rd.tunnelId();
        this.initiator = rd.role() == RouteDirection.INITIATOR;
        this.peerFqdn = rd.peerFqdn();
        this.peerV4 = rd.peerV4();
        this.peerV6 = rd.peerV6();
        this.peerV4Bytes = peerV4 == null ? null : peerV4.getAddress();
        this.peerV6Bytes = peerV6 == null ? null : peerV6.getAddress();
        this.suite = suite;
        this.keys = Association.of(suite, rd.tunnelSecret(),
                initiator ? KeyLabels.INITIATOR_TO_RESPONDER : KeyLabels.RESPONDER_TO_INITIATOR,
                initiator ? KeyLabels.RESPONDER_TO_INITIATOR : KeyLabels.INITIATOR_TO_RESPONDER);
        this.createdNanos = createdNanos;
        directed(rd, peerHosts);
    }

    // ---------------------------------------------------------------- events

    /**
     * The DC directed a path (ROUTE_DIRECTION, paper section 3.2): follow it. A relay path
     * starts in BINDING, a direct one in CONNECTING; every retry of the old path stops.
     * The caller has checked that {@code rd} is not stale and keeps our role. Route
     * optimisation probes {@code rd}'s peer mapped address and {@code peerHosts} (the peer's
     * host endpoints from {@code rd} that this node can send to).
     */
    void directed(RouteDirection rd, List<InetSocketAddress> peerHosts) {
        setupChecks = 0;
        relayBindRetry.cancel();
        requestRetry.cancel();
        probeRetry.cancel();
        generation = rd.generation();
        opener = rd.opener();
        path = rd.path() == RouteDirection.DIRECT ? Path.DIRECT : Path.RELAY;
        optimised = false;
        peerMapped = rd.peerMapped();
        candidateCount = 0;
        triggeredCount = 0;
        if (peerMapped != null) {
            candidates[candidateCount++] = peerMapped;
            for (InetSocketAddress h : peerHosts) {
                if (candidateCount < 1 + ProtocolConstants.Node.HOST_ENDPOINTS_PER_FAMILY && !isCandidate(h)) {
                    candidates[candidateCount++] = h;
                }
            }
        }
        if (path == Path.DIRECT) {
            peerEndpoint = rd.peerEndpoint();
            relayEndpoint = null;
            state = State.CONNECTING;
            requestRetry.restart();
        } else {
            relayEndpoint = rd.peerEndpoint();
            if (relayKeys == null || !Arrays.equals(relaySecret, rd.relaySecret())) {
                relaySecret = rd.relaySecret();
                relayKeys = Association.of(suite, rd.relaySecret(),
                        initiator ? KeyLabels.INITIATOR_TO_RS : KeyLabels.RESPONDER_TO_RS,
                        initiator ? KeyLabels.RS_TO_INITIATOR : KeyLabels.RS_TO_RESPONDER);
            }
            state = State.BINDING;
            relayBindRetry.restart();
        }
    }

    /** RELAY_BIND_ACK: the RS knows our address. Returns whether it moved BINDING to CONNECTING. */
    boolean relayBound() {
        if (state != State.BINDING) {
            return false;
        }
        relayBindRetry.cancel();
        state = State.CONNECTING;
        requestRetry.restart();
        return true;
    }

    /** The opener got TUNNEL_RESPONSE: UP from any state. */
    Up responseReceived(long nowNanos) {
        return up(nowNanos);
    }

    /** The responder got TUNNEL_REQUEST from {@code from}: on a direct path, that is the peer's endpoint. */
    void requestReceived(InetSocketAddress from) {
        if (path == Path.DIRECT) {
            peerEndpoint = from; // the initiator's (possibly NAT-mapped) source
        }
    }

    /** The responder answered TUNNEL_REQUEST: UP, unless the RS has not bound us yet. */
    Up requestAnswered(long nowNanos) {
        return state == State.BINDING ? Up.NO : up(nowNanos);
    }

    /**
     * An authenticated message other than TUNNEL_REQUEST reached a responder that is
     * re-connecting after a re-direction: the peer's traffic is proof enough.
     */
    Up trafficAfterRedirection() {
        // was up before, so up() keeps upNanos: no clock read per packet
        return state == State.CONNECTING && !opener && upNanos != 0 ? up(upNanos) : Up.NO;
    }

    private Up up(long nowNanos) {
        boolean first = state != State.UP;
        state = State.UP;
        relayBindRetry.cancel();
        requestRetry.cancel();
        probeRetry.cancel();
        if (!first) {
            return Up.STILL;
        }
        if (upNanos != 0) {
            return Up.AGAIN;
        }
        upNanos = nowNanos;
        return Up.FIRST;
    }

    /** Whether route optimisation applies: relayed, both ends NATed, not yet direct. */
    boolean optimisable() {
        return !optimised && path == Path.RELAY && peerMapped != null;
    }

    /** Starts (or restarts) route-optimisation probing with a fresh nonce. */
    void probingStarted(long nonce) {
        probeNonce = nonce;
        probeRetry.restart();
    }

    /**
     * A route-optimisation PROBE came from {@code from}, outside the RS, while this end is still
     * relayed: {@code from} joins the probe candidates (a triggered check, RFC 8445 section
     * 7.3.1.4), unless it is one already or {@code TRIGGERED_CHECKS_MAX} have joined since the
     * last direction. The PROBE was authenticated and new to the replay window, so only the peer
     * (or whoever raced a copy of its PROBE to us from elsewhere) chose {@code from}. Returns
     * whether it joined.
     */
    boolean triggered(InetSocketAddress from) {
        if (!optimisable() || from.equals(relayEndpoint) || isCandidate(from)
                || triggeredCount >= ProtocolConstants.Node.TRIGGERED_CHECKS_MAX) {
            return false;
        }
        candidates[candidateCount++] = from;
        triggeredCount++;
        return true;
    }

    boolean isCandidate(InetSocketAddress a) {
        for (int i = 0; i < candidateCount; i++) {
            if (candidates[i].equals(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * PROBE_ACK from {@code from}: when it did not come through the RS it proves a direct path
     * (a keepalive probe sent on the relay path is answered through the relay too), and the
     * tunnel switches to it. Returns whether it did.
     */
    boolean probeAcked(InetSocketAddress from) {
        if (!optimisable() || from.equals(relayEndpoint)) {
            return false;
        }
        optimised = true;
        path = Path.DIRECT;
        peerEndpoint = from;
        probeRetry.cancel();
        return true;
    }

    /**
     * An authenticated packet newer than anything seen came from {@code from}: on a direct path
     * a new source means the peer moved (roaming as in WireGuard; a late packet from the old
     * address must not move it back, cf. RFC 9000 section 9.3). Returns whether it moved.
     */
    boolean peerSeenAt(InetSocketAddress from, boolean newest) {
        if (path != Path.DIRECT || !newest || from.equals(peerEndpoint) || from.equals(relayEndpoint)) {
            return false;
        }
        peerEndpoint = from;
        roams++;
        return true;
    }

    /**
     * An authenticated packet from the peer (or through our RS from the peer) opened. Returns
     * true when it revived a DOWN tunnel.
     */
    boolean heard() {
        heard++;
        if (state != State.DOWN) {
            return false;
        }
        state = State.UP;
        unansweredProbes = 0;
        return true;
    }

    /**
     * The periodic liveness check (every {@code TUNNEL_LIVENESS_TICK_NANOS}). A tunnel that heard
     * its peer since the last check is alive; one that sent data or has a probe out and heard
     * nothing gets a probe; after {@code deadProbes} unanswered probes it is DOWN.
     */
    Liveness livenessCheck(int deadProbes, int setupChecksMax, long nowNanos) {
        if (state == State.BINDING || state == State.CONNECTING) {
            // a responder waits for TUNNEL_REQUEST with no timer of its own: without this a peer
            // (or a DC) could leave it CONNECTING for ever (issue 11, unbounded tunnels)
            return ++setupChecks > setupChecksMax ? Liveness.SETUP_EXPIRED : Liveness.ALIVE;
        }
        if (state != State.UP) {
            return Liveness.ALIVE;
        }
        boolean heardSince = heard != heardAtCheck;
        boolean sentSince = txPackets != txAtCheck;
        heardAtCheck = heard;
        txAtCheck = txPackets;
        if (heardSince) {
            unansweredProbes = 0;
            return Liveness.ALIVE;
        }
        if (!sentSince && unansweredProbes == 0) {
            return Liveness.ALIVE; // idle both ways: the keepalive PROBE starts a check
        }
        if (unansweredProbes >= deadProbes) {
            down(nowNanos);
            return Liveness.DEAD;
        }
        unansweredProbes++;
        return Liveness.PROBE;
    }

    /** The keepalive PROBE left: it counts as a liveness probe until the peer answers. */
    void keepaliveProbeSent() {
        if (state == State.UP && unansweredProbes == 0) {
            unansweredProbes = 1;
            heardAtCheck = heard;
        }
    }

    /**
     * The set-up after a re-direction failed (RELAY_BIND or TUNNEL_REQUEST unanswered). A tunnel
     * that was up once goes DOWN; returns false for one that never was (the caller removes it).
     */
    boolean failed(long nowNanos) {
        relayBindRetry.cancel();
        requestRetry.cancel();
        probeRetry.cancel();
        if (upNanos == 0) {
            return false;
        }
        down(nowNanos);
        return true;
    }

    private void down(long nowNanos) {
        state = State.DOWN;
        downNanos = nowNanos;
        relayBindRetry.cancel();
        requestRetry.cancel();
        probeRetry.cancel();
        resume = Resume.NONE;
    }

    /**
     * Whether a DOWN tunnel's peer may be re-resolved now; if so, the next one waits twice as long
     * as the last ({@code first} doubling to {@code max}).
     */
    boolean reresolveDue(long nowNanos, long first, long max) {
        if (state != State.DOWN || reresolveBackoff != 0 && nowNanos - reresolveNotBefore < 0) {
            return false;
        }
        reresolveBackoff = reresolveBackoff == 0 ? first : Math.min(max, reresolveBackoff * 2);
        reresolveNotBefore = nowNanos + reresolveBackoff;
        return true;
    }

    /** Whether this tunnel is DOWN since at least {@code expiryNanos}. */
    boolean expired(long nowNanos, long expiryNanos) {
        return state == State.DOWN && nowNanos - downNanos >= expiryNanos;
    }

    /** This end moved (paper section 4.2). Returns false for a tunnel that was never up: nothing to resume. */
    boolean moved() {
        if (upNanos == 0 || state == State.DOWN) {
            return false;
        }
        resume = Resume.NOTICE_PENDING;
        return true;
    }

    /** Whether the move notice sent after {@link #moved()} left without a send error. */
    void moveNoticeSent(boolean left) {
        resume = left ? Resume.NOTICE_SENT : Resume.NOTICE_PENDING;
    }

    /** The path works again (after our move, the peer's, or a re-direction). */
    void resumed() {
        resume = Resume.NONE;
    }

    // ---------------------------------------------------------------- counters (data path)

    void sent(int bytes) {
        txPackets++;
        txBytes += bytes;
    }

    void received(int bytes) {
        rxPackets++;
        rxBytes += bytes;
    }

    void dropped() {
        rxDropped++;
    }

    // ---------------------------------------------------------------- queries

    State state() {
        return state;
    }

    boolean isUp() {
        return state == State.UP;
    }

    boolean isDown() {
        return state == State.DOWN;
    }

    Path path() {
        return path;
    }

    boolean opener() {
        return opener;
    }

    long generation() {
        return generation;
    }

    boolean optimised() {
        return optimised;
    }

    /**
     * Whether data may be sent: the tunnel was up once (a move re-signals it without stopping
     * data) and is not DOWN.
     */
    boolean carriesData() {
        return upNanos != 0 && state != State.DOWN;
    }

    Association relayKeys() {
        return relayKeys;
    }

    InetSocketAddress peerEndpoint() {
        return peerEndpoint;
    }

    InetSocketAddress relayEndpoint() {
        return relayEndpoint;
    }

    InetSocketAddress peerMapped() {
        return peerMapped;
    }

    long probeNonce() {
        return probeNonce;
    }

    /** How many endpoints route optimisation probes (see {@link #candidate}). */
    int candidateCount() {
        return candidateCount;
    }

    /** Probe candidate {@code i}: 0 is the peer's mapped address, then host endpoints, then triggered sources. */
    InetSocketAddress candidate(int i) {
        return candidates[i];
    }

    Resume resume() {
        return resume;
    }

    boolean awaitingResume() {
        return resume != Resume.NONE;
    }

    /** Where the next packet goes: the peer on a direct path, otherwise the RS. */
    InetSocketAddress target() {
        return path == Path.DIRECT ? peerEndpoint : relayEndpoint;
    }

    /** Whether {@code rd} repeats the direction this tunnel follows (the DC's retransmission). */
    boolean follows(RouteDirection rd) {
        boolean direct = rd.path() == RouteDirection.DIRECT;
        return direct ? path == Path.DIRECT && rd.peerEndpoint().equals(peerEndpoint)
                : path == Path.RELAY && rd.peerEndpoint().equals(relayEndpoint)
                || optimised && rd.peerEndpoint().equals(relayEndpoint);
    }

    TunnelInfo info() {
        return new TunnelInfo(peerFqdn, peerV4, peerV6, id, initiator ? "initiator" : "responder",
                state.name().toLowerCase(java.util.Locale.ROOT), path.name().toLowerCase(java.util.Locale.ROOT),
                peerEndpoint, relayEndpoint, peerMapped, optimised, upNanos == 0 ? -1 : (upNanos - createdNanos) / 1e6,
                txPackets, rxPackets, txBytes, rxBytes, rxDropped, roams);
    }

    /**
     * One retransmission slot: its timer and how many tries were made. Each purpose has its
     * own, so stopping one retry never stops another.
     */
    static final class Retry {
        private EventLoop.Timer timer;
        private int tries;

        /** Counts a try; false once {@code max} tries were made (give up). */
        boolean tryAgain(int max) {
            return tries++ < max;
        }

        /** The next try is due by {@code next}. */
        void scheduled(EventLoop.Timer next) {
            timer = next;
        }

        /** Whether a try is scheduled (false before the first and after the last). */
        boolean pending() {
            return timer != null;
        }

        /** Stops the pending try and starts counting again. */
        void restart() {
            cancel();
            tries = 0;
        }

        void cancel() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
    }
}
