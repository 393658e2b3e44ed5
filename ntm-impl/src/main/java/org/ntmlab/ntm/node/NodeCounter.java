package org.ntmlab.ntm.node;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counter;

/**
 * What an {@link NtmNode} counts ({@link NtmNode#counters()}, the control channel's
 * {@code counters}), besides the drops of {@link org.ntmlab.ntm.wire.MessageDrop} that every
 * receiver shares. The keys are the names counted before this enum existed.
 */
public enum NodeCounter implements Counter {

    // ---- signalling from the DC (NtmNode.onDatagram)

    /** Signalling under a key id that is not this node's: not for us, or a stale login. */
    UNKNOWN_KEY("unknownKey"),
    /** DC signalling without room for the tag. */
    DC_TOO_SHORT("dcTOO_SHORT"),
    /** DC signalling sealed with another cipher suite. */
    DC_WRONG_SUITE("dcWRONG_SUITE"),
    /** DC signalling outside the replay window of the node <-> DC key, or already opened. */
    DC_REPLAYED("dcREPLAYED"),
    /** DC signalling whose tag does not verify with the node <-> DC key. */
    DC_BAD_AUTH("dcBAD_AUTH"),

    // ---- registration and resolution

    /** A real socket could not be opened (port in use, family missing): that family stays unused. */
    OPEN_FAILED("openFailed"),
    /** ROUTE_DIRECTION of an older generation than the tunnel follows: overtaken, ignored. */
    STALE_DIRECTION("staleDirection"),
    /** New tunnel refused: its peer's virtual address is already another tunnel's peer's. */
    VIRTUAL_ADDRESS_CLASH("virtualAddressClash"),
    /** ROUTE_DIRECTION gives this node the other role in a tunnel: the keys are bound to the role, ignored. */
    ROLE_CHANGED("roleChanged"),
    /** A KEEPALIVE sent again: no KEEPALIVE_ACK within {@code KEEPALIVE_ACK_TIMEOUT_NANOS}. */
    KEEPALIVE_RETRIES("keepaliveRetries"),
    /** The registration was lost (no KEEPALIVE_ACK after every try, or REREGISTER from the DC): registering again. */
    REGISTRATION_LOST("registrationLost"),
    /** An authenticated REREGISTER from the DC (it holds no registration of ours, e.g. after a restart). */
    REREGISTER_REQUESTS("reregisterRequests"),

    // ---- tunnel send

    /** An inner packet for a destination with no tunnel that was ever up: dropped. */
    NO_TUNNEL("noTunnel"),
    /** No real socket of the family of the tunnel's target (or the RS): not sent. */
    NO_ENDPOINT("noEndpoint"),

    // ---- tunnel receive

    /** A tunnel message with a tunnel id not in the tunnel table. */
    UNKNOWN_TUNNEL("unknownTunnel"),
    /** A tunnel message without room for the tag. */
    TUNNEL_TOO_SHORT("tunnelTOO_SHORT"),
    /** A tunnel message sealed with another cipher suite. */
    TUNNEL_WRONG_SUITE("tunnelWRONG_SUITE"),
    /** A tunnel message outside the tunnel key's replay window, or already opened. */
    TUNNEL_REPLAYED("tunnelREPLAYED"),
    /** A tunnel message whose tag does not verify with the tunnel key. */
    TUNNEL_BAD_AUTH("tunnelBAD_AUTH"),
    /** DATA whose inner source is not the tunnel's peer's virtual address (cryptokey routing): dropped. */
    SPOOFED_SOURCE("spoofedSource"),
    /** A UDP echo request from a port below 1024 (another service, maybe an echo loop): not answered. */
    ECHO_PRIVILEGED_SOURCE("echoPrivilegedSource"),
    /** RELAY_BIND_ACK on a tunnel without relay keys, or not opening with them. */
    BAD_RELAY_ACK("badRelayAck"),

    // ---- tunnel events

    /** A PROBE_ACK from outside the RS proved a direct path: the relayed tunnel went direct. */
    OPTIMISED("optimised"),
    /**
     * A route-optimisation PROBE from outside the RS reached a tunnel still on the RS, from a source
     * it had not probed: it probes that source too (triggered check, RFC 8445 section 7.3.1.4), so
     * both ends take the path the PROBE proved (docs/protocol.md "Route optimisation").
     */
    TRIGGERED_CHECKS("triggeredChecks"),
    /** Route optimisation gave up after its probes: the tunnel stays on the RS. */
    OPTIMISATION_FAILED("optimisationFailed"),
    /** A tunnel works again after a move (or a re-direction): TCP to the peer resends now. */
    PATH_RESUMED("pathResumed"),
    /** A tunnel could not be set up (the RS did not answer RELAY_BIND, or the peer TUNNEL_REQUEST): its resolves fail. */
    TUNNEL_FAILURES("tunnelFailures"),
    /** A liveness PROBE sent: the tunnel heard nothing from its peer since the last check. */
    LIVENESS_PROBES("livenessProbes"),
    /** A tunnel went DOWN (liveness probes unanswered, or its re-set-up failed). */
    TUNNELS_DOWN("tunnelsDown"),
    /** A DOWN tunnel came back UP: an authenticated packet from its peer arrived after all. */
    TUNNELS_REVIVED("tunnelsRevived"),
    /** A re-resolve started for the peer of a DOWN tunnel (docs/protocol.md "Tunnel liveness"). */
    RERESOLVES("reresolves"),
    /** An older tunnel to a peer removed because a newer one to the same peer is UP. */
    TUNNELS_SUPERSEDED("tunnelsSuperseded"),
    /** A ROUTE_DIRECTION for a new tunnel refused: the node holds {@code MAX_TUNNELS} already. */
    TUNNEL_TABLE_FULL("tunnelTableFull");

    private final String key;

    NodeCounter(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** The counter of DC signalling that did not open with the node <-> DC key ({@code r} is not OK). */
    static NodeCounter dcDrop(TrafficKey.Result r) {
        return switch (r) {
            case TOO_SHORT -> DC_TOO_SHORT;
            case WRONG_SUITE -> DC_WRONG_SUITE;
            case REPLAYED -> DC_REPLAYED;
            case BAD_AUTH -> DC_BAD_AUTH;
            case OK -> throw new IllegalArgumentException("OK is not a drop");
        };
    }

    /** The counter of a tunnel message that did not open with the tunnel key ({@code r} is not OK). */
    static NodeCounter tunnelDrop(TrafficKey.Result r) {
        return switch (r) {
            case TOO_SHORT -> TUNNEL_TOO_SHORT;
            case WRONG_SUITE -> TUNNEL_WRONG_SUITE;
            case REPLAYED -> TUNNEL_REPLAYED;
            case BAD_AUTH -> TUNNEL_BAD_AUTH;
            case OK -> throw new IllegalArgumentException("OK is not a drop");
        };
    }
}
