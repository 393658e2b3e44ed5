package org.ntmlab.ntm.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One IP family of a node's position as a DC sees it, sent between DCs (docs/protocol.md,
 * "Several domains": {@code position}): where the DC observed the node and whether a NAT is on
 * the path (paper section 3.2: "the CN's real IP address ... and the NAT's address").
 */
public record DcReach(InetSocketAddress observed, boolean natted) {

    /** A position has one entry per IP family the node has: 1 or 2. */
    public static final int MAX = 2;

    public static void encodeAll(ByteBuffer b, List<DcReach> position) {
        if (position.isEmpty() || position.size() > MAX) {
            throw new IllegalArgumentException("a position has 1 or 2 entries, got " + position.size());
        }
        b.put((byte) position.size());
        for (DcReach r : position) {
            BodyWriter.sockaddr(b, r.observed);
            b.put((byte) (r.natted ? 1 : 0));
        }
    }

    public static List<DcReach> decodeAll(BodyReader r) throws MalformedMessageException {
        int n = r.u8("position.count");
        if (n < 1 || n > MAX) {
            throw new MalformedMessageException("position has " + n + " entries (1 or 2 allowed)");
        }
        List<DcReach> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetSocketAddress a = r.sockaddr("position[" + i + "].observed");
            if (a == null) {
                throw new MalformedMessageException("position[" + i + "]: family 0 not allowed");
            }
            for (DcReach other : out) {
                if ((other.observed.getAddress() instanceof java.net.Inet4Address)
                        == (a.getAddress() instanceof java.net.Inet4Address)) {
                    throw new MalformedMessageException("position lists one IP family twice");
                }
            }
            int natted = r.u8("position[" + i + "].natted");
            if (natted > 1) {
                throw new MalformedMessageException("position[" + i + "].natted is " + natted);
            }
            out.add(new DcReach(a, natted == 1));
        }
        return List.copyOf(out);
    }
}
