package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * As DCmn: the CN of a tunnel, registered at another domain's DC, as that DC last described it
 * (paper section 3.2: DCmn gets the CN's real, virtual and NAT addresses from DCcn). Created
 * from DC_ANSWER, moved by DC_POSITION ({@link InterDomainMn}).
 */
final class RemoteEnd extends End {

    final DcChannel.Peer peer;
    Position position;
    long positionSequence;
    InetSocketAddress dcAddress;

    RemoteEnd(String fqdn, InetAddress v4, InetAddress v6, Position position, DcChannel.Peer peer,
              InetSocketAddress dcAddress) {
        super(fqdn, v4, v6);
        this.position = position;
        this.peer = peer;
        this.dcAddress = dcAddress;
    }

    /** As the CN's DC reported it last (DC_ANSWER, then DC_POSITION). */
    @Override
    Position position() {
        return position;
    }
}
