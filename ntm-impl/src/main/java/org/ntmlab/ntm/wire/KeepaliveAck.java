package org.ntmlab.ntm.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** KEEPALIVE_ACK (DC -> node): the mapped address, so a node notices a NAT rebinding. */
public record KeepaliveAck(InetSocketAddress observed) {

    public void encode(ByteBuffer b) {
        BodyWriter.sockaddr(b, observed);
    }

    public static KeepaliveAck decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        KeepaliveAck m = new KeepaliveAck(r.sockaddr("observed"));
        r.end("KEEPALIVE_ACK");
        return m;
    }
}
