package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counter;

/**
 * What a {@link DirectionCoordinator} counts ({@link DirectionCoordinator#counters()}), besides
 * the drops of {@link org.ntmlab.ntm.wire.MessageDrop} that every receiver shares (those count
 * messages from nodes and RSs). The keys are the names counted before this enum existed; the
 * {@code dc} prefix marks DC <-> DC traffic (paper section 3.2, several domains).
 */
public enum DcCounter implements Counter {

    // ---- signalling from nodes and RSs (SignallingReceiver, NodeRegistry)

    /** A node's message under a key id the AS look-up did not find, or a message that no node sends under an unknown key id. */
    UNKNOWN_KEY("unknownKey"),
    /** A node message under a new key id while too many AS look-ups run (or one runs for that id): dropped without a look-up. */
    LOOKUP_BUSY("lookupBusy"),
    /** The AS issued the key for a name of another domain: this DC does not serve it. */
    FOREIGN_DOMAIN_KEY("foreignDomainKey"),
    /** REGISTER claims another name than the one the AS bound to the key. */
    FQDN_MISMATCH("fqdnMismatch"),
    /** REGISTER accepted (first or again, per family). */
    REGISTERED("registered"),
    /** KEEPALIVE on a family the node has not registered: answered with REREGISTER. */
    KEEPALIVE_UNREGISTERED("keepaliveUnregistered"),
    /** REREGISTER sent: an authenticated node message the DC holds no registration for (e.g. after a DC restart). */
    REREGISTER_SENT("reregisterSent"),
    /** RELAY_AUTHORISE_ACK under an RS id the DC does not know. */
    UNKNOWN_RELAY("unknownRelay"),

    // ---- route directions (RouteDirections, RelayAuthorisation)

    /** A tunnel decided on a direct path (paper Table 1 rules 1 and 2). */
    DIRECTIONS_DIRECT("directionsDirect"),
    /** A tunnel decided through an RS (paper Table 1 rules 3 and 4). */
    DIRECTIONS_RELAY("directionsRelay"),
    /**
     * A tunnel decided (or re-decided after a move) between two nodes the DC sees behind one
     * public address (same observed IP): each end got the other's host endpoints to probe
     * (issue 12, same NAT).
     */
    SAME_NAT_DIRECTIONS("sameNatDirections"),
    /**
     * A host endpoint in REGISTER whose address is not among the node's real addresses, is not a
     * private one (RFC 1918, RFC 6598, RFC 4193: the Internet must never be probed on a node's
     * word), or is listed twice: left out, never handed to a peer.
     */
    BAD_HOST_ENDPOINT("badHostEndpoint"),
    /** DIRECTION_FAILURE sent: the MN's request cannot be served. */
    DIRECTION_FAILURES("directionFailures"),
    /** ROUTE_DIRECTION unacked after every retransmission. */
    DIRECTION_TIMEOUTS("directionTimeouts"),
    /** ROUTE_DIRECTION not sent: an end no longer has the decided family; its new position is on the way. */
    DIRECTION_STALE("directionStale"),
    /** ROUTE_DIRECTION_ACK for a tunnel the DC neither owns nor hands on. */
    UNKNOWN_TUNNEL_ACK("unknownTunnelAck"),
    /** ROUTE_DIRECTION_ACK (or DC_DIRECTION_ACK) of an older generation: overtaken by a re-direction. */
    STALE_DIRECTION_ACK("staleDirectionAck"),
    /** ROUTE_DIRECTION_ACK from a node that is not an end of that tunnel. */
    FOREIGN_TUNNEL_ACK("foreignTunnelAck"),
    /** A tunnel decided again after an end moved (paper section 4.2). */
    REDIRECTS("redirects"),
    /** A message under a key id the AS did not know a moment ago: dropped without asking again. */
    UNKNOWN_KEY_CACHED("unknownKeyCached"),
    /** A key look-up refused: its source address used its share ({@code KEY_LOOKUPS_PER_SOURCE_PER_SECOND}). */
    LOOKUP_RATE_LIMITED("lookupRateLimited"),
    /** A REGISTER sent more than {@code REGISTER_FRESHNESS_MS} from the DC's clock (a replay, or a clock far off): dropped. */
    STALE_REGISTER("staleRegister"),
    /** An older tunnel of a pair retired: the pair asked for a new one (docs/protocol.md "Tunnel liveness"). */
    TUNNELS_RETIRED("tunnelsRetired"),
    /** A DIRECTION_REQUEST refused: an end has {@code MAX_TUNNELS_PER_NODE} tunnels at this DC. */
    TUNNEL_LIMIT("tunnelLimit"),
    /** A move needs a relay path and no RS serves both families: the tunnel is not directed again. */
    REDIRECT_NO_RELAY("redirectNoRelay"),
    /** The RS did not ack RELAY_AUTHORISE after every retransmission: the MN's request fails. */
    RELAY_UNREACHABLE("relayUnreachable"),

    // ---- DC <-> DC channel (DcChannel, SignallingReceiver)

    /** A DC message arrived but no peer domain is configured (no {@code --peer}). */
    DC_NO_PEERS("dcNoPeers"),
    /** A DC message without room for the tag. */
    DC_TOO_SHORT("dcTOO_SHORT"),
    /** A DC message sealed with another cipher suite. */
    DC_WRONG_SUITE("dcWRONG_SUITE"),
    /** A DC message outside its session's replay window, or already opened. */
    DC_REPLAYED("dcREPLAYED"),
    /** A DC message that opens with no peer's key (known session, or every peer tried for a new one). */
    DC_BAD_AUTH("dcBAD_AUTH"),
    /** A DC message under a new session id while the key trials of this second are used up. */
    DC_TRIAL_LIMITED("dcTrialLimited"),
    /** A DC message under a new session id from a source that used its own share of key trials. */
    DC_TRIAL_SOURCE_LIMITED("dcTrialSourceLimited"),
    /** The strangers' key trials ran out: the DC located its peer domains to give their DCs a budget of their own. */
    DC_TRIAL_PRESSURE("dcTrialPressure"),
    /** A peer DC gave virtual addresses outside its domain's blocks for one of its nodes: refused. */
    DC_ADDRESS_OUTSIDE_BLOCK("dcAddressOutsideBlock"),
    /** A DIRECTION_REQUEST for a name that is not a host name (RFC 1123): refused with DIRECTION_FAILURE. */
    BAD_PEER_NAME("badPeerName"),
    /** A DC message whose sent-at time is more than 60 s off this DC's clock. */
    DC_STALE("dcStale"),
    /** An authenticated DC message whose body does not parse. */
    DC_MALFORMED("dcMalformed"),
    /** An authenticated DC message of a type no DC takes. */
    DC_UNEXPECTED("dcUnexpected"),
    /** A new session of a peer DC (it started, or restarted) became current. */
    DC_SESSIONS("dcSessions"),

    // ---- finding the other domain's DC (DcLocator) and publishing ours (DnsResponder)

    /** A peer domain's DC found in the locator's cache. */
    DNS_CACHE_HITS("dnsCacheHits"),
    /** A DNS query sent to a resolver (SRV, A or AAAA; retries included). */
    DNS_QUERIES_SENT("dnsQueriesSent"),
    /** A DNS reply that does not parse, or that we cannot use. */
    DNS_MALFORMED_REPLY("dnsMalformedReply"),
    /** A DNS reply that matches no running look-up (wrong id, server or question; or late). */
    DNS_UNEXPECTED_REPLY("dnsUnexpectedReply"),
    /** A peer domain's DC found through DNS. */
    DC_LOCATED("dcLocated"),
    /** A peer domain's DC not found (no answer, NXDOMAIN, no SRV, no address, unusable reply). */
    DC_LOCATE_FAILURES("dcLocateFailures"),
    /** A DNS query to our responder answered. */
    DNS_QUERIES("dnsQueries"),
    /** A DNS query dropped: its source network had its share of replies this second (response rate limiting). */
    DNS_RATE_LIMITED("dnsRateLimited"),
    /** A DNS message to our responder that does not parse, is a response, or has no question: dropped. */
    DNS_MALFORMED("dnsMalformed"),

    // ---- as DCmn (InterDomainMn)

    /** A DIRECTION_REQUEST for a name of another domain: DNS, then DC_QUERY. */
    REMOTE_REQUESTS("remoteRequests"),
    /** A remote request failed (DCcn not found, refused, did not answer): DIRECTION_FAILURE to the MN. */
    REMOTE_FAILURES("remoteFailures"),
    /** A name of another domain that has no inter-DC secret here: the MN's request fails at once. */
    NO_PEER_SECRET("noPeerSecret"),
    /** DC_QUERY unanswered after every try: the DC is down, or cannot reach us. */
    DC_QUERY_TIMEOUTS("dcQueryTimeouts"),
    /** DC_ANSWER that matches no running query: a late duplicate, most likely. */
    DC_UNEXPECTED_ANSWER("dcUnexpectedAnswer"),
    /** DC_ANSWER for an MN that left (logged in again, or has no binding): nothing to direct. */
    REMOTE_MN_GONE("remoteMnGone"),
    /** DC_DIRECTION_ACK or DC_POSITION_ACK for no tunnel of that peer. */
    DC_UNEXPECTED_ACK("dcUnexpectedAck"),
    /** DC_POSITION not newer than the last one: a retransmission, or overtaken. */
    DC_STALE_POSITION("dcStalePosition"),
    /** DC_POSITION with the position we had: nothing to decide again. */
    DC_POSITION_UNCHANGED("dcPositionUnchanged"),
    /** DC_POSITION that moved a remote CN: the tunnel is decided again. */
    DC_POSITIONS("dcPositions"),
    /** DC_FAILURE about our DC_DIRECTION: DCcn will not deliver it, so the tunnel is dropped. */
    DC_DIRECTION_REFUSED("dcDirectionRefused"),
    /** DC_FAILURE that matches nothing running here. */
    DC_UNEXPECTED_FAILURE("dcUnexpectedFailure"),

    // ---- as DCcn (InterDomainCn)

    /** DC_QUERY answered with the CN's position. */
    DC_QUERIES_ANSWERED("dcQueriesAnswered"),
    /** DC_QUERY refused (name not ours, CN not registered, tunnel id in use): DC_FAILURE. */
    DC_QUERIES_REFUSED("dcQueriesRefused"),
    /** DC_DIRECTION refused (names of the wrong domains, CN not registered, tunnel id in use): DC_FAILURE. */
    DC_DIRECTIONS_REFUSED("dcDirectionsRefused"),
    /** A tunnel another DC owns reached one of our CNs for the first time. */
    FOREIGN_TUNNELS("foreignTunnels"),
    /** DC_DIRECTION of an older generation than the one handed on: overtaken, ignored. */
    DC_STALE_DIRECTION("dcStaleDirection"),
    /** DC_POSITION unacked after every retransmission. */
    DC_POSITION_TIMEOUTS("dcPositionTimeouts");

    private final String key;

    DcCounter(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** The counter of a DC message that did not open ({@code r} is not OK). */
    static DcCounter dcDrop(TrafficKey.Result r) {
        return switch (r) {
            case TOO_SHORT -> DC_TOO_SHORT;
            case WRONG_SUITE -> DC_WRONG_SUITE;
            case REPLAYED -> DC_REPLAYED;
            case BAD_AUTH -> DC_BAD_AUTH;
            case OK -> throw new IllegalArgumentException("OK is not a drop");
        };
    }
}
