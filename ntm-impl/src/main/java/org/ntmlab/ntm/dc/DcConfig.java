package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.util.List;

import org.ntmlab.ntm.crypto.CipherSuite;

/**
 * How a DC runs.
 *
 * @param domain           the DNS domain it is authoritative for, e.g. "ntm.example"
 * @param bindV4           signalling socket for IPv4 nodes, or null
 * @param bindV6           signalling socket for IPv6 nodes, or null
 * @param dnsBind          DNS responder sockets (UDP), possibly empty
 * @param relays           RSs it may choose
 * @param suite            cipher suite for all its messages
 * @param keepaliveSeconds interval it asks nodes to keep alive at
 */
public record DcConfig(String domain, InetSocketAddress bindV4, InetSocketAddress bindV6,
                       List<InetSocketAddress> dnsBind, List<RelayInfo> relays, CipherSuite suite,
                       int keepaliveSeconds) {

    public DcConfig {
        dnsBind = List.copyOf(dnsBind);
        relays = List.copyOf(relays);
        if (bindV4 == null && bindV6 == null) {
            throw new IllegalArgumentException("a DC needs at least one of bindV4/bindV6");
        }
        if (keepaliveSeconds < 1 || keepaliveSeconds > 3600) {
            throw new IllegalArgumentException("keepaliveSeconds must be in 1..3600, got " + keepaliveSeconds);
        }
    }
}
