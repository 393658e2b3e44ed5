package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/** DIRECTION_FAILURE (DC -> MN): no path, with a reason a person can read. */
public record DirectionFailure(long requestId, String reason) {

    public void encode(ByteBuffer b) {
        b.putLong(requestId);
        BodyWriter.reason(b, reason, 200);
    }

    public static DirectionFailure decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DirectionFailure m = new DirectionFailure(r.u64("requestId"), r.string("reason"));
        r.end("DIRECTION_FAILURE");
        return m;
    }
}
