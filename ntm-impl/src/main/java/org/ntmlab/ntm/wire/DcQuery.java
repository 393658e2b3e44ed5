package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * DC_QUERY (DCmn -> DCcn, paper section 3.2: "DCmn obtains from DCcn the CN's real and virtual
 * addresses"): where is this CN? Carries the tunnel id DCmn means to use, so DCcn can refuse
 * one it already uses. Body after the DC-DC envelope's {@code sent at}.
 */
public record DcQuery(long queryId, long tunnelId, String mnFqdn, String cnFqdn) {

    public void encode(ByteBuffer b) {
        b.putLong(queryId).putLong(tunnelId);
        BodyWriter.string(b, mnFqdn);
        BodyWriter.string(b, cnFqdn);
    }

    public static DcQuery decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        DcQuery m = new DcQuery(r.u64("queryId"), r.u64("tunnelId"), r.string("mnFqdn"), r.string("cnFqdn"));
        r.end("DC_QUERY");
        return m;
    }
}
