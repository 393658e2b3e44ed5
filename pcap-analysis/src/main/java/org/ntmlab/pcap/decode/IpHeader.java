package org.ntmlab.pcap.decode;

import java.net.InetAddress;

/**
 * An IPv4 header or an IPv6 header with its extension headers skipped.
 *
 * @param version        4 or 6
 * @param protocol       upper-layer protocol (IPv6: the Next Header after extension headers)
 * @param ttl            TTL or hop limit
 * @param identification IPv4 identification or IPv6 fragment identification (0 if none)
 * @param fragment       true when this is a fragment (MF set or offset &gt; 0, or an IPv6 Fragment header)
 * @param fragmentOffset offset of this fragment in bytes
 * @param moreFragments  MF flag
 * @param headerLength   bytes up to the upper-layer header (incl. IPv4 options / IPv6 extension headers)
 * @param totalLength    IP datagram length as declared by the header
 */
public record IpHeader(int version, InetAddress source, InetAddress destination, int protocol, int ttl,
                       long identification, boolean fragment, int fragmentOffset, boolean moreFragments,
                       int headerLength, int totalLength) {
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    /** True if the upper-layer header is in this packet (unfragmented, or the first fragment). */
    public boolean carriesUpperHeader() {
        return fragmentOffset == 0;
    }
}
