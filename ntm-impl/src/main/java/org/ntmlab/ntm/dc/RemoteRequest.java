package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.util.List;

import org.ntmlab.ntm.transport.EventLoop;

/**
 * As DCmn: a DIRECTION_REQUEST for a name of another domain, while DNS finds that domain's DC
 * and DC_QUERY asks it where the CN is (paper section 3.2: "DCmn looks for DCcn with its DNS
 * function"). Owned by {@link InterDomainMn}.
 */
final class RemoteRequest {

    final NodeRecord mn;
    final long requestId;
    final String cnFqdn;
    final String domain;
    final DcChannel.Peer peer;
    /** MN key id + request id, as {@link RouteDirections} files the request. */
    final String key;
    List<InetSocketAddress> dcAddresses;
    long queryId;
    long tunnelId;
    int attempts;
    boolean done;
    EventLoop.Timer timer;

    RemoteRequest(NodeRecord mn, long requestId, String cnFqdn, String domain, DcChannel.Peer peer, String key) {
        this.mn = mn;
        this.requestId = requestId;
        this.cnFqdn = cnFqdn;
        this.domain = domain;
        this.peer = peer;
        this.key = key;
    }
}
