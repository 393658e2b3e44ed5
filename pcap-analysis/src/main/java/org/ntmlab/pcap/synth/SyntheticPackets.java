package org.ntmlab.pcap.synth;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds well-formed frames byte by byte (Ethernet, Linux cooked, IPv4/IPv6, UDP/TCP/ICMP,
 * DHCP, DNS, NTM header) with correct lengths and checksums, so that tcpdump and tshark
 * decode them as the real thing. Tests use it to make captures; the lab can use it to
 * write reference traffic.
 */
public final class SyntheticPackets {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;
    public static final int EXT_HOP_BY_HOP = 0;
    public static final int EXT_DEST_OPTS = 60;
    public static final int EXT_ROUTING = 43;
    public static final String BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";

    private SyntheticPackets() {
    }

    /** Parses an IP literal without any name look-up. */
    public static InetAddress addr(String literal) {
        if (!literal.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    public static InetSocketAddress sock(String literal, int port) {
        return new InetSocketAddress(addr(literal), port);
    }

    static byte[] macBytes(String mac) {
        String[] parts = mac.split(":");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    public static byte[] ethernet(String srcMac, String dstMac, int etherType, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(macBytes(dstMac)).put(macBytes(srcMac)).putShort((short) etherType).put(payload);
        return b.array();
    }

    /** Ethernet frame carrying an IP packet; the EtherType follows the IP version. */
    public static byte[] ethernet(String srcMac, String dstMac, byte[] ipPacket) {
        int v = (ipPacket[0] & 0xff) >> 4;
        return ethernet(srcMac, dstMac, v == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, ipPacket);
    }

    /** Linux cooked v1 header (LINKTYPE_LINUX_SLL); packetType 0 = to us, 4 = sent by us. */
    public static byte[] sll(int packetType, String srcMac, byte[] ipPacket) {
        int v = (ipPacket[0] & 0xff) >> 4;
        ByteBuffer b = ByteBuffer.allocate(16 + ipPacket.length);
        b.putShort((short) packetType).putShort((short) 1).putShort((short) 6);
        b.put(macBytes(srcMac)).put(new byte[2]);
        b.putShort((short) (v == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4)).put(ipPacket);
        return b.array();
    }

    /** Linux cooked v2 header (LINKTYPE_LINUX_SLL2). */
    public static byte[] sll2(int ifIndex, int packetType, String srcMac, byte[] ipPacket) {
        int v = (ipPacket[0] & 0xff) >> 4;
        ByteBuffer b = ByteBuffer.allocate(20 + ipPacket.length);
        b.putShort((short) (v == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4)).putShort((short) 0).putInt(ifIndex);
        b.putShort((short) 1).put((byte) packetType).put((byte) 6);
        b.put(macBytes(srcMac)).put(new byte[2]).put(ipPacket);
        return b.array();
    }

    public static byte[] ipv4(InetAddress src, InetAddress dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 64, 0x1234, 0, false, payload);
    }

    /** IPv4 header (no options) with a correct header checksum; fragment offset in bytes (multiple of 8). */
    public static byte[] ipv4(InetAddress src, InetAddress dst, int protocol, int ttl, int identification,
                              int fragmentOffsetBytes, boolean moreFragments, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        b.putShort((short) identification);
        b.putShort((short) ((moreFragments ? 0x2000 : 0) | (fragmentOffsetBytes / 8)));
        b.put((byte) ttl).put((byte) protocol).putShort((short) 0);
        b.put(src.getAddress()).put(dst.getAddress());
        byte[] out = b.array();
        int sum = checksum(out, 0, 20, 0);
        out[10] = (byte) (sum >> 8);
        out[11] = (byte) sum;
        System.arraycopy(payload, 0, out, 20, payload.length);
        return out;
    }

    /**
     * IPv6 header, optionally followed by 8-byte extension headers of the given types
     * (hop-by-hop, destination options or routing, each filled with PadN).
     */
    public static byte[] ipv6(InetAddress src, InetAddress dst, int protocol, byte[] payload, int... extensions) {
        int extLen = 8 * extensions.length;
        ByteBuffer b = ByteBuffer.allocate(40 + extLen + payload.length);
        b.putInt(0x60000000).putShort((short) (extLen + payload.length));
        b.put((byte) (extensions.length > 0 ? extensions[0] : protocol)).put((byte) 64);
        b.put(src.getAddress()).put(dst.getAddress());
        for (int i = 0; i < extensions.length; i++) {
            int next = i + 1 < extensions.length ? extensions[i + 1] : protocol;
            if (extensions[i] == EXT_ROUTING) {
                // Type 0 is deprecated; use an empty segment list of routing type 4 (SRH-like), segments left 0.
                b.put((byte) next).put((byte) 0).put((byte) 4).put((byte) 0).putInt(0);
            } else {
                // PadN option of 4 bytes fills the 8-byte header.
                b.put((byte) next).put((byte) 0).put((byte) 1).put((byte) 4).putInt(0);
            }
        }
        b.put(payload);
        return b.array();
    }

    /** IPv4 or IPv6 packet by the address family of {@code src}. */
    public static byte[] ip(InetAddress src, InetAddress dst, int protocol, byte[] payload) {
        return src.getAddress().length == 16 ? ipv6(src, dst, protocol, payload) : ipv4(src, dst, protocol, payload);
    }

    /** UDP datagram (header + payload) with its checksum over the pseudo-header. */
    public static byte[] udp(InetAddress src, InetAddress dst, int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        byte[] out = b.array();
        int sum = checksum(out, 0, out.length, pseudoHeaderSum(src, dst, PROTO_UDP, out.length));
        if (sum == 0) {
            sum = 0xffff;
        }
        out[6] = (byte) (sum >> 8);
        out[7] = (byte) sum;
        return out;
    }

    /** An IP packet carrying UDP, family chosen by the addresses. */
    public static byte[] udpPacket(InetSocketAddress src, InetSocketAddress dst, byte[] payload) {
        return ip(src.getAddress(), dst.getAddress(), PROTO_UDP,
                udp(src.getAddress(), dst.getAddress(), src.getPort(), dst.getPort(), payload));
    }

    /** Ethernet + IP + UDP in one call. */
    public static byte[] udpFrame(String srcMac, String dstMac, InetSocketAddress src, InetSocketAddress dst,
                                  byte[] payload) {
        return ethernet(srcMac, dstMac, udpPacket(src, dst, payload));
    }

    /** TCP segment (20-byte header, no options) with its checksum. */
    public static byte[] tcp(InetAddress src, InetAddress dst, int srcPort, int dstPort, long seq, long ack, int flags,
                             byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack);
        b.putShort((short) ((5 << 12) | (flags & 0x1ff))).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        byte[] out = b.array();
        int sum = checksum(out, 0, out.length, pseudoHeaderSum(src, dst, PROTO_TCP, out.length));
        out[16] = (byte) (sum >> 8);
        out[17] = (byte) sum;
        return out;
    }

    /** ICMP echo request/reply for IPv4 ({@code v6=false}) or ICMPv6 (checksum includes the pseudo-header). */
    public static byte[] icmpEcho(InetAddress src, InetAddress dst, boolean request, int id, int seq) {
        boolean v6 = src.getAddress().length == 16;
        int type = v6 ? (request ? 128 : 129) : (request ? 8 : 0);
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq);
        b.putLong(0x6e746d2d6c616221L);
        byte[] out = b.array();
        int sum = checksum(out, 0, out.length, v6 ? pseudoHeaderSum(src, dst, PROTO_ICMPV6, out.length) : 0);
        out[2] = (byte) (sum >> 8);
        out[3] = (byte) sum;
        return out;
    }

    /**
     * DHCP message (RFC 2131) with option 53 and, when given, 50 (requested address) and 54 (server id).
     *
     * @param op 1 request (client), 2 reply (server)
     */
    public static byte[] dhcp(int op, int messageType, long xid, String clientMac, InetAddress yourAddress,
                              InetAddress requested, InetAddress serverId) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) op).put((byte) 1).put((byte) 6).put((byte) 0).putInt((int) xid);
        b.putShort((short) 0).putShort((short) (op == 1 ? 0x8000 : 0));
        b.put(new byte[4]);
        b.put(yourAddress == null ? new byte[4] : yourAddress.getAddress());
        b.put(new byte[8]);
        byte[] mac = macBytes(clientMac);
        b.put(mac).put(new byte[16 - mac.length]);
        b.put(new byte[64 + 128]);
        b.putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) messageType);
        if (requested != null) {
            b.put((byte) 50).put((byte) 4).put(requested.getAddress());
        }
        if (serverId != null) {
            b.put((byte) 54).put((byte) 4).put(serverId.getAddress());
        }
        b.put((byte) 255);
        while (b.position() < 300) {
            b.put((byte) 0);
        }
        return b.array();
    }

    public static byte[] dnsQuery(int id, String name, int qtype) {
        return dns(id, false, name, qtype);
    }

    /** A response whose answers point back at the question name with a compression pointer. */
    public static byte[] dnsResponse(int id, String name, int qtype, InetAddress... answers) {
        byte[] head = dns(id, true, name, qtype);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        for (InetAddress a : answers) {
            byte[] raw = a.getAddress();
            ByteBuffer r = ByteBuffer.allocate(12 + raw.length);
            r.putShort((short) 0xc00c).putShort((short) (raw.length == 4 ? 1 : 28)).putShort((short) 1);
            r.putInt(60).putShort((short) raw.length).put(raw);
            out.writeBytes(r.array());
        }
        byte[] msg = out.toByteArray();
        msg[6] = (byte) (answers.length >> 8);
        msg[7] = (byte) answers.length;
        return msg;
    }

    private static byte[] dns(int id, boolean response, String name, int qtype) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(12);
        h.putShort((short) id).putShort((short) (response ? 0x8180 : 0x0100)).putShort((short) 1);
        h.putShort((short) 0).putShort((short) 0).putShort((short) 0);
        out.writeBytes(h.array());
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            out.write(l.length);
            out.writeBytes(l);
        }
        out.write(0);
        out.write(qtype >> 8);
        out.write(qtype);
        out.write(0);
        out.write(1);
        return out.toByteArray();
    }

    /**
     * An NTM datagram: the 20-byte clear header (docs/protocol.md) followed by
     * {@code bodyLength} filler bytes standing for the encrypted body and tag.
     */
    public static byte[] ntm(int typeCode, int flags, long keyOrTunnelId, long counter, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(20 + bodyLength);
        b.put((byte) 1).put((byte) typeCode).put((byte) 1).put((byte) flags);
        b.putLong(keyOrTunnelId).putLong(counter);
        for (int i = 0; i < bodyLength; i++) {
            b.put((byte) (0xa5 ^ i));
        }
        return b.array();
    }

    private static long pseudoHeaderSum(InetAddress src, InetAddress dst, int protocol, int length) {
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        long sum = sumWords(s, 0, s.length) + sumWords(d, 0, d.length);
        sum += protocol;
        sum += (length >>> 16) + (length & 0xffff);
        return sum;
    }

    private static long sumWords(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        return sum;
    }

    /** RFC 1071 Internet checksum, starting from a partial sum. */
    static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial + sumWords(b, off, len);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
