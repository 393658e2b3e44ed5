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

    /** A node: registration, keepalive, resolution, tunnel set-up, probes (paper 3.1-3.2, 4.2). */
    public static final class Node {

        private Node() {
        }

        // (node constants)

        // -- registration and keepalive (paper 3.2: a node registers its real addresses with
        //    its DC and keeps the association alive; docs/protocol.md "State machines")

        /**
         * Longest wait between two REGISTER messages while no REGISTER_ACK came
         * (docs/protocol.md "State machines": REGISTER every 500 ms).
         */
        public static final long REGISTER_RETRY_NANOS = millisToNanos(500);
        /**
         * First REGISTER retry, doubled up to {@link #REGISTER_RETRY_NANOS}: right after a move the
         * first REGISTER often leaves before DHCP has installed the default route (seen in the
         * Docker lab), so the next try must come soon (docs/protocol.md "Routes").
         */
        public static final long REGISTER_FIRST_RETRY_NANOS = millisToNanos(30);
        /**
         * Cap on the doublings of {@link #REGISTER_FIRST_RETRY_NANOS}; keeps the shift small
         * (30 ms doubled 5 times already exceeds {@link #REGISTER_RETRY_NANOS}).
         */
        public static final int REGISTER_RETRY_MAX_DOUBLINGS = 5;
        /** REGISTER messages without an answer before {@code start()} fails ("DC did not answer"). */
        public static final int REGISTER_TRIES = 20;
        /** Real addresses listed in one REGISTER: the wire format's maximum (wire.Register). */
        public static final int REGISTER_MAX_ADDRESSES = 32;
        /**
         * Host endpoints (real address and socket port) of one family a node lists in REGISTER, and
         * a DC passes on in ROUTE_DIRECTION: the wire format's maximum (wire.Register). Route
         * optimisation probes them when the DC saw both ends behind one public address.
         */
        public static final int HOST_ENDPOINTS_PER_FAMILY = org.ntmlab.ntm.wire.HostEndpoints.MAX_PER_FAMILY;
        /**
         * Keepalive interval until the DC's REGISTER_ACK names one (docs/protocol.md: default
         * 10 s, well under the 30 s UDP mapping timeout RFC 4787 REQ-5 allows).
         */
        public static final int KEEPALIVE_DEFAULT_SECONDS = 10;
        /** Shortest keepalive interval a node accepts from a REGISTER_ACK (guards against 0). */
        public static final int KEEPALIVE_MIN_SECONDS = 1;

        // -- liveness of the registration (issue 10: a DC that restarted or cannot be reached;
        //    docs/protocol.md "State machines", "Registration")

        /**
         * Wait for a KEEPALIVE_ACK before the KEEPALIVE is sent again: the DC answers at once, so
         * 1 s is several round trips even on a slow path (satellite ~600 ms), and it also covers the
         * AS key look-up of a restarted DC, which answers with REREGISTER instead.
         */
        public static final long KEEPALIVE_ACK_TIMEOUT_NANOS = millisToNanos(1000);
        /**
         * KEEPALIVEs (the first and its retries, {@link #KEEPALIVE_ACK_TIMEOUT_NANOS} apart) without
         * any KEEPALIVE_ACK before the node declares its registration lost and registers again: 3
         * tolerates two lost exchanges in a row (a false alarm costs one REGISTER and its ack), and
         * a dead DC is noticed within one keepalive interval plus 3 s.
         */
        public static final int KEEPALIVE_TRIES = 3;
        /**
         * First wait between REGISTERs after the registration was lost, doubled per try up to
         * {@link #REREGISTER_MAX_RETRY_NANOS}; each wait is drawn uniformly from its upper half
         * (jitter), so that the nodes of a restarted DC do not all come back in step.
         */
        public static final long REREGISTER_FIRST_RETRY_NANOS = millisToNanos(250);
        /**
         * Cap of the re-registration backoff: a node whose DC comes back after a long outage
         * registers within 4 s (2-4 s with the jitter) of its return, well under 10 s; such
         * re-registration never gives up (unlike the first {@code start()}).
         */
        public static final long REREGISTER_MAX_RETRY_NANOS = millisToNanos(4000);
        /** Cap on the doublings of {@link #REREGISTER_FIRST_RETRY_NANOS} (250 ms doubled 4 times is 4 s). */
        public static final int REREGISTER_MAX_DOUBLINGS = 4;

        // -- resolution (paper 3.2: a name resolution triggers the route-direction request)

        /** Wait between DIRECTION_REQUEST retransmissions (docs/protocol.md "Direction": 500 ms). */
        public static final long DIRECTION_RETRY_NANOS = millisToNanos(500);
        /** DIRECTION_REQUESTs without a ROUTE_DIRECTION before the resolve fails. */
        public static final int DIRECTION_TRIES = 10;
        /**
         * How long {@code NtmNode.resolver()} blocks an application thread for a resolve: covers
         * the DC's answer ({@link #DIRECTION_TRIES} x 500 ms) and the tunnel set-up (RELAY_BIND and
         * TUNNEL_REQUEST, 10 x 200 ms each).
         */
        public static final int RESOLVE_TIMEOUT_SECONDS = 10;

        // -- tunnel set-up (paper 3.2: UDP tunnel, direct or through an RS)

        /** Wait between RELAY_BIND retransmissions to the RS (docs/protocol.md "Tunnel": 200 ms). */
        public static final long RELAY_BIND_RETRY_NANOS = millisToNanos(200);
        /** RELAY_BINDs without a RELAY_BIND_ACK before the tunnel fails. */
        public static final int RELAY_BIND_TRIES = 10;
        /** Wait between TUNNEL_REQUEST retransmissions (docs/protocol.md "Tunnel": 200 ms). */
        public static final long TUNNEL_REQUEST_RETRY_NANOS = millisToNanos(200);
        /** TUNNEL_REQUESTs without a TUNNEL_RESPONSE before the tunnel fails. */
        public static final int TUNNEL_REQUEST_TRIES = 10;

        // -- liveness of tunnels (issue 10: an RS or a peer that restarted; docs/protocol.md
        //    "Tunnel liveness"). Anchor: WireGuard's dead-peer handling (wireguard-go device/timers.go),
        //    which starts a new handshake when it sent but heard nothing for 15 s; ours is faster
        //    because the DC, not a handshake, makes the replacement tunnel.

        /**
         * Period of the liveness check of every tunnel. A tunnel that sent data, or whose keepalive
         * PROBE is pending, and heard no authenticated packet since the last check gets a liveness
         * PROBE; 1 s is tens of round trips even through a loaded RS.
         */
        public static final long TUNNEL_LIVENESS_TICK_NANOS = millisToNanos(1000);
        /**
         * Liveness PROBEs in a row without any authenticated packet back before the tunnel is DOWN:
         * 3 tolerates two lost probes (or acks) in a row, and a tunnel carrying data is declared
         * dead 3-4 s after its peer or RS stopped, below the 10 s recovery budget of issue 10.
         */
        public static final int TUNNEL_DEAD_PROBES = 3;
        /**
         * Shortest wait between two re-resolves of a DOWN tunnel's peer (each triggered by a packet
         * for it), doubled after each up to {@link #RERESOLVE_MAX_BACKOFF_NANOS}: a peer that is
         * gone for good costs its DC a DIRECTION_REQUEST every few seconds, not one per packet.
         */
        public static final long RERESOLVE_FIRST_BACKOFF_NANOS = millisToNanos(500);
        /** Cap of the re-resolve backoff: a peer that comes back is reached within 4 s of its return. */
        public static final long RERESOLVE_MAX_BACKOFF_NANOS = millisToNanos(4000);
        /**
         * Longest set-up of a tunnel (BINDING or CONNECTING since its last direction) before it
         * fails: well past the opener's own retries (10 x 200 ms for RELAY_BIND, then for
         * TUNNEL_REQUEST), and the only timer of a responder waiting for TUNNEL_REQUEST, which a
         * peer that never sends one would otherwise leave CONNECTING for ever.
         */
        public static final int TUNNEL_SETUP_TIMEOUT_SECONDS = 10;
        /**
         * A DOWN tunnel stays in the table this long for a late revival (an authenticated packet
         * brings it back UP; the peer may only have been moving), then it is removed.
         */
        public static final int TUNNEL_DOWN_EXPIRY_SECONDS = 60;
        /**
         * Tunnels a node keeps at once; a ROUTE_DIRECTION for one more is acknowledged but refused
         * ({@code tunnelTableFull}), so that no DC, however buggy, can grow a node's table without bound.
         */
        public static final int MAX_TUNNELS = 1024;
        /**
         * Tunnels to one peer a node keeps at once, a new one included (the oldest not UP goes
         * first): a re-resolve needs two, both ends asking at once three; more means a peer (or
         * a DC) that asks for tunnels it never opens, which must not fill the table.
         */
        public static final int MAX_TUNNELS_PER_PEER = 4;

        // -- route optimisation (docs/protocol.md "Route optimisation"; not in the paper)

        /** Wait between route-optimisation PROBEs to the peer's NAT mapping (100 ms). */
        public static final long PROBE_INTERVAL_NANOS = millisToNanos(100);
        /**
         * Route-optimisation PROBEs before the tunnel stays on the RS (docs/protocol.md: 10 tries;
         * behind symmetric NATs no PROBE_ACK ever comes).
         */
        public static final int PROBE_TRIES = 10;
        /**
         * Sources of route-optimisation PROBEs outside the RS that a relayed tunnel answers with a
         * triggered check of its own (a PROBE back to that source, RFC 8445 section 7.3.1.4), per
         * direction of the DC: the peer behind a symmetric NAT probes from a mapping the DC never
         * saw, and only a PROBE_ACK from there proves the path to this end too.
         */
        public static final int TRIGGERED_CHECKS_MAX = 2;

        // -- local limits of the node process

        /**
         * Size of the node's reused plaintext and ciphertext buffers: one sealed message, i.e. an
         * inner packet of up to {@code NtmNode.TUNNEL_LINK_MTU} (1500) bytes plus the 20-byte NTM
         * header and the AEAD tag or MAC.
         */
        public static final int DATAGRAM_BUFFER_BYTES = 2048;
        /** How long {@code NtmNode.close()} waits for its loop to close the sockets. */
        public static final long CLOSE_TIMEOUT_MS = 2000;

        // -- the node's socket APIs and tools (node.NtmDatagramSocket, Pinger, TcpEchoService,
        //    NetlinkAddressWatcher)

        /** Datagrams an {@code NtmDatagramSocket} buffers for the application before it drops new ones. */
        public static final int DATAGRAM_SOCKET_RECEIVE_QUEUE = 4096;
        /** How long an {@code NtmDatagramSocket} constructor waits for the loop to bind its virtual port. */
        public static final long DATAGRAM_SOCKET_BIND_TIMEOUT_MS = 5000;
        /** Longest pause between two echo requests of one {@code ping} while replies are missing. */
        public static final long PING_MAX_SPACING_MS = 200;
        /** Echo request payload: ping(8)'s default size. */
        public static final int PING_PAYLOAD_BYTES = 56;
        /** How long {@code ping} waits for the loop to hand over the results after the last reply. */
        public static final long PING_COLLECT_TIMEOUT_MS = 1000;
        /** Read/write buffer of one connection of the built-in TCP echo service (RFC 862). */
        public static final int TCP_ECHO_BUFFER_BYTES = 16 * 1024;
        /** Receive buffer for netlink route/address notifications (several per DHCP lease). */
        public static final int NETLINK_RECEIVE_BUFFER_BYTES = 16384;

        private static long millisToNanos(long millis) {
            return millis * 1_000_000L;
        }
    }

    /** The Direction Coordinator (paper 3.1-3.2) and its DC <-> DC side (docs/protocol.md "Several domains"). */
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
         * Key look-ups at the AS that may run at once for node messages (REGISTER, KEEPALIVE, ...)
         * under unknown key ids; more are dropped ({@code lookupBusy}) and not remembered, so
         * made-up ids can neither queue work at the AS nor grow the DC's state without bound.
         */
        public static final int MAX_PENDING_KEY_LOOKUPS = 1024;

        /**
         * Tunnels one node may be an end of at this DC; one more fails its DIRECTION_REQUEST. Older
         * tunnels of a pair are retired when the pair asks again ({@link #TUNNEL_RETIRE_MIN_AGE_NANOS}),
         * so only a node asking for many peers reaches this.
         */
        public static final int MAX_TUNNELS_PER_NODE = 1024;
        /**
         * A new DIRECTION_REQUEST between two nodes retires their older tunnels (the ends asked
         * again because the old one went DOWN), except those younger than this: both ends may ask
         * at once after a failure, and a tunnel still being set up must not be pulled from under them.
         */
        public static final long TUNNEL_RETIRE_MIN_AGE_NANOS = 10_000_000_000L;
        /**
         * Tunnels one pair of nodes may have at once, the new one included: past it the oldest
         * are retired whatever their age, so a node that keeps asking for the same peer cannot
         * fill that peer's table ({@link #MAX_TUNNELS_PER_NODE} is for everybody's tunnels).
         */
        public static final int MAX_TUNNELS_PER_PAIR = 4;

        /**
         * A REGISTER whose sent-at time differs from the DC's clock by more than this is dropped
         * ({@code staleRegister}): a recorded REGISTER replayed to a DC that restarted (so holds no
         * replay window for the key) does not take the node's session. Nodes' clocks must agree
         * with their DC's within 60 s, as DCs' with each other ({@link #DC_FRESHNESS_MS}).
         */
        public static final long REGISTER_FRESHNESS_MS = 60_000;

        /**
         * Longest wait for the AS to answer one key look-up; then the look-up counts as failed
         * (not as "unknown") and its slot of {@link #MAX_PENDING_KEY_LOOKUPS} is free again, so an
         * AS that hangs cannot hold the slots for good (issue 11 finding 1).
         */
        public static final long KEY_LOOKUP_TIMEOUT_MS = 5_000;
        /**
         * How long a key id the AS said it does not know is answered from memory
         * ({@code unknownKeyCached}) instead of asking again: repeated forged ids cost one look-up
         * per 5 s each. Short, because a key issued a moment after the look-up must work soon.
         */
        public static final long UNKNOWN_KEY_CACHE_NANOS = 5_000_000_000L;
        /** Key ids remembered as unknown at once; the oldest leaves first. */
        public static final int UNKNOWN_KEY_CACHE_SIZE = 4096;
        /**
         * Key look-ups one source address may start per second, after a burst of
         * {@link #KEY_LOOKUP_BURST_PER_SOURCE} ({@code lookupRateLimited} beyond): a node needs one per
         * login; many nodes behind one NAT after a DC restart come back within a few seconds, as their
         * re-registration retries anyway.
         */
        public static final int KEY_LOOKUPS_PER_SOURCE_PER_SECOND = 20;
        /** Key look-ups one source address may start at once. */
        public static final int KEY_LOOKUP_BURST_PER_SOURCE = 40;
        /** Source addresses the per-source limits remember; the least recently seen leaves first. */
        public static final int RATE_LIMIT_SOURCES = 4096;

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

        /**
         * Key trials one source address that is not a known peer DC may start per second, after a
         * burst of {@link #DC_TRIAL_BURST_PER_STRANGER} ({@code dcTrialSourceLimited}); strangers
         * share {@link #DC_KEY_TRIALS_PER_WINDOW} besides (issue 11 finding 6: one source cannot
         * spend the budget of all).
         */
        public static final int DC_TRIALS_PER_STRANGER_PER_SECOND = 2;
        /** See {@link #DC_TRIALS_PER_STRANGER_PER_SECOND}. */
        public static final int DC_TRIAL_BURST_PER_STRANGER = 4;

        /**
         * Key trials per second of each address a peer domain's DC was located at (DNS SRV) or
         * authenticated from, after a burst of {@link #DC_TRIAL_BURST_PER_PEER_ADDRESS}: a budget of
         * their own, which junk from other addresses cannot spend.
         */
        public static final int DC_TRIALS_PER_PEER_ADDRESS_PER_SECOND = 20;
        /** See {@link #DC_TRIALS_PER_PEER_ADDRESS_PER_SECOND}. */
        public static final int DC_TRIAL_BURST_PER_PEER_ADDRESS = 40;

        /** Addresses remembered per peer domain (located) and in all (authenticated from). */
        public static final int DC_PEER_ADDRESSES_PER_DOMAIN = 8;
        /** See {@link #DC_PEER_ADDRESSES_PER_DOMAIN}. */
        public static final int DC_AUTHENTICATED_ADDRESSES = 64;

        /**
         * When strangers have spent {@link #DC_KEY_TRIALS_PER_WINDOW}, the DC locates every peer
         * domain it has a secret for (so their DCs' addresses get their own budget), at most once
         * per this interval: 30 s.
         */
        public static final long DC_RELOCATE_UNDER_PRESSURE_NANOS = 30_000_000_000L;

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

        /**
         * Response rate limiting: DNS replies per second to one source network (an IPv4 /24, an
         * IPv6 /56: spoofed sources in one network count as one), after a burst of
         * {@link #DNS_REPLY_BURST_PER_NETWORK}; beyond it queries are dropped ({@code dnsRateLimited}).
         * A reply is up to about 3 times its query: with this cap the DC cannot be turned on a
         * victim at more than about 20 kB/s (issue 11 finding 11).
         */
        public static final int DNS_REPLIES_PER_NETWORK_PER_SECOND = 20;
        /** See {@link #DNS_REPLIES_PER_NETWORK_PER_SECOND}. */
        public static final int DNS_REPLY_BURST_PER_NETWORK = 40;
    }

    /** The Relay Server (paper 3.1: relays what two ends cannot send each other directly). */
    public static final class Relay {

        private Relay() {
        }

        /** Plaintext buffer of the RS's receive path (RELAY_AUTHORISE, RELAY_BIND), reused for every message. */
        public static final int PLAINTEXT_BUFFER_BYTES = 2048;

        /**
         * Shortest tunnel lifetime the RS applies, whatever RELAY_AUTHORISE says: a lifetime of 0
         * would expire the tunnel before its first RELAY_BIND.
         */
        public static final int MIN_LIFETIME_SECONDS = 1;
        /**
         * Tunnels an RS relays at once; a RELAY_AUTHORISE for one more is refused (not acked,
         * {@code tableFull}), and the DC's request fails as for an RS that does not answer. Only the
         * DC can add tunnels, and unused ones expire after their lifetime, so this is a guard
         * against a DC that misbehaves, not a limit of normal operation.
         */
        public static final int MAX_TUNNELS = 65_536;
    }
}
