package org.ntmlab.ntm.signalling;

/**
 * Every timer, retry count and limit of the NTM signalling protocol, in one place (like
 * wireguard-go's constants.go), each named and commented with its source: the paper section,
 * the RFC, or the measurement that chose it. docs/protocol.md ("Timers and limits") lists the
 * same values and {@code ProtocolConstantsDocTest} keeps the two equal. The user-space TCP's
 * constants are in {@code stack.tcp.TcpConstants}.
 */
public final class ProtocolConstants {

    private ProtocolConstants() {
    }

    /** A node: registration, keepalive, resolution, tunnel set-up, probes (paper 3.1-3.3, 4.2). */
    public static final class Node {

        private Node() {
        }

        // (node constants)
    }

    /** The Direction Coordinator (paper 3.1-3.3) and its DC <-> DC side (docs/protocol.md "Several domains"). */
    public static final class Dc {

        private Dc() {
        }

        // ---- signalling with nodes and RSs (paper 3.2)

        /**
         * Retransmission interval of every DC message that waits for an ack: ROUTE_DIRECTION
         * (to both ends, or DC_DIRECTION through DCcn), RELAY_AUTHORISE (to the RS), DC_QUERY and
         * DC_POSITION (to a peer DC). 300 ms (docs/protocol.md "State machines").
         */
        public static final long RETRANSMIT_NANOS = 300_000_000L;

        /**
         * Sends of ROUTE_DIRECTION, RELAY_AUTHORISE and DC_POSITION before the DC gives up
         * (15 x 300 ms = 4.5 s): an RS that never acks fails the MN's request
         * ({@code relayUnreachable}); unacked directions and positions are counted
         * ({@code directionTimeouts}, {@code dcPositionTimeouts}).
         */
        public static final int MAX_RETRANSMITS = 15;

        /**
         * Lifetime the DC grants in RELAY_AUTHORISE (paper 3.1: the RS relays only what the DC
         * authorised): the RS forgets the tunnel after this long without renewal.
         */
        public static final int RELAY_LIFETIME_SECONDS = 3600;

        /**
         * Key look-ups at the AS that may run at once for REGISTERs under unknown key ids;
         * more are dropped ({@code lookupBusy}), so made-up ids cannot queue work at the AS
         * without bound. (Known leak above this limit: see {@code dc.NodeRegistry.fetchKeyThenRetry}.)
         */
        public static final int MAX_PENDING_KEY_LOOKUPS = 1024;

        /** Plaintext buffer of the DC's receive path, reused for every message: the largest body it opens. */
        public static final int PLAINTEXT_BUFFER_BYTES = 2048;

        /** Shortest keepalive interval a DC may ask its nodes for (paper 3.2; {@code DcConfig} refuses less). */
        public static final int KEEPALIVE_MIN_SECONDS = 1;

        /** Longest keepalive interval a DC may ask its nodes for, one hour ({@code DcConfig} refuses more). */
        public static final int KEEPALIVE_MAX_SECONDS = 3600;

        // ---- DC <-> DC (paper 3.2: DCmn asks DCcn; docs/protocol.md "Several domains")

        /**
         * DC_QUERY sends (every {@link #RETRANSMIT_NANOS}, rotating through DCcn's addresses)
         * before DCmn fails the request: 2.4 s, within the MN's 5 s of DIRECTION_REQUESTs.
         */
        public static final int DC_QUERY_TRIES = 8;

        /**
         * A DC <-> DC message whose sent-at time differs from our clock by more than this is
         * dropped ({@code dcStale}; docs/protocol.md "Authentication between DCs"): with the replay
         * window it rejects replays also across a peer's restart. 60 s.
         */
        public static final long DC_FRESHNESS_MS = 60_000;

        /**
         * A message under an unknown DC session id is tried against every peer's key (an HKDF
         * each) at most this often per {@link #DC_KEY_TRIAL_WINDOW_NANOS} ({@code dcTrialLimited}):
         * garbage cannot make the DC spend unbounded CPU.
         */
        public static final int DC_KEY_TRIALS_PER_WINDOW = 100;

        /** The window of {@link #DC_KEY_TRIALS_PER_WINDOW}: one second. */
        public static final long DC_KEY_TRIAL_WINDOW_NANOS = 1_000_000_000L;

        // ---- DNS: finding the DC of another domain, and answering for ours (paper 3.2)

        /** Wait for a DNS reply before DCmn's locator asks again (the next resolver, if any). 500 ms. */
        public static final long DNS_TRY_NANOS = 500_000_000L;

        /** Sends of one DNS question before the locator gives up: this many, or one per resolver if more. */
        public static final int DNS_TRIES = 3;

        /** A located DC is cached for its records' TTL, but never longer than this (one hour). */
        public static final long DNS_MAX_CACHE_SECONDS = 3600;

        /** TTL of a node's A/AAAA (its virtual addresses): stable, but registrations come and go. */
        public static final long DNS_NODE_TTL_SECONDS = 10;

        /**
         * TTL of the DC's own SRV and A/AAAA ({@code _ntm-dc._udp.<domain>}): a DC's address
         * changes rarely, and peers drop it from their cache when it stops answering.
         */
        public static final long DNS_DC_TTL_SECONDS = 60;

        /** A DNS reply over UDP fits this many bytes, truncated (TC) otherwise (RFC 1035 4.2.1). */
        public static final int DNS_UDP_REPLY_MAX_BYTES = 512;
    }

    /** The Relay Server (paper 3.3). */
    public static final class Relay {

        private Relay() {
        }

        // (RS constants)
    }
}
