package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/** DIRECTION_REQUEST (MN -> its DC): "give me a path to this FQDN" (paper section 3.2). */
public record DirectionRequest(long requestId, String peerFqdn) {

    public void encode(ByteBuffer b) {
        b.putLong(requestId);
        BodyWriter.string(b, peerFqdn);
    }

    public static DirectionRequest decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DirectionRequest m = new DirectionRequest(r.u64("requestId"), r.string("peerFqdn"));
        r.end("DIRECTION_REQUEST");
        return m;
    }
}
