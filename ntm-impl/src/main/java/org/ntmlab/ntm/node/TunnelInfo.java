package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One row of the tunnel table, as a user sees it (`ntm tunnels`): the peer, the path and
 * counters. A snapshot; safe to keep.
 *
 * @param setupMillis from ROUTE_DIRECTION to UP, -1 while not up
 */
public record TunnelInfo(String peerFqdn, InetAddress peerVirtualV4, InetAddress peerVirtualV6, long tunnelId,
                         String role, String state, String path, InetSocketAddress peerEndpoint,
                         InetSocketAddress relay, InetSocketAddress peerMapped, boolean optimised,
                         double setupMillis, long txPackets, long rxPackets, long txBytes, long rxBytes,
                         long rxDropped, long roams) {

    public boolean isUp() {
        return "up".equals(state);
    }

    public boolean isDirect() {
        return "direct".equals(path);
    }

    /** One-line JSON for the control channel and reports. */
    public String toJson() {
        return "{\"peer\":\"" + peerFqdn + "\",\"v4\":" + q(peerVirtualV4) + ",\"v6\":" + q(peerVirtualV6)
                + ",\"tunnelId\":\"" + Long.toHexString(tunnelId) + "\",\"role\":\"" + role + "\",\"state\":\""
                + state + "\",\"path\":\"" + path + "\",\"peerEndpoint\":" + q(peerEndpoint) + ",\"relay\":"
                + q(relay) + ",\"peerMapped\":" + q(peerMapped) + ",\"optimised\":" + optimised
                + ",\"setupMs\":" + setupMillis + ",\"txPackets\":" + txPackets + ",\"rxPackets\":" + rxPackets
                + ",\"txBytes\":" + txBytes + ",\"rxBytes\":" + rxBytes + ",\"rxDropped\":" + rxDropped
                + ",\"roams\":" + roams + "}";
    }

    private static String q(InetAddress a) {
        return a == null ? "null" : "\"" + a.getHostAddress() + "\"";
    }

    private static String q(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return "null";
        }
        String h = a.getAddress().getHostAddress();
        return "\"" + (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort() + "\"";
    }
}
