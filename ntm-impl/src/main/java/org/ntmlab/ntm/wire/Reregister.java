package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * REREGISTER (DC -> node, sealed with the node key): "I hold no registration of yours on this
 * family, register again". The DC sends it in answer to an authenticated node message other than
 * REGISTER when it has no binding for the node (a restarted DC that fetched the key from the AS
 * again), or to a KEEPALIVE on a family the node has not registered. Only the holder of the node
 * key can seal it, so nothing unauthenticated can make a node re-register.
 *
 * @param reason {@link #UNKNOWN_NODE} or {@link #FAMILY_UNREGISTERED}
 * @param about  the type of the node's message that the DC answers (e.g. KEEPALIVE)
 */
public record Reregister(int reason, int about) {

    /** The DC has no registration of the node at all (it restarted, or forgot it). */
    public static final int UNKNOWN_NODE = 1;
    /** The DC knows the node, but not on the family the message came on. */
    public static final int FAMILY_UNREGISTERED = 2;

    public void encode(ByteBuffer b) {
        b.put((byte) reason);
        b.put((byte) about);
    }

    public static Reregister decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        Reregister m = new Reregister(r.u8("reason"), r.u8("about"));
        r.end("REREGISTER");
        return m;
    }

    /** The reason as the node's events name it. */
    public String reasonName() {
        return switch (reason) {
            case UNKNOWN_NODE -> "unknown-node";
            case FAMILY_UNREGISTERED -> "family-unregistered";
            default -> "reason-" + reason;
        };
    }
}
