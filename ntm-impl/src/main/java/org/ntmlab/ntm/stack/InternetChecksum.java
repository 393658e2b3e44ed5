package org.ntmlab.ntm.stack;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit words. Used for the IPv4
 * header, and with a pseudo-header (RFC 768, RFC 9293 section 3.1, RFC 8200 section 8.1)
 * for UDP, TCP and ICMPv6. Works on absolute buffer indices, allocates nothing.
 */
public final class InternetChecksum {

    private InternetChecksum() {
    }

    /**
     * Adds bytes [offset, offset+length) of {@code buf} (big-endian, as every buffer of the
     * stack) to a running sum. Loads 64 bits at a time and adds their two 32-bit halves,
     * folding later: the same one's-complement result (RFC 1071 section 2(B)), a quarter of
     * the loads of 16-bit words. A long absorbs 2^31 such additions, far beyond any packet.
     */
    public static long add(long sum, ByteBuffer buf, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i + 7 < end) {
            long w = buf.getLong(i);
            sum += (w >>> 32) + (w & 0xFFFFFFFFL);
            i += 8;
        }
        if (i + 3 < end) {
            sum += buf.getInt(i) & 0xFFFFFFFFL;
            i += 4;
        }
        while (i + 1 < end) {
            sum += buf.getShort(i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            sum += (buf.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Adds a byte array (an address in a pseudo-header) to a running sum. */
    public static long add(long sum, byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        return sum;
    }

    /**
     * Sum of the pseudo-header for IPv4 (RFC 768) or IPv6 (RFC 8200 section 8.1): both
     * addresses, the upper-layer protocol number and the upper-layer length.
     */
    public static long pseudoHeader(byte[] src, byte[] dst, int protocol, int upperLength) {
        long sum = add(add(0, src), dst);
        sum += protocol;
        sum += upperLength & 0xFFFF;
        sum += upperLength >>> 16;
        return sum;
    }

    /** Folds a running sum to 16 bits and complements it. */
    public static int finish(long sum) {
        sum = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
