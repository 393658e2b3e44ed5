package org.ntmlab.ntm.transport.memory;

import java.net.InetSocketAddress;

/** A UDP datagram in flight on the in-memory network (addresses rewritten by NATs on the way). */
record Datagram(InetSocketAddress src, InetSocketAddress dst, byte[] payload) {

    Datagram withSrc(InetSocketAddress s) {
        return new Datagram(s, dst, payload);
    }

    Datagram withDst(InetSocketAddress d) {
        return new Datagram(src, d, payload);
    }
}
