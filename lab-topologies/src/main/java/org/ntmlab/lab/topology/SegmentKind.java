package org.ntmlab.lab.topology;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a segment is in the paper's Table 1 vocabulary. */
public enum SegmentKind {
    /** Global IPv4 (documentation ranges 198.51.100.0/24, 203.0.113.0/24). */
    IPV4_GLOBAL("ipv4-global"),
    /** Private IPv4 (10/8, 192.168/16) behind a named NAT router. */
    IPV4_PRIVATE("ipv4-private"),
    /** IPv6 only (2001:db8::/32); containers keep no IPv4 address on it. */
    IPV6_ONLY("ipv6-only"),
    /** Global IPv4 and IPv6 on the same link. */
    DUAL_STACK("dual-stack");

    private final String yamlName;

    SegmentKind(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public boolean hasIpv4() {
        return this != IPV6_ONLY;
    }

    public boolean hasIpv6() {
        return this == IPV6_ONLY || this == DUAL_STACK;
    }

    public static Optional<SegmentKind> fromYaml(String s) {
        return Arrays.stream(values()).filter(k -> k.yamlName.equals(s)).findFirst();
    }

    public static String expected() {
        return Arrays.stream(values()).map(SegmentKind::yamlName).collect(Collectors.joining(", "));
    }
}
