package org.ntmlab.lab.topology;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * An NTM node (MN or CN) on one segment, or on two for a dual-stack host (one with IPv4, one with
 * IPv6, e.g. a private IPv4 LAN behind a NAT plus native IPv6); null addresses are allocated by
 * the lab. {@code ipv4} is the address on the segment with IPv4, {@code ipv6} on the one with IPv6.
 */
public record Node(String name, String fqdn, List<String> segments, InetAddress ipv4, InetAddress ipv6) {

    public Node {
        segments = segments == null ? List.of() : segments.stream().filter(s -> s != null).toList();
    }

    /** A node on one segment. */
    public Node(String name, String fqdn, String segment, InetAddress ipv4, InetAddress ipv6) {
        this(name, fqdn, segment == null ? List.of() : List.of(segment), ipv4, ipv6);
    }

    /** The node's first segment (its only one unless dual-stack): where it starts, and its captures' name. */
    public String segment() {
        return segments.isEmpty() ? null : segments.get(0);
    }

    /** The DC domain the node belongs to: its FQDN without the first label (paper section 3.1). */
    public String domain() {
        return fqdn.substring(fqdn.indexOf('.') + 1);
    }

    /** The node's segment that has IPv4 ({@code v6 = false}) or IPv6, if any. */
    public Optional<Segment> segmentWith(Topology t, boolean v6) {
        return segments.stream().map(s -> t.segment(s).orElse(null)).filter(s -> s != null)
                .filter(s -> v6 ? s.kind().hasIpv6() : s.kind().hasIpv4()).findFirst();
    }
}
