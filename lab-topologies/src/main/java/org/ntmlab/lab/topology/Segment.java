package org.ntmlab.lab.topology;

/**
 * One link (one Docker internal network).
 *
 * @param ipv4   IPv4 prefix, null for {@link SegmentKind#IPV6_ONLY}
 * @param ipv6   IPv6 prefix, null unless the kind has IPv6
 * @param behind for {@link SegmentKind#IPV4_PRIVATE}: the router whose inside this is
 */
public record Segment(String name, SegmentKind kind, Cidr ipv4, Cidr ipv6, String behind) {
}
