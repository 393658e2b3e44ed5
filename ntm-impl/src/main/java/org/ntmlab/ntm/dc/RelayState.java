package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.crypto.Association;

/**
 * An RS this DC may choose (paper section 3.2: "several RSs can be installed; the DC picks a
 * suitable one each time"): its address and families, the DC <-> RS keys, and how many tunnels
 * the DC has put on it. Owned by {@link RelayAuthorisation}.
 */
final class RelayState {

    final RelayInfo info;
    final Association assoc;
    int load;

    RelayState(RelayInfo info, Association assoc) {
        this.info = info;
        this.assoc = assoc;
    }
}
