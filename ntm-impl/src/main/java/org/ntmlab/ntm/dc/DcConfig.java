package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.util.List;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;

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
 * @param interDc          peer domains, their secrets, DNS resolvers, published address
 *                         ({@link InterDcConfig#NONE}: this DC works alone)
 */
public record DcConfig(String domain, InetSocketAddress bindV4, InetSocketAddress bindV6,
                       List<InetSocketAddress> dnsBind, List<RelayInfo> relays, CipherSuite suite,
                       int keepaliveSeconds, InterDcConfig interDc) {

    /** A DC of one domain that works alone. */
    public DcConfig(String domain, InetSocketAddress bindV4, InetSocketAddress bindV6,
                    List<InetSocketAddress> dnsBind, List<RelayInfo> relays, CipherSuite suite,
                    int keepaliveSeconds) {
        this(domain, bindV4, bindV6, dnsBind, relays, suite, keepaliveSeconds, InterDcConfig.NONE);
    }

    public DcConfig {
        domain = InterDcConfig.normalise(domain);
        dnsBind = List.copyOf(dnsBind);
        relays = List.copyOf(relays);
        if (interDc == null) {
            interDc = InterDcConfig.NONE;
        }
        if (interDc.peerSecrets().containsKey(domain)) {
            throw new IllegalArgumentException("peer domain " + domain + " is this DC's own domain");
        }
        if (bindV4 == null && bindV6 == null) {
            throw new IllegalArgumentException("a DC needs at least one of bindV4/bindV6");
        }
        if (keepaliveSeconds < Dc.KEEPALIVE_MIN_SECONDS
                || keepaliveSeconds > Dc.KEEPALIVE_MAX_SECONDS) {
            throw new IllegalArgumentException("keepaliveSeconds must be in " + Dc.KEEPALIVE_MIN_SECONDS
                    + ".." + Dc.KEEPALIVE_MAX_SECONDS + ", got " + keepaliveSeconds);
        }
    }
}
