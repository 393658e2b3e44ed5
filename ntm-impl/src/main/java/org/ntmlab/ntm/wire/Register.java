package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * REGISTER (node -> DC): the node's FQDN, the real addresses it sees on its interfaces, its host
 * endpoints (those addresses with the port of its socket of their family, {@link HostEndpoints}),
 * and when it was sent (the node's clock, ms since the epoch). The DC compares the addresses with
 * the source address it observes to tell whether a NAT is on the path (paper section 3.2), hands
 * the host endpoints to a peer behind the same public address (issue 12: same NAT, same LAN), and
 * refuses a REGISTER sent too long ago: a recorded one replayed to a DC that restarted (and so
 * lost the key's replay window) does not take the node's session (issue 11).
 */
public record Register(String fqdn, List<InetAddress> realAddresses, List<InetSocketAddress> hostEndpoints,
                       long sentAtMs) {

    public Register {
        realAddresses = List.copyOf(realAddresses);
        if (realAddresses.size() > 32) {
            throw new IllegalArgumentException("at most 32 real addresses");
        }
        hostEndpoints = HostEndpoints.checked(hostEndpoints);
    }

    public void encode(ByteBuffer b) {
        BodyWriter.string(b, fqdn);
        b.put((byte) realAddresses.size());
        for (InetAddress a : realAddresses) {
            BodyWriter.addr(b, a);
        }
        HostEndpoints.encode(b, hostEndpoints);
        b.putLong(sentAtMs);
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
        List<InetSocketAddress> hosts = HostEndpoints.decode(r, "hostEndpoints");
        long sentAtMs = r.u64("sentAtMs");
        r.end("REGISTER");
        return new Register(fqdn, addrs, hosts, sentAtMs);
    }
}
