package org.ntmlab.ntm.stack;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) header layout for the inner packets of the virtual
 * stack. Absolute-index accessors; nothing here allocates except the address getters.
 */
public final class Ip {

    private Ip() {
    }

    public static final int V4_HEADER = 20;
    public static final int V6_HEADER = 40;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;
    public static final int UDP_HEADER = 8;
    /** Hop limit / TTL of packets we originate (RFC 1700 default). */
    public static final int DEFAULT_TTL = 64;

    public static int version(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) >>> 4;
    }

    public static int headerLength(ByteBuffer b, int at) {
        return version(b, at) == 4 ? (b.get(at) & 0x0F) * 4 : V6_HEADER;
    }

    public static int protocol(ByteBuffer b, int at) {
        return version(b, at) == 4 ? b.get(at + 9) & 0xFF : b.get(at + 6) & 0xFF;
    }

    /** Total packet length from the header. */
    public static int totalLength(ByteBuffer b, int at) {
        return version(b, at) == 4 ? b.getShort(at + 2) & 0xFFFF : V6_HEADER + (b.getShort(at + 4) & 0xFFFF);
    }

    public static int srcOffset(ByteBuffer b, int at) {
        return at + (version(b, at) == 4 ? 12 : 8);
    }

    public static int dstOffset(ByteBuffer b, int at) {
        return at + (version(b, at) == 4 ? 16 : 24);
    }

    public static int addressLength(ByteBuffer b, int at) {
        return version(b, at) == 4 ? 4 : 16;
    }

    /** True when the packet's destination equals {@code addr} (compared in place). */
    public static boolean dstEquals(ByteBuffer b, int at, byte[] addr) {
        return addr != null && addr.length == addressLength(b, at) && equalsAt(b, dstOffset(b, at), addr);
    }

    /** True when the packet's source equals {@code addr} (compared in place). */
    public static boolean srcEquals(ByteBuffer b, int at, byte[] addr) {
        return addr != null && addr.length == addressLength(b, at) && equalsAt(b, srcOffset(b, at), addr);
    }

    private static boolean equalsAt(ByteBuffer b, int off, byte[] addr) {
        for (int i = 0; i < addr.length; i++) {
            if (b.get(off + i) != addr[i]) {
                return false;
            }
        }
        return true;
    }

    public static InetAddress src(ByteBuffer b, int at) {
        return address(b, srcOffset(b, at), addressLength(b, at));
    }

    public static InetAddress dst(ByteBuffer b, int at) {
        return address(b, dstOffset(b, at), addressLength(b, at));
    }

    private static InetAddress address(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        b.get(off, a);
        try {
            return InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    /**
     * Writes an IP header for {@code payloadLength} bytes of {@code protocol} at {@code at}.
     * Returns the header length.
     */
    public static int writeHeader(ByteBuffer b, int at, byte[] src, byte[] dst, int protocol, int payloadLength,
                                  int id) {
        if (src.length == 4) {
            b.put(at, (byte) 0x45);
            b.put(at + 1, (byte) 0);
            b.putShort(at + 2, (short) (V4_HEADER + payloadLength));
            b.putShort(at + 4, (short) id);
            b.putShort(at + 6, (short) 0x4000); // DF: the tunnel does not fragment inner packets
            b.put(at + 8, (byte) DEFAULT_TTL);
            b.put(at + 9, (byte) protocol);
            b.putShort(at + 10, (short) 0);
            b.put(at + 12, src);
            b.put(at + 16, dst);
            b.putShort(at + 10, (short) InternetChecksum.finish(InternetChecksum.add(0, b, at, V4_HEADER)));
            return V4_HEADER;
        }
        b.putInt(at, 0x60000000);
        b.putShort(at + 4, (short) payloadLength);
        b.put(at + 6, (byte) protocol);
        b.put(at + 7, (byte) DEFAULT_TTL);
        b.put(at + 8, src);
        b.put(at + 24, dst);
        return V6_HEADER;
    }

    /** Pseudo-header sum for the upper layer of the packet at {@code at} (RFC 768 / RFC 8200 8.1). */
    public static long pseudoHeaderSum(ByteBuffer b, int at, int protocol, int upperLength) {
        int alen = addressLength(b, at);
        long sum = InternetChecksum.add(0, b, srcOffset(b, at), alen);
        sum = InternetChecksum.add(sum, b, dstOffset(b, at), alen);
        return sum + protocol + upperLength;
    }

    public static byte[] bytes(InetAddress a) {
        return a == null ? null : a.getAddress();
    }

    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
