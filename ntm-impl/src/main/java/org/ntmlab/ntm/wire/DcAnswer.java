package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

/** DC_ANSWER (DCcn -> DCmn): the CN's virtual addresses and where it is (its position). */
public record DcAnswer(long queryId, InetAddress cnV4, InetAddress cnV6, List<DcReach> position) {

    public DcAnswer {
        position = List.copyOf(position);
    }

    public void encode(ByteBuffer b) {
        b.putLong(queryId);
        BodyWriter.addr(b, cnV4);
        BodyWriter.addr(b, cnV6);
        DcReach.encodeAll(b, position);
    }

    public static DcAnswer decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        long q = r.u64("queryId");
        InetAddress v4 = r.addr("cnV4");
        InetAddress v6 = r.addr("cnV6");
        if (v4 != null && !(v4 instanceof java.net.Inet4Address) || v6 != null && !(v6 instanceof java.net.Inet6Address)) {
            throw new MalformedMessageException("DC_ANSWER: virtual addresses of the wrong family");
        }
        DcAnswer m = new DcAnswer(q, v4, v6, DcReach.decodeAll(r));
        r.end("DC_ANSWER");
        return m;
    }
}
