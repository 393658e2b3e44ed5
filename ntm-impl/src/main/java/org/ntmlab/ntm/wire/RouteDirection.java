package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * ROUTE_DIRECTION (DC -> MN and CN): the path for one tunnel (paper section 3.2, "route
 * direction"). Carries the tunnel's keys, which only the DC and the two ends know.
 *
 * @param requestId     the MN's DIRECTION_REQUEST id, 0 for the CN
 * @param tunnelId      chosen by the DC, unique among its tunnels
 * @param generation    +1 each time the DC re-directs the tunnel (after a move); the ack names it, and
 *                      an end ignores a direction older than one it already follows
 * @param role          {@link #INITIATOR} (the MN) or {@link #RESPONDER}: selects the direction keys; fixed
 *                      for the tunnel's life
 * @param opener        true: this end sends TUNNEL_REQUEST (the NATed end opens a direct path); may
 *                      change when a move changes the path
 * @param path          {@link #DIRECT} or {@link #RELAY}
 * @param peerEndpoint  where to send: the peer's (mapped) address, or the RS
 * @param peerMapped    the peer's NAT-mapped address for route-optimisation probes, or null
 * @param peerHosts     the peer's host endpoints for route-optimisation probes ({@link HostEndpoints}):
 *                      only when the DC saw both ends behind one public address, else empty
 * @param tunnelSecret  32 bytes; direction keys derive from it (docs/protocol.md)
 * @param relaySecret   32 bytes shared with the RS, zeros on a direct path
 */
public record RouteDirection(long requestId, long tunnelId, long generation, int role, boolean opener, int path, String peerFqdn,
                             InetAddress peerV4, InetAddress peerV6, InetSocketAddress peerEndpoint,
                             InetSocketAddress peerMapped, List<InetSocketAddress> peerHosts, byte[] tunnelSecret,
                             byte[] relaySecret) {

    public static final int INITIATOR = 1;
    public static final int RESPONDER = 2;
    public static final int DIRECT = 1;
    public static final int RELAY = 2;
    public static final int SECRET_LENGTH = 32;

    public RouteDirection {
        peerHosts = HostEndpoints.checked(peerHosts);
    }

    public void encode(ByteBuffer b) {
        b.putLong(requestId).putLong(tunnelId).putLong(generation).put((byte) role).put((byte) (opener ? 1 : 0)).put((byte) path);
        BodyWriter.string(b, peerFqdn);
        BodyWriter.addr(b, peerV4);
        BodyWriter.addr(b, peerV6);
        BodyWriter.sockaddr(b, peerEndpoint);
        BodyWriter.sockaddr(b, peerMapped);
        HostEndpoints.encode(b, peerHosts);
        b.put(tunnelSecret).put(relaySecret);
    }

    public static RouteDirection decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        long requestId = r.u64("requestId");
        long tunnelId = r.u64("tunnelId");
        long generation = r.u64("generation");
        int role = r.u8("role");
        if (role != INITIATOR && role != RESPONDER) {
            throw new MalformedMessageException("role " + role + " is neither initiator (1) nor responder (2)");
        }
        int opener = r.u8("opener");
        if (opener > 1) {
            throw new MalformedMessageException("opener " + opener + " is neither 0 nor 1");
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
        List<InetSocketAddress> hosts = HostEndpoints.decode(r, "peerHosts");
        byte[] ts = r.bytes(SECRET_LENGTH, "tunnelSecret");
        byte[] rs = r.bytes(SECRET_LENGTH, "relaySecret");
        r.end("ROUTE_DIRECTION");
        return new RouteDirection(requestId, tunnelId, generation, role, opener == 1, path, fqdn, v4, v6, ep, mapped, hosts, ts,
                rs);
    }
}
