package org.ntmlab.pcap.decode;

/**
 * The link layer of a frame.
 *
 * @param kind      {@code ethernet}, {@code sll}, {@code sll2}, {@code raw} or {@code null}
 * @param source    source MAC ({@code aa:bb:..}) or null when the link has none
 * @param dest      destination MAC or null (cooked captures only record the source)
 * @param etherType protocol of the payload (0x0800 IPv4, 0x86dd IPv6, ...)
 * @param vlan      802.1Q VLAN id of the innermost tag, or -1
 * @param length    header length in bytes
 */
public record LinkHeader(String kind, String source, String dest, int etherType, int vlan, int length) {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88a8;
}
