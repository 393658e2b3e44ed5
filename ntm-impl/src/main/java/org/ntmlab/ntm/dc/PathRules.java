package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.Family;

/**
 * The path rules of paper section 3.2 and Table 1 (ARCHITECTURE.md "Path rules"):
 * <ul>
 *   <li>both ends reachable on the same IP version without NAT: direct (IPv6 preferred);</li>
 *   <li>exactly one end NATed: direct, and the NATed end opens the path;</li>
 *   <li>both ends NATed: relay first, then route optimisation toward direct;</li>
 *   <li>no common IP version: relay through a dual-stack RS.</li>
 * </ul>
 */
public final class PathRules {

    private PathRules() {
    }

    public static PathDecision decide(Position mn, Position cn) {
        if (mn.anyFamily() == null || cn.anyFamily() == null) {
            throw new IllegalArgumentException("both ends must be registered on some family");
        }
        for (Family f : new Family[] {Family.V6, Family.V4}) {
            Position.Reach m = mn.get(f);
            Position.Reach c = cn.get(f);
            if (m != null && c != null && !(m.natted() && c.natted())) {
                // a NATed CN cannot be reached first: it opens the path toward the MN
                return new PathDecision(false, f, f, !c.natted(), false);
            }
        }
        for (Family f : new Family[] {Family.V4, Family.V6}) {
            if (mn.has(f) && cn.has(f)) {
                return new PathDecision(true, f, f, true, true);
            }
        }
        return new PathDecision(true, mn.anyFamily(), cn.anyFamily(), true, false);
    }
}
