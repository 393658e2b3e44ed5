package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * A body that is one 64-bit value: ROUTE_DIRECTION_ACK and RELAY_AUTHORISE_ACK (tunnel id),
 * PROBE and PROBE_ACK (nonce).
 */
public record IdBody(long value) {

    public static final int LENGTH = 8;

    public void encode(ByteBuffer b) {
        b.putLong(value);
    }

    public static IdBody decode(ByteBuffer b, String message) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        IdBody m = new IdBody(r.u64("value"));
        r.end(message);
        return m;
    }
}
