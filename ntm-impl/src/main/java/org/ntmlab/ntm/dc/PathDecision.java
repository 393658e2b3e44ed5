package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.Family;

/**
 * What the DC decides for a pair (paper section 3.2, Table 1).
 *
 * @param relay          true: both ends go through an RS
 * @param mnFamily       family the MN uses (toward the CN or the RS)
 * @param cnFamily       family the CN uses
 * @param mnInitiates    true when the MN sends TUNNEL_REQUEST; false when the CN must open
 *                       the path (the CN is behind a NAT and the MN is not)
 * @param optimise       true: both ends are NATed on the same family, try hole punching
 */
public record PathDecision(boolean relay, Family mnFamily, Family cnFamily, boolean mnInitiates, boolean optimise) {
}
