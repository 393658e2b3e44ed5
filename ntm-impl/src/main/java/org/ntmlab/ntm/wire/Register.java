package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * REGISTER (node -> DC): the node's FQDN, the real addresses it sees on its interfaces and
 * its local port. The DC compares them with the source address it observes to tell whether
 * a NAT is on the path (paper section 3.2).
 */
public record Register(String fqdn, List<InetAddress> realAddresses, int port) {

    public Register {
        realAddresses = List.copyOf(realAddresses);
        if (realAddresses.size() > 32) {
            throw new IllegalArgumentException("at most 32 real addresses");
        }
    }

    public void encode(ByteBuffer b) {
        BodyWriter.string(b, fqdn);
        b.put((byte) realAddresses.size());
        for (InetAddress a : realAddresses) {
            BodyWriter.addr(b, a);
        }
        b.putShort((short) port);
    }

    public static Register decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        String fqdn = r.string("fqdn");
        int n = r.u8("addresses.count");
        if (n > 32) {
            throw new MalformedMessageException("REGISTER lists " + n + " addresses (max 32)");
        }
        List<InetAddress> addrs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetAddress a = r.addr("addresses[" + i + "]");
            if (a == null) {
                throw new MalformedMessageException("addresses[" + i + "]: family 0 not allowed");
            }
            addrs.add(a);
        }
        int port = r.u16("port");
        r.end("REGISTER");
        return new Register(fqdn, addrs, port);
    }
}
