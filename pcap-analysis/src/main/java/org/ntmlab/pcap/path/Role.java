package org.ntmlab.pcap.path;

import java.util.Locale;

/**
 * What an address belongs to in the lab.
 *
 * @param kind what the owner is
 * @param name the owner's name: node name, RS or DC name
 */
public record Role(Kind kind, String name) {

    public enum Kind {
        /** A node's own real address (paper: real IP address). */
        NODE,
        /** A NAT's outside address that a node's traffic appears from (its mapped address). */
        NAT,
        /** Relay Server. */
        RS,
        /** Direction Coordinator. */
        DC,
        /** Account Server. */
        AS,
        /** Anything else the lab names (routers, DHCP servers...). */
        OTHER;

        static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role kind '" + s + "'; use node, nat, rs, dc, as or other");
            }
        }
    }

    /** True for addresses that terminate a tunnel end to end: a node's real or mapped address. */
    public boolean isNodeSide() {
        return kind == Kind.NODE || kind == Kind.NAT;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
