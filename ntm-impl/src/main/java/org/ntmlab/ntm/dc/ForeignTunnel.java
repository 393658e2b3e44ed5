package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;

import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * As DCcn: a tunnel another domain's DC (DCmn) owns whose CN is one of our nodes (paper section
 * 3.2: "the direction to the CN goes through DCcn"). We hand on its directions (DC_DIRECTION),
 * return the CN's ack (DC_DIRECTION_ACK) and report the CN's moves (DC_POSITION). Owned by
 * {@link InterDomainCn}.
 */
final class ForeignTunnel {

    final long id;
    final DcChannel.Peer owner;
    NodeRecord cn;
    InetSocketAddress ownerAddress;
    DatagramEndpoint via;
    long generation = -1;
    boolean cnAcked;
    long positionSequence;
    long positionAcked;
    int positionAttempts;
    EventLoop.Timer positionTimer;
    boolean closed;

    ForeignTunnel(long id, DcChannel.Peer owner, NodeRecord cn) {
        this.id = id;
        this.owner = owner;
        this.cn = cn;
    }
}
