package org.ntmlab.ntm.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Poly1305 one-time authenticator (RFC 8439 section 2.5), in pure Java, for
 * {@link ChaCha20Poly1305}. Nothing is allocated after construction: the accumulator and
 * the key live in {@code long} fields, and messages are read from byte arrays, eight bytes
 * at a time (little-endian {@code long}s).
 *
 * <p>Arithmetic modulo p = 2^130 - 5 uses five 26-bit limbs, so every product of a limb of
 * the accumulator with a limb of r fits a {@code long} with room for the sums. Reduction
 * uses 2^130 = 5 (mod p): a product landing at 2^130 or above comes back multiplied by 5
 * (the {@code s1..s4} below). The accumulator is only partly reduced between blocks; the
 * full reduction happens once, in {@link #finish}. No branch or memory index depends on
 * secret data.
 *
 * <p>Use: {@link #init}, then any number of {@link #blocks}/{@link #padded}/{@link #tail}
 * calls, then {@link #finish}; the tag is in {@link #tag0}..{@link #tag3} (little-endian
 * words, as serialised in section 2.5.1). Not thread-safe.
 */
final class Poly1305 {

    /** Block size in bytes (section 2.5). */
    static final int BLOCK = 16;

    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffff;
    /** The bit above a full 16-byte block ("add one bit beyond the number of octets"), in limb 4. */
    private static final int HIBIT = 1 << 24;

    // r (clamped) in 26-bit limbs, and 5 * r1..r4 for the reduction
    private long r0;
    private long r1;
    private long r2;
    private long r3;
    private long r4;
    private long s1;
    private long s2;
    private long s3;
    private long s4;
    // the accumulator, 26-bit limbs (partly reduced)
    private long h0;
    private long h1;
    private long h2;
    private long h3;
    private long h4;
    // s, the second half of the one-time key, little-endian words
    private int pad0;
    private int pad1;
    private int pad2;
    private int pad3;
    /** The tag after {@link #finish}, little-endian words. */
    int tag0;
    int tag1;
    int tag2;
    int tag3;

    /** A zero-padded final block (section 2.5.1: partial block; section 2.8: pad16; the length block). */
    private final byte[] last = new byte[BLOCK];

    /**
     * Starts a new message under the 32-byte one-time key {@code k0..k7} (little-endian
     * words: r = k0..k3, s = k4..k7; section 2.5) and clears the accumulator.
     */
    void init(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7) {
        // section 2.5: clamp(r) = r & 0x0ffffffc0ffffffc0ffffffc0fffffff
        k0 &= 0x0fffffff;
        k1 &= 0x0ffffffc;
        k2 &= 0x0ffffffc;
        k3 &= 0x0ffffffc;
        r0 = k0 & M26;
        r1 = ((k0 >>> 26) | (k1 << 6)) & M26;
        r2 = ((k1 >>> 20) | (k2 << 12)) & M26;
        r3 = ((k2 >>> 14) | (k3 << 18)) & M26;
        r4 = k3 >>> 8;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        pad0 = k4;
        pad1 = k5;
        pad2 = k6;
        pad3 = k7;
        h0 = 0;
        h1 = 0;
        h2 = 0;
        h3 = 0;
        h4 = 0;
    }

    /** {@link #init} with the key read from {@code key[at..at+32)}. */
    void init(byte[] key, int at) {
        init(le(key, at), le(key, at + 4), le(key, at + 8), le(key, at + 12), le(key, at + 16), le(key, at + 20),
                le(key, at + 24), le(key, at + 28));
    }

    /** Absorbs {@code len / 16} full blocks from {@code b[at..]}; returns the bytes absorbed. */
    int blocks(byte[] b, int at, int len) {
        return blocks(b, at, len, HIBIT);
    }

    /** {@link #blocks(byte[], int, int)} with {@code hibit} as the bit above each block (in limb 4). */
    private int blocks(byte[] b, int at, int len, long hibit) {
        long a0 = h0;
        long a1 = h1;
        long a2 = h2;
        long a3 = h3;
        long a4 = h4;
        final long r0 = this.r0;
        final long r1 = this.r1;
        final long r2 = this.r2;
        final long r3 = this.r3;
        final long r4 = this.r4;
        final long s1 = this.s1;
        final long s2 = this.s2;
        final long s3 = this.s3;
        final long s4 = this.s4;
        int n = len & ~(BLOCK - 1);
        for (int i = at, end = at + n; i < end; i += BLOCK) {
            long lo = (long) LE_LONG.get(b, i);
            long hi = (long) LE_LONG.get(b, i + 8);
            // section 2.5.1: "a += n", n = the block as a little-endian number plus 2^128 if full;
            // limbs hold bits 0-25, 26-51, 52-77, 78-103 and 104-129
            a0 += lo & M26;
            a1 += (lo >>> 26) & M26;
            a2 += ((lo >>> 52) | (hi << 12)) & M26;
            a3 += (hi >>> 14) & M26;
            a4 += (hi >>> 40) | hibit;
            // "a = (r * a) % p", partly: limb products, 2^130 folded back as * 5
            long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
            long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
            long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
            long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
            long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;
            long c = d0 >>> 26;
            a0 = d0 & M26;
            d1 += c;
            c = d1 >>> 26;
            a1 = d1 & M26;
            d2 += c;
            c = d2 >>> 26;
            a2 = d2 & M26;
            d3 += c;
            c = d3 >>> 26;
            a3 = d3 & M26;
            d4 += c;
            c = d4 >>> 26;
            a4 = d4 & M26;
            a0 += c * 5;
            c = a0 >>> 26;
            a0 &= M26;
            a1 += c;
        }
        h0 = a0;
        h1 = a1;
        h2 = a2;
        h3 = a3;
        h4 = a4;
        return n;
    }

    /**
     * Absorbs {@code len} bytes followed by zeros up to a multiple of 16: the
     * {@code pad16} of the AEAD construction (section 2.8), where every block is full.
     */
    void padded(byte[] b, int at, int len) {
        int done = blocks(b, at, len);
        int rest = len - done;
        if (rest > 0) {
            fillLast(b, at + done, rest);
            blocks(last, 0, BLOCK);
        }
    }

    /**
     * Absorbs the last {@code len} (0..15) bytes of a message whose length is not a
     * multiple of 16: one 0x01 byte after them, zeros, no 2^128 bit (section 2.5.1).
     */
    void tail(byte[] b, int at, int len) {
        if (len > 0) {
            fillLast(b, at, len);
            last[len] = 1;
            blocks(last, 0, BLOCK, 0);
        }
    }

    /** The length block of the AEAD construction: le64(aad length) || le64(ciphertext length) (section 2.8). */
    void lengths(long aadLength, long textLength) {
        LE_LONG.set(last, 0, aadLength);
        LE_LONG.set(last, 8, textLength);
        blocks(last, 0, BLOCK);
    }

    /** Finishes the message: tag = ((a mod p) + s) mod 2^128, into {@link #tag0}..{@link #tag3}. */
    void finish() {
        long a0 = h0;
        long a1 = h1;
        long a2 = h2;
        long a3 = h3;
        long a4 = h4;
        // one carry pass: limbs 0, 2, 3, 4 below 2^26, limb 1 at most 2^26, so a < 2^130 + 2^26 < 2p
        long c = a1 >>> 26;
        a1 &= M26;
        a2 += c;
        c = a2 >>> 26;
        a2 &= M26;
        a3 += c;
        c = a3 >>> 26;
        a3 &= M26;
        a4 += c;
        c = a4 >>> 26;
        a4 &= M26;
        a0 += c * 5;
        c = a0 >>> 26;
        a0 &= M26;
        a1 += c;
        // the limbs as 32-bit words w0..w3 plus the bits above 2^128 (w4), by addition with carry
        long f = a0 + (a1 << 26);
        long w0 = f & 0xffffffffL;
        f = (f >>> 32) + (a2 << 20);
        long w1 = f & 0xffffffffL;
        f = (f >>> 32) + (a3 << 14);
        long w2 = f & 0xffffffffL;
        f = (f >>> 32) + (a4 << 8);
        long w3 = f & 0xffffffffL;
        long w4 = f >>> 32;
        // g = a + 5: a >= p exactly when g >= 2^130, and then a - p = g - 2^130 = g (mod 2^128)
        f = w0 + 5;
        long g0 = f & 0xffffffffL;
        f = (f >>> 32) + w1;
        long g1 = f & 0xffffffffL;
        f = (f >>> 32) + w2;
        long g2 = f & 0xffffffffL;
        f = (f >>> 32) + w3;
        long g3 = f & 0xffffffffL;
        long g4 = (f >>> 32) + w4;
        long useG = -(g4 >>> 2); // all ones when g >= 2^130, else 0: no branch on secret data
        w0 = (w0 & ~useG) | (g0 & useG);
        w1 = (w1 & ~useG) | (g1 & useG);
        w2 = (w2 & ~useG) | (g2 & useG);
        w3 = (w3 & ~useG) | (g3 & useG);
        // section 2.5.1: "a += s", serialised as 16 little-endian bytes (mod 2^128)
        f = w0 + (pad0 & 0xffffffffL);
        tag0 = (int) f;
        f = (f >>> 32) + w1 + (pad1 & 0xffffffffL);
        tag1 = (int) f;
        f = (f >>> 32) + w2 + (pad2 & 0xffffffffL);
        tag2 = (int) f;
        f = (f >>> 32) + w3 + (pad3 & 0xffffffffL);
        tag3 = (int) f;
    }

    /** Writes the tag as 16 bytes at {@code b[at..]}. */
    void writeTag(byte[] b, int at) {
        LE_INT.set(b, at, tag0);
        LE_INT.set(b, at + 4, tag1);
        LE_INT.set(b, at + 8, tag2);
        LE_INT.set(b, at + 12, tag3);
    }

    /** True if the 16 bytes at {@code b[at..]} equal the tag; the time taken does not depend on where they differ. */
    boolean tagEquals(byte[] b, int at) {
        int diff = (tag0 ^ le(b, at)) | (tag1 ^ le(b, at + 4)) | (tag2 ^ le(b, at + 8)) | (tag3 ^ le(b, at + 12));
        return diff == 0;
    }

    private void fillLast(byte[] b, int at, int len) {
        java.util.Arrays.fill(last, (byte) 0);
        System.arraycopy(b, at, last, 0, len);
    }

    private static int le(byte[] b, int at) {
        return (int) LE_INT.get(b, at);
    }
}
