package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * DC_FAILURE (either DC): the message of type {@code about} naming {@code id} (a query id for
 * DC_QUERY, else a tunnel id) was refused, with a reason a person can read.
 */
public record DcFailure(int about, long id, String reason) {

    public void encode(ByteBuffer b) {
        b.put((byte) about).putLong(id);
        BodyWriter.reason(b, reason, 200);
    }

    public static DcFailure decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        int about = r.u8("about");
        if (about != MessageType.DC_QUERY && about != MessageType.DC_DIRECTION && about != MessageType.DC_POSITION) {
            throw new MalformedMessageException("DC_FAILURE about type " + about);
        }
        DcFailure m = new DcFailure(about, r.u64("id"), r.string("reason"));
        r.end("DC_FAILURE");
        return m;
    }
}
