package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * ROUTE_DIRECTION_ACK (node -> DC): which direction, in which generation, the node follows.
 * Naming the generation keeps a late ack of an outdated direction from stopping the DC's
 * retransmission of the current one.
 */
public record DirectionAck(long tunnelId, long generation) {

    public void encode(ByteBuffer b) {
        b.putLong(tunnelId).putLong(generation);
    }

    public static DirectionAck decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DirectionAck m = new DirectionAck(r.u64("tunnelId"), r.u64("generation"));
        r.end("ROUTE_DIRECTION_ACK");
        return m;
    }
}
