package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * DC_POSITION (DCcn -> DCmn, paper section 4.2 for a CN that moved): the CN of a tunnel DCmn
 * owns is now here. {@code sequence} grows with each change, so a late update cannot undo a
 * newer one.
 */
public record DcPosition(long tunnelId, long sequence, List<DcReach> position) {

    public DcPosition {
        position = List.copyOf(position);
    }

    public void encode(ByteBuffer b) {
        b.putLong(tunnelId).putLong(sequence);
        DcReach.encodeAll(b, position);
    }

    public static DcPosition decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DcPosition m = new DcPosition(r.u64("tunnelId"), r.u64("sequence"), DcReach.decodeAll(r));
        r.end("DC_POSITION");
        return m;
    }
}
