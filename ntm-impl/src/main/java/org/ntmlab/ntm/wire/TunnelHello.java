package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** TUNNEL_REQUEST / TUNNEL_RESPONSE body: who the sender is, in virtual addresses. */
public record TunnelHello(String fqdn, InetAddress virtualV4, InetAddress virtualV6) {

    public void encode(ByteBuffer b) {
        BodyWriter.string(b, fqdn);
        BodyWriter.addr(b, virtualV4);
        BodyWriter.addr(b, virtualV6);
    }

    public static TunnelHello decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        TunnelHello m = new TunnelHello(r.string("fqdn"), r.addr("virtualV4"), r.addr("virtualV6"));
        r.end("TUNNEL_HELLO");
        return m;
    }
}
