package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The names of the node's signalling events ({@link NtmNode#onEvent}, the CLI's
 * {@code --events FILE}): one line each, {@code ts=<epoch seconds.micros> node=<fqdn>
 * event=<name> key=value...}, the format pcap-analysis reads without any rewriting
 * (docs/pcap-analysis.md, "Node event log", lists every event with its attributes).
 * {@code NodeEventsDocTest} keeps these constants equal to that table's node rows, and
 * pcap-analysis's {@code EventLogDocTest} keeps its {@code EventLog} names to the same table,
 * so the node and the analyser agree without depending on each other.
 */
public final class NodeEvents {

    /** A real address appeared: {@code addr=<the address>}, one line per address, IPv4 first. */
    public static final String ADDRESS_ADDED = "address-added";
    /** A real address went away: {@code addr=<the address>}, after the change's additions. */
    public static final String ADDRESS_REMOVED = "address-removed";
    /** An address notification that added and removed nothing (e.g. a link-local address, a lease renewal). */
    public static final String ADDRESS_CHANGED = "address-changed";
    /** A route appeared and the node sends again what had not left. */
    public static final String ROUTE_ADDED = "route-added";
    public static final String REGISTER_SENT = "register-sent";
    public static final String REGISTER_ACKED = "register-acked";
    /**
     * The registration with the DC is lost and the node registers again (never giving up):
     * {@code reason=keepalive-timeout} (no KEEPALIVE_ACK), {@code register-timeout} (no REGISTER_ACK
     * after a move), {@code dc-unknown-node} or {@code dc-family-unregistered} (the DC's REREGISTER,
     * then also {@code family=}).
     */
    public static final String REGISTRATION_LOST = "registration-lost";
    /** The DC saw us at another address than before on a family (our NAT re-mapped us). */
    public static final String MAPPING_CHANGED = "mapping-changed";
    public static final String DIRECTION_REQUEST = "direction-request";
    public static final String ROUTE_DIRECTION = "route-direction";
    public static final String TUNNEL_REFUSED = "tunnel-refused";
    public static final String TUNNEL_UP = "tunnel-up";
    public static final String TUNNEL_UPDATED = "tunnel-updated";
    public static final String PEER_ROAMED = "peer-roamed";
    public static final String ROUTE_OPTIMISED = "route-optimised";
    public static final String PATH_RESUMED = "path-resumed";
    public static final String TUNNEL_FAILED = "tunnel-failed";
    public static final String OPTIMISATION_FAILED = "optimisation-failed";
    /**
     * A tunnel stopped working: {@code reason=} says why (liveness probes unanswered, or its
     * set-up after a re-direction failed). Its peer is re-resolved when data waits for it.
     */
    public static final String TUNNEL_DOWN = "tunnel-down";
    /** A DOWN tunnel heard its peer again and is UP. */
    public static final String TUNNEL_REVIVED = "tunnel-revived";
    /** A tunnel left the table: {@code reason=superseded} (a newer one to the peer is UP), {@code expired}, {@code failed}. */
    public static final String TUNNEL_REMOVED = "tunnel-removed";

    /**
     * The control channel's {@code udp-stream} heard its peer again after an address change: the
     * first echo of a datagram sent after the latest {@code address-added} ({@code peer=
     * afterAddressMs=}). Written by the traffic check, not by the protocol; the handover analyser
     * uses it where the capture shows no DATA reaching the new address before it.
     */
    public static final String UDP_ECHO_RESUMED = "udp-echo-resumed";

    private NodeEvents() {
    }

    /**
     * An address as the events name it, the form pcap-analysis ({@code Endpoints.format}) and
     * the lab ({@code IpLiteral.format}) print: no zone id ({@code %eth0}), IPv6 compressed as
     * RFC 5952 section 4 says (lower case, the longest run of two or more zero groups as
     * {@code ::}, the first one on a tie).
     */
    static String format(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String host = format(a.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** An address as the events name it (see {@link #format(InetSocketAddress)} for endpoints). */
    static String format(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
