package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * DC_DIRECTION_ACK (value = generation the CN acknowledged) and DC_POSITION_ACK (value =
 * sequence of the position taken): a tunnel id and a 64-bit value.
 */
public record DcAck(long tunnelId, long value) {

    public void encode(ByteBuffer b) {
        b.putLong(tunnelId).putLong(value);
    }

    public static DcAck decode(ByteBuffer b, String message) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DcAck m = new DcAck(r.u64("tunnelId"), r.u64("value"));
        r.end(message);
        return m;
    }
}
