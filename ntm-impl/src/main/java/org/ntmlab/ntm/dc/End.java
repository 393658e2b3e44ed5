package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One end of a tunnel as the path rules and route directions see it (paper section 3.2: the DC
 * decides from where the MN and the CN are): a node of this DC ({@link NodeRecord}) or, as DCmn,
 * a CN registered at another domain's DC ({@link RemoteEnd}). Name and virtual addresses are
 * fixed for the end's life (a DC hands them out once per name); only the position changes: a
 * node's with its REGISTERs, a remote CN's with its DC's reports.
 */
abstract class End {

    final String fqdn;
    final InetAddress v4;
    final InetAddress v6;

    End(String fqdn, InetAddress v4, InetAddress v6) {
        this.fqdn = fqdn;
        this.v4 = v4;
        this.v6 = v6;
    }

    abstract Position position();

    /**
     * The end's host endpoints (its real addresses with its sockets' ports, from REGISTER), for a
     * peer behind the same public address to probe. A CN of another domain has none here:
     * DC_ANSWER does not carry them (docs/protocol.md "Route optimisation").
     */
    List<InetSocketAddress> hostEndpoints() {
        return List.of();
    }
}
