package org.ntmlab.pcap.io;

/**
 * Link-layer header types as written in pcap/pcapng files (the LINKTYPE_ values of
 * tcpdump.org/linktypes.html, which are what files carry, not the platform DLT_ values).
 */
public final class LinkType {
    /** BSD loopback: 4-byte address family in the writer's byte order. */
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** Raw IPv4 or IPv6, version from the first nibble. */
    public static final int RAW = 101;
    /** Linux cooked capture v1 ({@code tcpdump -i any} on older libpcap). */
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    /** Linux cooked capture v2 ({@code tcpdump -i any} on libpcap 1.10+). */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "NULL";
            case ETHERNET -> "EN10MB";
            case RAW -> "RAW";
            case LINUX_SLL -> "LINUX_SLL";
            case IPV4 -> "IPV4";
            case IPV6 -> "IPV6";
            case LINUX_SLL2 -> "LINUX_SLL2";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
