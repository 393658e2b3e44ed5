package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** REGISTER_ACK (DC -> node): the node's virtual addresses and the mapped address the DC saw. */
public record RegisterAck(InetAddress virtualV4, InetAddress virtualV6, InetSocketAddress observed,
                          int keepaliveSeconds) {

    public void encode(ByteBuffer b) {
        BodyWriter.addr(b, virtualV4);
        BodyWriter.addr(b, virtualV6);
        BodyWriter.sockaddr(b, observed);
        b.putShort((short) keepaliveSeconds);
    }

    public static RegisterAck decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        RegisterAck m = new RegisterAck(r.addr("virtualV4"), r.addr("virtualV6"), r.sockaddr("observed"),
                r.u16("keepaliveSeconds"));
        r.end("REGISTER_ACK");
        return m;
    }
}
