package org.ntmlab.ntm.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of host endpoints (docs/protocol.md "REGISTER body", "ROUTE_DIRECTION body"): a node's
 * real addresses with the port of its socket of that family, as ICE host candidates (RFC 8445
 * section 5.1.1.1). A node lists its own in REGISTER; the DC hands a peer's on in
 * ROUTE_DIRECTION only when both ends are behind one public address, for route optimisation to
 * probe. On the wire a u8 count and that many {@code sockaddr}s, at most
 * {@link #MAX_PER_FAMILY} of each family, none of family 0 or port 0.
 */
public final class HostEndpoints {

    /** Host endpoints of one family in one list. */
    public static final int MAX_PER_FAMILY = 4;
    /** Host endpoints in one list: {@link #MAX_PER_FAMILY} of each family. */
    public static final int MAX = 2 * MAX_PER_FAMILY;

    private HostEndpoints() {
    }

    /**
     * Why {@code hosts} cannot be sent (too many of a family, an unresolved address, port 0), or
     * null. Encoders refuse such lists, decoders such bytes.
     */
    public static String problem(List<InetSocketAddress> hosts) {
        int v4 = 0;
        int v6 = 0;
        for (InetSocketAddress h : hosts) {
            if (h == null || h.getAddress() == null) {
                return "a host endpoint without an address";
            }
            if (h.getPort() == 0) {
                return "host endpoint " + h + " has port 0";
            }
            if (h.getAddress() instanceof Inet4Address ? ++v4 > MAX_PER_FAMILY : ++v6 > MAX_PER_FAMILY) {
                return "more than " + MAX_PER_FAMILY + " host endpoints of one family";
            }
        }
        return null;
    }

    /**
     * Whether {@code a} may be a host endpoint: a private address, which the Internet does not
     * route, so a peer told to probe it reaches at most its own private network (docs/security.md
     * finding 16): IPv4 10/8, 172.16/12, 192.168/16 (RFC 1918) and 100.64/10 (RFC 6598), IPv6
     * fc00::/7 (RFC 4193). A node behind a NAT has such addresses; one with a public address is
     * not NATed, and needs no host endpoints.
     */
    public static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int o0 = b[0] & 0xFF;
            int o1 = b[1] & 0xFF;
            return o0 == 10 || o0 == 172 && (o1 & 0xF0) == 16 || o0 == 192 && o1 == 168
                    || o0 == 100 && (o1 & 0xC0) == 64;
        }
        return (b[0] & 0xFE) == 0xFC;
    }

    /** Checks {@code hosts} ({@link #problem}) and returns an unmodifiable copy. */
    static List<InetSocketAddress> checked(List<InetSocketAddress> hosts) {
        List<InetSocketAddress> copy = List.copyOf(hosts);
        String problem = problem(copy);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return copy;
    }

    static void encode(ByteBuffer b, List<InetSocketAddress> hosts) {
        b.put((byte) hosts.size());
        for (InetSocketAddress h : hosts) {
            BodyWriter.sockaddr(b, h);
        }
    }

    static List<InetSocketAddress> decode(BodyReader r, String field) throws MalformedMessageException {
        int n = r.u8(field + ".count");
        if (n > MAX) {
            throw new MalformedMessageException(field + " lists " + n + " host endpoints (max " + MAX + ")");
        }
        List<InetSocketAddress> hosts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetSocketAddress h = r.sockaddr(field + "[" + i + "]");
            if (h == null) {
                throw new MalformedMessageException(field + "[" + i + "]: family 0 not allowed");
            }
            hosts.add(h);
        }
        String problem = problem(hosts);
        if (problem != null) {
            throw new MalformedMessageException(field + ": " + problem);
        }
        return List.copyOf(hosts);
    }
}
