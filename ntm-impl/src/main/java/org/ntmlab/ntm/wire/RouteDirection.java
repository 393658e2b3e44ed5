package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * ROUTE_DIRECTION (DC -> MN and CN): the path for one tunnel (paper section 3.2, "route
 * direction"). Carries the tunnel's keys, which only the DC and the two ends know.
 *
 * @param requestId     the MN's DIRECTION_REQUEST id, 0 for the CN
 * @param tunnelId      chosen by the DC, unique among its tunnels
 * @param role          {@link #INITIATOR} sends TUNNEL_REQUEST, {@link #RESPONDER} answers
 * @param path          {@link #DIRECT} or {@link #RELAY}
 * @param peerEndpoint  where to send: the peer's (mapped) address, or the RS
 * @param peerMapped    the peer's NAT-mapped address for route-optimisation probes, or null
 * @param tunnelSecret  32 bytes; direction keys derive from it (docs/protocol.md)
 * @param relaySecret   32 bytes shared with the RS, zeros on a direct path
 */
public record RouteDirection(long requestId, long tunnelId, int role, int path, String peerFqdn,
                             InetAddress peerV4, InetAddress peerV6, InetSocketAddress peerEndpoint,
                             InetSocketAddress peerMapped, byte[] tunnelSecret, byte[] relaySecret) {

    public static final int INITIATOR = 1;
    public static final int RESPONDER = 2;
    public static final int DIRECT = 1;
    public static final int RELAY = 2;
    public static final int SECRET_LENGTH = 32;

    public void encode(ByteBuffer b) {
        b.putLong(requestId).putLong(tunnelId).put((byte) role).put((byte) path);
        BodyWriter.string(b, peerFqdn);
        BodyWriter.addr(b, peerV4);
        BodyWriter.addr(b, peerV6);
        BodyWriter.sockaddr(b, peerEndpoint);
        BodyWriter.sockaddr(b, peerMapped);
        b.put(tunnelSecret).put(relaySecret);
    }

    public static RouteDirection decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        long requestId = r.u64("requestId");
        long tunnelId = r.u64("tunnelId");
        int role = r.u8("role");
        if (role != INITIATOR && role != RESPONDER) {
            throw new MalformedMessageException("role " + role + " is neither initiator (1) nor responder (2)");
        }
        int path = r.u8("path");
        if (path != DIRECT && path != RELAY) {
            throw new MalformedMessageException("path " + path + " is neither direct (1) nor relay (2)");
        }
        String fqdn = r.string("peerFqdn");
        InetAddress v4 = r.addr("peerV4");
        InetAddress v6 = r.addr("peerV6");
        InetSocketAddress ep = r.sockaddr("peerEndpoint");
        if (ep == null) {
            throw new MalformedMessageException("peerEndpoint missing");
        }
        InetSocketAddress mapped = r.sockaddr("peerMapped");
        byte[] ts = r.bytes(SECRET_LENGTH, "tunnelSecret");
        byte[] rs = r.bytes(SECRET_LENGTH, "relaySecret");
        r.end("ROUTE_DIRECTION");
        return new RouteDirection(requestId, tunnelId, role, path, fqdn, v4, v6, ep, mapped, ts, rs);
    }
}
