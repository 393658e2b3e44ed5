package org.ntmlab.pcap.decode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ntmlab.pcap.io.CaptureReader;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;

/**
 * Decodes frames layer by layer: link (Ethernet, Linux cooked v1/v2, raw IP, BSD loopback),
 * IPv4/IPv6, UDP/TCP/ICMP/ICMPv6, then DHCP, DNS and NTM inside UDP. {@link #decode} never
 * throws: a bad header ends decoding of that frame, is counted in {@link #stats()} by layer,
 * and is named in {@link DecodedPacket#malformed()}.
 */
public final class PacketDecoder {
    static final int ETHERNET_HEADER = 14;
    static final int SLL_HEADER = 16;
    static final int SLL2_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int UDP_HEADER = 8;
    static final int DNS_PORT = 53;
    static final int MDNS_PORT = 5353;
    /** IPv6 extension headers we step over (RFC 8200 section 4). */
    static final int EXT_HOP_BY_HOP = 0;
    static final int EXT_ROUTING = 43;
    static final int EXT_FRAGMENT = 44;
    static final int EXT_AH = 51;
    static final int EXT_DEST_OPTS = 60;
    static final int EXT_MOBILITY = 135;
    static final int NO_NEXT_HEADER = 59;

    private final NtmDetector ntmDetector;
    private final DecodeStats stats = new DecodeStats();

    public PacketDecoder() {
        this(NtmDetector.defaults());
    }

    public PacketDecoder(NtmDetector ntmDetector) {
        this.ntmDetector = ntmDetector;
    }

    public DecodeStats stats() {
        return stats;
    }

    /** Reads and decodes a whole capture with the default NTM ports. */
    public static List<DecodedPacket> decodeFile(Path file) throws IOException {
        return new PacketDecoder().decodeAll(file);
    }

    /** Reads and decodes a whole capture with this decoder (its stats accumulate). */
    public List<DecodedPacket> decodeAll(Path file) throws IOException {
        List<DecodedPacket> out = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(file)) {
            for (CapturedFrame f : reader) {
                out.add(decode(f));
            }
            if (reader.stats().truncatedTail() > 0 || !reader.stats().problems().isEmpty()) {
                stats.malformed("capture-file");
            }
        }
        return out;
    }

    private static final class Draft {
        LinkHeader link;
        IpHeader ip;
        UdpHeader udp;
        TcpHeader tcp;
        IcmpMessage icmp;
        DhcpMessage dhcp;
        DnsMessage dns;
        NtmHeader ntm;
    }

    public DecodedPacket decode(CapturedFrame frame) {
        stats.seen("frames");
        Draft d = new Draft();
        String malformed = null;
        try {
            decodeLink(frame, d);
        } catch (MalformedPacketException e) {
            stats.malformed(e.layer());
            malformed = e.getMessage();
        } catch (RuntimeException e) {
            // A decoder bug must not stop a capture from being read; count it like bad input.
            stats.malformed("decoder");
            malformed = "decoder: " + e;
        }
        return new DecodedPacket(frame.number(), frame.timestampNanos(), frame.originalLength(), d.link, d.ip, d.udp,
                d.tcp, d.icmp, d.dhcp, d.dns, d.ntm, malformed);
    }

    private void decodeLink(CapturedFrame frame, Draft d) throws MalformedPacketException {
        byte[] b = frame.data();
        switch (frame.linkType()) {
            case LinkType.ETHERNET -> {
                Bytes.need(b, 0, ETHERNET_HEADER, "ethernet", "header");
                int type = Bytes.u16(b, 12);
                int off = ETHERNET_HEADER;
                int vlan = -1;
                while (type == LinkHeader.ETHERTYPE_VLAN || type == LinkHeader.ETHERTYPE_QINQ) {
                    Bytes.need(b, off, 4, "ethernet", "VLAN tag");
                    vlan = Bytes.u16(b, off) & 0x0fff;
                    type = Bytes.u16(b, off + 2);
                    off += 4;
                }
                d.link = new LinkHeader("ethernet", Bytes.mac(b, 6, 6), Bytes.mac(b, 0, 6), type, vlan, off);
            }
            case LinkType.LINUX_SLL -> {
                Bytes.need(b, 0, SLL_HEADER, "sll", "header");
                int alen = Math.min(Bytes.u16(b, 4), 8);
                d.link = new LinkHeader("sll", alen > 0 ? Bytes.mac(b, 6, alen) : null, null, Bytes.u16(b, 14), -1,
                        SLL_HEADER);
            }
            case LinkType.LINUX_SLL2 -> {
                Bytes.need(b, 0, SLL2_HEADER, "sll2", "header");
                int alen = Math.min(Bytes.u8(b, 11), 8);
                d.link = new LinkHeader("sll2", alen > 0 ? Bytes.mac(b, 12, alen) : null, null, Bytes.u16(b, 0), -1,
                        SLL2_HEADER);
            }
            case LinkType.RAW, LinkType.IPV4, LinkType.IPV6 -> {
                Bytes.need(b, 0, 1, "raw", "version nibble");
                int v = Bytes.u8(b, 0) >> 4;
                int type = v == 4 ? LinkHeader.ETHERTYPE_IPV4 : v == 6 ? LinkHeader.ETHERTYPE_IPV6 : 0;
                d.link = new LinkHeader("raw", null, null, type, -1, 0);
            }
            case LinkType.NULL -> {
                Bytes.need(b, 0, 4, "null", "family");
                // The family is in the writer's host order; IPv4 is 2 everywhere, IPv6 is 24, 28 or 30.
                int fam = Bytes.u8(b, 0) != 0 ? Bytes.u8(b, 0) : Bytes.u8(b, 3);
                int type = fam == 2 ? LinkHeader.ETHERTYPE_IPV4
                        : (fam == 24 || fam == 28 || fam == 30) ? LinkHeader.ETHERTYPE_IPV6 : 0;
                d.link = new LinkHeader("null", null, null, type, -1, 4);
            }
            default -> {
                stats.seen("unsupported-link-type");
                return;
            }
        }
        int off = d.link.length();
        switch (d.link.etherType()) {
            case LinkHeader.ETHERTYPE_IPV4 -> decodeIpv4(frame, b, off, d);
            case LinkHeader.ETHERTYPE_IPV6 -> decodeIpv6(frame, b, off, d);
            case LinkHeader.ETHERTYPE_ARP -> stats.seen("arp");
            default -> stats.seen("non-ip");
        }
    }

    /** The frame was cut by the snap length, so a header may legitimately claim more than we have. */
    private static boolean snapped(CapturedFrame f) {
        return f.data().length < f.originalLength();
    }

    private void decodeIpv4(CapturedFrame frame, byte[] b, int off, Draft d) throws MalformedPacketException {
        String layer = "ipv4";
        Bytes.need(b, off, 20, layer, "header");
        int v = Bytes.u8(b, off) >> 4;
        int ihl = (Bytes.u8(b, off) & 0x0f) * 4;
        if (v != 4) {
            throw new MalformedPacketException(layer, "version " + v);
        }
        if (ihl < 20) {
            throw new MalformedPacketException(layer, "header length " + ihl + " < 20");
        }
        Bytes.need(b, off, ihl, layer, "options");
        int total = Bytes.u16(b, off + 2);
        if (total < ihl) {
            throw new MalformedPacketException(layer, "total length " + total + " < header length " + ihl);
        }
        int available = b.length - off;
        if (total > available && !snapped(frame)) {
            throw new MalformedPacketException(layer, "total length " + total + " exceeds the " + available + " bytes captured");
        }
        int ident = Bytes.u16(b, off + 4);
        int fragField = Bytes.u16(b, off + 6);
        boolean mf = (fragField & 0x2000) != 0;
        int fragOffset = (fragField & 0x1fff) * 8;
        boolean fragment = mf || fragOffset > 0;
        d.ip = new IpHeader(4, Bytes.address(b, off + 12, 4), Bytes.address(b, off + 16, 4), Bytes.u8(b, off + 9),
                Bytes.u8(b, off + 8), ident, fragment, fragOffset, mf, ihl, total);
        stats.seen("ipv4");
        if (fragment) {
            stats.seen("ip-fragment");
        }
        // Ethernet pads short frames; the IP total length says where the datagram really ends.
        int end = off + Math.min(total, available);
        if (fragOffset == 0) {
            decodeTransport(frame, b, off + ihl, end, d);
        }
    }

    private void decodeIpv6(CapturedFrame frame, byte[] b, int off, Draft d) throws MalformedPacketException {
        String layer = "ipv6";
        Bytes.need(b, off, IPV6_HEADER, layer, "header");
        int v = Bytes.u8(b, off) >> 4;
        if (v != 6) {
            throw new MalformedPacketException(layer, "version " + v);
        }
        int payload = Bytes.u16(b, off + 4);
        int available = b.length - off - IPV6_HEADER;
        if (payload > available && !snapped(frame)) {
            throw new MalformedPacketException(layer, "payload length " + payload + " exceeds the " + available
                    + " bytes captured");
        }
        int end = off + IPV6_HEADER + Math.min(payload, available);
        int next = Bytes.u8(b, off + 6);
        int hop = Bytes.u8(b, off + 7);
        int p = off + IPV6_HEADER;
        boolean fragment = false;
        boolean mf = false;
        int fragOffset = 0;
        long ident = 0;
        for (int guard = 0; guard < 16; guard++) {
            if (next == EXT_HOP_BY_HOP || next == EXT_ROUTING || next == EXT_DEST_OPTS || next == EXT_MOBILITY) {
                Bytes.need(b, p, 2, layer, "extension header");
                int len = (Bytes.u8(b, p + 1) + 1) * 8;
                Bytes.need(b, p, len, layer, "extension header body");
                next = Bytes.u8(b, p);
                p += len;
            } else if (next == EXT_AH) {
                Bytes.need(b, p, 2, layer, "AH header");
                int len = (Bytes.u8(b, p + 1) + 2) * 4;
                Bytes.need(b, p, len, layer, "AH body");
                next = Bytes.u8(b, p);
                p += len;
            } else if (next == EXT_FRAGMENT) {
                Bytes.need(b, p, 8, layer, "fragment header");
                int field = Bytes.u16(b, p + 2);
                fragment = true;
                fragOffset = (field & 0xfff8);
                mf = (field & 1) != 0;
                ident = Bytes.u32(b, p + 4);
                next = Bytes.u8(b, p);
                p += 8;
            } else {
                break;
            }
        }
        if (p > end) {
            throw new MalformedPacketException(layer, "extension headers run past the payload length");
        }
        d.ip = new IpHeader(6, Bytes.address(b, off + 8, 16), Bytes.address(b, off + 24, 16), next, hop, ident,
                fragment, fragOffset, mf, p - off, IPV6_HEADER + payload);
        stats.seen("ipv6");
        if (fragment) {
            stats.seen("ip-fragment");
        }
        if (fragOffset == 0 && next != NO_NEXT_HEADER) {
            decodeTransport(frame, b, p, end, d);
        }
    }

    private void decodeTransport(CapturedFrame frame, byte[] b, int off, int end, Draft d)
            throws MalformedPacketException {
        switch (d.ip.protocol()) {
            case IpHeader.PROTO_UDP -> decodeUdp(frame, b, off, end, d);
            case IpHeader.PROTO_TCP -> {
                Bytes.need(b, off, 20, "tcp", "header");
                int hl = (Bytes.u8(b, off + 12) >> 4) * 4;
                if (hl < 20 || off + hl > end && !snapped(frame)) {
                    throw new MalformedPacketException("tcp", "data offset " + hl);
                }
                int flags = Bytes.u16(b, off + 12) & 0x01ff;
                d.tcp = new TcpHeader(Bytes.u16(b, off), Bytes.u16(b, off + 2), Bytes.u32(b, off + 4),
                        Bytes.u32(b, off + 8), flags, Bytes.u16(b, off + 14), hl, Math.max(0, end - off - hl));
                stats.seen("tcp");
            }
            case IpHeader.PROTO_ICMP, IpHeader.PROTO_ICMPV6 -> {
                boolean v6 = d.ip.protocol() == IpHeader.PROTO_ICMPV6;
                String layer = v6 ? "icmpv6" : "icmp";
                if (end - off < 4) {
                    throw new MalformedPacketException(layer, "message shorter than 4 bytes");
                }
                d.icmp = new IcmpMessage(v6, Bytes.u8(b, off), Bytes.u8(b, off + 1));
                stats.seen(layer);
            }
            default -> stats.seen("ip-other");
        }
    }

    private void decodeUdp(CapturedFrame frame, byte[] b, int off, int end, Draft d) throws MalformedPacketException {
        String layer = "udp";
        if (end - off < UDP_HEADER) {
            throw new MalformedPacketException(layer, "only " + (end - off) + " bytes for the 8-byte header");
        }
        int sp = Bytes.u16(b, off);
        int dp = Bytes.u16(b, off + 2);
        int len = Bytes.u16(b, off + 4);
        if (len < UDP_HEADER) {
            throw new MalformedPacketException(layer, "length field " + len + " < 8");
        }
        boolean partial = d.ip.fragment() || snapped(frame);
        if (off + len > end && !partial) {
            throw new MalformedPacketException(layer, "length field " + len + " exceeds the IP payload " + (end - off));
        }
        int payloadEnd = Math.min(off + len, end);
        byte[] payload = new byte[payloadEnd - off - UDP_HEADER];
        System.arraycopy(b, off + UDP_HEADER, payload, 0, payload.length);
        d.udp = new UdpHeader(sp, dp, len, Bytes.u16(b, off + 6), payload);
        stats.seen("udp");
        if (partial && payload.length < len - UDP_HEADER) {
            // Application headers may be cut; decode them only when complete.
            stats.seen("udp-partial");
            NtmHeader h = ntmDetector.detect(d.ip, d.udp);
            if (h != null) {
                d.ntm = h;
                stats.seen("ntm");
                stats.seen("ntm-" + h.typeName());
            }
            return;
        }
        if (isDhcp(sp, dp)) {
            d.dhcp = DhcpMessage.parse(payload, 0, payload.length);
            stats.seen("dhcp");
        } else if (isDns(sp, dp)) {
            d.dns = DnsMessage.parse(payload, 0, payload.length);
            stats.seen("dns");
        } else {
            NtmHeader h = ntmDetector.detect(d.ip, d.udp);
            if (h != null) {
                d.ntm = h;
                stats.seen("ntm");
                stats.seen("ntm-" + h.typeName());
            }
        }
    }

    static boolean isDhcp(int sp, int dp) {
        return (sp == DhcpMessage.CLIENT_PORT && dp == DhcpMessage.SERVER_PORT)
                || (sp == DhcpMessage.SERVER_PORT && dp == DhcpMessage.CLIENT_PORT);
    }

    static boolean isDns(int sp, int dp) {
        return sp == DNS_PORT || dp == DNS_PORT || sp == MDNS_PORT || dp == MDNS_PORT;
    }
}
