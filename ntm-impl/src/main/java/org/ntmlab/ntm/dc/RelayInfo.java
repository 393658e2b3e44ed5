package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.Family;

import java.net.InetSocketAddress;

/**
 * An RS the DC may choose (paper section 3.2: "several RSs can be installed; the DC picks one
 * each time"). The secret is shared by this DC and the RS out of band (the paper uses
 * certificates set up in advance); messages between them use key id {@code id}.
 */
public record RelayInfo(long id, InetSocketAddress v4, InetSocketAddress v6, byte[] secret) {

    public InetSocketAddress address(Family f) {
        return f == Family.V4 ? v4 : v6;
    }

    public boolean serves(Family f) {
        return address(f) != null;
    }
}
