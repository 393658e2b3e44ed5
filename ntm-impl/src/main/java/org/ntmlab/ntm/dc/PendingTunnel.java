package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.wire.RouteDirection;

/**
 * A tunnel this DC directs (paper section 3.2: the DC decides the path of a pair and sends a
 * route direction to each end; as DCmn the CN's goes through DCcn): its ends, path, keys, RS,
 * and where its set-up stands. Two small state machines replace what were five booleans:
 *
 * <ul>
 * <li>{@link Directions}: the route directions of the current generation, from "not sent" (an
 *     RS must authorise the tunnel first) through the ends' ROUTE_DIRECTION_ACKs to "acked";
 *     a move starts a new generation (paper section 4.2: signalling again after a move);
 * <li>{@link RelayGrant}: whether the RS acked RELAY_AUTHORISE for the current relay path.
 * </ul>
 *
 * <p>They are separate because they are independent in the protocol: after a move onto a relay
 * path the RS is asked again while the ends may still be acking, and a grant may arrive after
 * the path left the relay. Changed only through the methods below, by {@link RouteDirections},
 * {@link RelayAuthorisation} and {@link InterDomainMn}, on the DC's event loop.
 */
final class PendingTunnel {

    /** The route directions of the current generation. */
    enum Directions {
        /**
         * A relay path whose RS has not acked RELAY_AUTHORISE yet: no ROUTE_DIRECTION sent (the
         * RS must know the tunnel before the ends use it), so a retransmitted DIRECTION_REQUEST
         * gets no answer yet. Only before the first directions; a move keeps it here.
         */
        NOT_SENT,
        /** ROUTE_DIRECTION out to both ends (retransmitted); neither acked this generation. */
        AWAITING_BOTH,
        /** The MN acked this generation; the CN's direction is still retransmitted. */
        AWAITING_CN,
        /** The CN (or DCcn for it) acked this generation; the MN's is still retransmitted. */
        AWAITING_MN,
        /** Both ends acked this generation: nothing to retransmit until the next move. */
        ACKED,
        /**
         * DCcn refused the CN's direction: the tunnel is dropped and nothing more is sent
         * (a DIRECTION_REQUEST retransmitted under the same id is still answered: directions
         * were sent once).
         */
        CLOSED;

        /** Directions go out (first time, or again after an RS grant): acks so far stay. */
        Directions sent() {
            return this == NOT_SENT ? AWAITING_BOTH : this;
        }

        /**
         * The MN acked the current generation. Not possible before directions are sent (the
         * ends learn the tunnel id from them), so {@link #NOT_SENT} stays.
         */
        Directions mnAcked() {
            return switch (this) {
                case AWAITING_BOTH -> AWAITING_CN;
                case AWAITING_MN -> ACKED;
                default -> this;
            };
        }

        /** The CN acked the current generation (see {@link #mnAcked()}). */
        Directions cnAcked() {
            return switch (this) {
                case AWAITING_BOTH -> AWAITING_MN;
                case AWAITING_CN -> ACKED;
                default -> this;
            };
        }

        /** A new generation after a move: neither end has acked it; never-sent stays never-sent. */
        Directions redirected() {
            return this == NOT_SENT || this == CLOSED ? this : AWAITING_BOTH;
        }

        boolean hasMnAck() {
            return this == AWAITING_CN || this == ACKED;
        }

        boolean hasCnAck() {
            return this == AWAITING_MN || this == ACKED;
        }
    }

    /**
     * The RS's answer for the current relay path. A direct path stays {@link #NOT_GRANTED}: it
     * waits for nothing, but a RELAY_AUTHORISE still being retransmitted for an earlier relay
     * path goes on, and a first ack then (re)starts the directions.
     */
    enum RelayGrant {
        /** RELAY_AUTHORISE is (re)sent until the RS acks or {@code MAX_RETRANSMITS} runs out. */
        NOT_GRANTED,
        /** The RS acked: directions went out. */
        GRANTED
    }

    final long id;
    final NodeRecord mn;
    /** The CN when it is ours; null when it lives at another DC ({@link #remote}). */
    final NodeRecord cn;
    final RemoteEnd remote;
    final long requestId;
    final byte[] tunnelSecret = new byte[RouteDirection.SECRET_LENGTH];
    final byte[] relaySecret = new byte[RouteDirection.SECRET_LENGTH];
    PathDecision decision;
    RelayState relay;
    long generation;
    /** ROUTE_DIRECTION sends of the current round, toward {@code MAX_RETRANSMITS}. */
    int attempts;
    EventLoop.Timer retransmit;
    /** When the DC created it (loop clock): a tunnel younger than {@code TUNNEL_RETIRE_MIN_AGE_NANOS} is not retired. */
    long createdNanos;
    private Directions directions = Directions.NOT_SENT;
    private RelayGrant relayGrant = RelayGrant.NOT_GRANTED;

    PendingTunnel(long id, NodeRecord mn, NodeRecord cn, RemoteEnd remote, long requestId, PathDecision decision,
                  RelayState relay) {
        this.id = id;
        this.mn = mn;
        this.cn = cn;
        this.remote = remote;
        this.requestId = requestId;
        this.decision = decision;
        this.relay = relay;
    }

    End cnEnd() {
        return cn != null ? cn : remote;
    }

    Directions directions() {
        return directions;
    }

    RelayGrant relayGrant() {
        return relayGrant;
    }

    /** Directions were sent at least once: a retransmitted DIRECTION_REQUEST gets them again. */
    boolean directionsSentOnce() {
        return directions != Directions.NOT_SENT;
    }

    boolean closed() {
        return directions == Directions.CLOSED;
    }

    boolean mnAcked() {
        return directions.hasMnAck();
    }

    boolean cnAcked() {
        return directions.hasCnAck();
    }

    /** Directions (re)start: a new round of {@code MAX_RETRANSMITS}, the running one cancelled. */
    void startDirections() {
        directions = directions.sent();
        attempts = 0;
        if (retransmit != null) {
            retransmit.cancel();
        }
    }

    void ackedByMn() {
        directions = directions.mnAcked();
    }

    void ackedByCn() {
        directions = directions.cnAcked();
    }

    /** A move re-decided the path: generation + 1, which neither end has acked. */
    void redirect(PathDecision d) {
        decision = d;
        generation++;
        directions = directions.redirected();
    }

    /** The new path goes through an RS: it must grant the tunnel (again). */
    void relayRequested() {
        relayGrant = RelayGrant.NOT_GRANTED;
    }

    /** The RS acked; true the first time (then the directions start), false for a duplicate. */
    boolean relayGranted() {
        if (relayGrant == RelayGrant.GRANTED) {
            return false;
        }
        relayGrant = RelayGrant.GRANTED;
        return true;
    }

    /** DCcn refused the CN's direction, or a newer tunnel of the pair retired it: stop retransmitting. */
    void close() {
        directions = Directions.CLOSED;
        if (retransmit != null) {
            retransmit.cancel();
        }
    }
}
