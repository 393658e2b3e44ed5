package org.ntmlab.ntm.rs;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counter;

/**
 * What a {@link RelayServer} counts ({@link RelayServer#counters()}), besides the drops of
 * {@link org.ntmlab.ntm.wire.MessageDrop} that every receiver shares (those count
 * RELAY_AUTHORISE from the DC). The keys are the names counted before this enum existed.
 */
public enum RelayCounter implements Counter {

    // ---- RELAY_AUTHORISE from the DC

    /** RELAY_AUTHORISE under another RS id than ours. */
    WRONG_RELAY_ID("wrongRelayId"),
    /** RELAY_AUTHORISE accepted (new tunnel, new relay secret, or a retransmission): acked. */
    AUTHORISED("authorised"),
    /** An authorised tunnel unused for its lifetime: forgotten. */
    EXPIRED("expired"),
    /** A RELAY_AUTHORISE for a new tunnel refused: the RS relays {@code MAX_TUNNELS} already. */
    TABLE_FULL("tableFull"),

    // ---- RELAY_BIND from the ends

    /** RELAY_BIND without room for the tag. */
    BIND_TOO_SHORT("bindTOO_SHORT"),
    /** RELAY_BIND sealed with another cipher suite. */
    BIND_WRONG_SUITE("bindWRONG_SUITE"),
    /** RELAY_BIND outside the replay window of that end's relay key, or already opened. */
    BIND_REPLAYED("bindREPLAYED"),
    /** RELAY_BIND whose tag does not verify with that end's relay key. */
    BIND_BAD_AUTH("bindBAD_AUTH"),
    /** RELAY_BIND accepted: that end's address is bound (first time, or after a move). */
    BINDS("binds"),

    // ---- relayed tunnel messages

    /** A tunnel message for a tunnel no DC authorised here. */
    UNAUTHORISED_TUNNEL("unauthorisedTunnel"),
    /** A tunnel message from another address than the one its end bound: never an open relay. */
    UNBOUND_SOURCE("unboundSource"),
    /** A tunnel message whose other end has not bound yet. */
    PEER_NOT_BOUND("peerNotBound"),
    /** The other end's family has no socket on this RS. */
    NO_FAMILY("noFamily"),
    /** A tunnel message forwarded to the other end. */
    RELAYED("relayed");

    private final String key;

    RelayCounter(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** The counter of a RELAY_BIND that did not open with its end's relay key ({@code r} is not OK). */
    static RelayCounter bindDrop(TrafficKey.Result r) {
        return switch (r) {
            case TOO_SHORT -> BIND_TOO_SHORT;
            case WRONG_SUITE -> BIND_WRONG_SUITE;
            case REPLAYED -> BIND_REPLAYED;
            case BAD_AUTH -> BIND_BAD_AUTH;
            case OK -> throw new IllegalArgumentException("OK is not a drop");
        };
    }
}
