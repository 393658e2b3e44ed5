package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * DC_DIRECTION (DCmn -> DCcn, paper section 3.2: "the route direction to the CN goes through
 * DCcn"): the ROUTE_DIRECTION DCmn decided for the CN, for DCcn to seal with the CN's key and
 * send to the CN on the IP family {@code cnFamily} (4 or 6).
 */
public record DcDirection(int cnFamily, String cnFqdn, RouteDirection direction) {

    public void encode(ByteBuffer b) {
        b.put((byte) cnFamily);
        BodyWriter.string(b, cnFqdn);
        direction.encode(b);
    }

    public static DcDirection decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        int family = r.u8("cnFamily");
        if (family != 4 && family != 6) {
            throw new MalformedMessageException("cnFamily " + family + " is neither 4 nor 6");
        }
        String cn = r.string("cnFqdn");
        RouteDirection rd = RouteDirection.decode(b); // checks its own end
        return new DcDirection(family, cn, rd);
    }
}
