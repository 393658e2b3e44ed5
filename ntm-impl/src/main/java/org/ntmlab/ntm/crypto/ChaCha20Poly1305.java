package org.ntmlab.ntm.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) in pure Java, for
 * {@link CipherSuite#CHACHA20_POLY1305}: one 256-bit key, a 96-bit nonce per message, a
 * 16-byte tag.
 *
 * <p>Allocation-free per message: the key is expanded once into the ChaCha20 state words,
 * and the keystream block, the Poly1305 state and one scratch array are reused. Data is
 * taken from and put into {@link ByteBuffer}s by absolute index (no position or limit
 * changes, any byte order): array-backed buffers are worked on in place in their arrays;
 * others (direct buffers) are copied {@link #CHUNK} bytes at a time into the scratch array
 * and back, since bulk copies cost far less than per-word access to them. ChaCha20 uses
 * only additions, XORs and rotations of 32-bit words and Poly1305 only fixed-length limb
 * arithmetic, so neither has branches or table indices that depend on secret data (RFC
 * 8439 section 4); the tag check is constant-time.
 *
 * <p>Not thread-safe: one instance per key and event loop, as {@link TrafficKey}.
 */
final class ChaCha20Poly1305 {

    static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = Poly1305.BLOCK;
    /** ChaCha20 block size in bytes (section 2.3). */
    static final int BLOCK = 64;
    /** Scratch size: a multiple of the block; one copy in and out for any packet up to it. */
    static final int CHUNK = 2048;

    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The ChaCha20 state of section 2.3: constants (words 0-3), key (4-11), block counter
     * (12), nonce (13-15). Words 0-11 are set once; 12-15 per message.
     */
    private final int[] state = new int[16];
    /** One keystream block, serialised little-endian (section 2.3) as 8 longs. */
    private final long[] ks = new long[8];
    private final Poly1305 poly = new Poly1305();
    /** Scratch for buffers without an accessible array (direct or read-only). */
    private final byte[] buf = new byte[CHUNK];
    private final byte[] tag = new byte[TAG_LENGTH];

    /** A cipher for the 32-byte key at {@code key[at..at+32)}. */
    ChaCha20Poly1305(byte[] key, int at) {
        if (key.length - at < KEY_LENGTH) {
            throw new IllegalArgumentException("ChaCha20 needs a 32-byte key");
        }
        // section 2.3: "the first four words (0-3) are constants" ("expand 32-byte k")
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        // "the next eight words (4-11) are taken from the 256-bit key by reading the bytes in
        // little-endian order, in 4-byte chunks"
        for (int i = 0; i < 8; i++) {
            state[4 + i] = (int) LE_INT.get(key, at + 4 * i);
        }
    }

    /**
     * Sets the 96-bit nonce of the next message from {@code nonce[at..at+12)} (section 2.3:
     * state words 13-15, each read little-endian).
     */
    void nonce(byte[] nonce, int at) {
        state[13] = (int) LE_INT.get(nonce, at);
        state[14] = (int) LE_INT.get(nonce, at + 4);
        state[15] = (int) LE_INT.get(nonce, at + 8);
    }

    /**
     * Seals (section 2.8): encrypts {@code len} bytes from {@code src[srcAt..]} into
     * {@code dst[dstAt..]}, then writes the 16-byte tag over AAD and ciphertext right after
     * the ciphertext. Source and destination may be the same bytes (in place); other
     * overlaps only up to {@link #CHUNK} bytes. The caller checks that {@code dst} has
     * {@code len + 16} bytes of room.
     */
    void seal(ByteBuffer aad, int aadAt, int aadLen, ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        oneTimeKey();
        macPadded(aad, aadAt, aadLen);
        if (inArrays(src, srcAt, dst, dstAt, len)) {
            byte[] d = dst.array();
            int dOff = dst.arrayOffset() + dstAt;
            xor(1, src.array(), src.arrayOffset() + srcAt, d, dOff, len);
            poly.padded(d, dOff, len);
            poly.lengths(aadLen, len);
            poly.finish();
            poly.writeTag(d, dOff + len);
            return;
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            src.get(srcAt + done, buf, 0, n);
            xor(1 + done / BLOCK, buf, 0, buf, 0, n);
            poly.padded(buf, 0, n); // whole blocks except in the last chunk
            dst.put(dstAt + done, buf, 0, n);
            done += n;
        }
        poly.lengths(aadLen, len);
        poly.finish();
        poly.writeTag(tag, 0);
        dst.put(dstAt + len, tag);
    }

    /**
     * Opens (section 2.8): checks the tag that follows the {@code len} ciphertext bytes at
     * {@code src[srcAt..]}, and only if it matches decrypts them into {@code dst[dstAt..]}
     * (same overlap rules as {@link #seal}). Returns false, with {@code dst} untouched, when
     * the tag does not match.
     */
    boolean open(ByteBuffer aad, int aadAt, int aadLen, ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt,
                 int len) {
        oneTimeKey();
        macPadded(aad, aadAt, aadLen);
        if (inArrays(src, srcAt, dst, dstAt, len)) {
            byte[] s = src.array();
            int sOff = src.arrayOffset() + srcAt;
            poly.padded(s, sOff, len);
            poly.lengths(aadLen, len);
            poly.finish();
            if (!poly.tagEquals(s, sOff + len)) {
                return false;
            }
            xor(1, s, sOff, dst.array(), dst.arrayOffset() + dstAt, len);
            return true;
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            src.get(srcAt + done, buf, 0, n);
            poly.padded(buf, 0, n);
            done += n;
        }
        poly.lengths(aadLen, len);
        poly.finish();
        src.get(srcAt + len, tag);
        if (!poly.tagEquals(tag, 0)) {
            return false;
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            if (len > CHUNK) { // else the one chunk is still in buf
                src.get(srcAt + done, buf, 0, n);
            }
            xor(1 + done / BLOCK, buf, 0, buf, 0, n);
            dst.put(dstAt + done, buf, 0, n);
            done += n;
        }
        return true;
    }

    /**
     * True when both buffers expose their arrays and the ranges either coincide or do not
     * overlap: then the work is done in those arrays, with no copy.
     */
    private static boolean inArrays(ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        if (!src.hasArray() || !dst.hasArray()) {
            return false;
        }
        if (src.array() != dst.array()) {
            return true;
        }
        int s = src.arrayOffset() + srcAt;
        int d = dst.arrayOffset() + dstAt;
        return s == d || s + len <= d || d + len + TAG_LENGTH <= s;
    }

    /** Poly1305 over {@code len} bytes of {@code b} then zeros to a multiple of 16 (section 2.8, pad16). */
    private void macPadded(ByteBuffer b, int at, int len) {
        if (b.hasArray()) {
            poly.padded(b.array(), b.arrayOffset() + at, len);
            return;
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            b.get(at + done, buf, 0, n);
            poly.padded(buf, 0, n);
            done += n;
        }
    }

    /**
     * ChaCha20 encryption (section 2.4): XORs {@code len} bytes from {@code src[srcOff..]}
     * with the keystream starting at block {@code counter} and writes them to
     * {@code dst[dstOff..]} (which may be the same bytes). Decryption is the same operation.
     */
    void xor(int counter, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        long[] k = ks;
        state[12] = counter;
        while (len >= BLOCK) {
            block();
            for (int i = 0; i < 8; i++) {
                LE_LONG.set(dst, dstOff + 8 * i, (long) LE_LONG.get(src, srcOff + 8 * i) ^ k[i]);
            }
            state[12]++;
            srcOff += BLOCK;
            dstOff += BLOCK;
            len -= BLOCK;
        }
        if (len > 0) {
            // section 2.4.1: the last partial block uses the first len bytes of its keystream
            block();
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                LE_LONG.set(dst, dstOff + i, (long) LE_LONG.get(src, srcOff + i) ^ k[i >> 3]);
            }
            for (; i < len; i++) {
                dst[dstOff + i] = (byte) (src[srcOff + i] ^ (k[i >> 3] >>> ((i & 7) << 3)));
            }
        }
    }

    /** The ChaCha20 block function (section 2.3) with block counter {@code counter}: 64 keystream bytes as 16 words. */
    void block(int counter, int[] out) {
        state[12] = counter;
        block();
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (int) ks[i];
            out[2 * i + 1] = (int) (ks[i] >>> 32);
        }
    }

    /** Section 2.6: the Poly1305 key is the first 32 bytes of the block with counter 0. */
    private void oneTimeKey() {
        state[12] = 0;
        block();
        long[] k = ks;
        poly.init((int) k[0], (int) (k[0] >>> 32), (int) k[1], (int) (k[1] >>> 32), (int) k[2], (int) (k[2] >>> 32),
                (int) k[3], (int) (k[3] >>> 32));
    }

    /**
     * Section 2.3: 20 rounds (10 column rounds alternating with 10 diagonal rounds) of the
     * quarter round of section 2.1 on a copy of the state, then the input state added word
     * by word; the result, serialised little-endian, is the keystream block.
     */
    private void block() {
        int[] s = state;
        int x0 = s[0];
        int x1 = s[1];
        int x2 = s[2];
        int x3 = s[3];
        int x4 = s[4];
        int x5 = s[5];
        int x6 = s[6];
        int x7 = s[7];
        int x8 = s[8];
        int x9 = s[9];
        int x10 = s[10];
        int x11 = s[11];
        int x12 = s[12];
        int x13 = s[13];
        int x14 = s[14];
        int x15 = s[15];
        for (int round = 0; round < 10; round++) {
            // column round: QUARTERROUND(0, 4, 8, 12) ... QUARTERROUND(3, 7, 11, 15)
            // quarter round (section 2.1): a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12;
            //                              a += b; d ^= a; d <<<= 8;  c += d; b ^= c; b <<<= 7
            x0 += x4;
            x12 = Integer.rotateLeft(x12 ^ x0, 16);
            x8 += x12;
            x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4;
            x12 = Integer.rotateLeft(x12 ^ x0, 8);
            x8 += x12;
            x4 = Integer.rotateLeft(x4 ^ x8, 7);

            x1 += x5;
            x13 = Integer.rotateLeft(x13 ^ x1, 16);
            x9 += x13;
            x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5;
            x13 = Integer.rotateLeft(x13 ^ x1, 8);
            x9 += x13;
            x5 = Integer.rotateLeft(x5 ^ x9, 7);

            x2 += x6;
            x14 = Integer.rotateLeft(x14 ^ x2, 16);
            x10 += x14;
            x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6;
            x14 = Integer.rotateLeft(x14 ^ x2, 8);
            x10 += x14;
            x6 = Integer.rotateLeft(x6 ^ x10, 7);

            x3 += x7;
            x15 = Integer.rotateLeft(x15 ^ x3, 16);
            x11 += x15;
            x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7;
            x15 = Integer.rotateLeft(x15 ^ x3, 8);
            x11 += x15;
            x7 = Integer.rotateLeft(x7 ^ x11, 7);

            // diagonal round: QUARTERROUND(0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)
            x0 += x5;
            x15 = Integer.rotateLeft(x15 ^ x0, 16);
            x10 += x15;
            x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5;
            x15 = Integer.rotateLeft(x15 ^ x0, 8);
            x10 += x15;
            x5 = Integer.rotateLeft(x5 ^ x10, 7);

            x1 += x6;
            x12 = Integer.rotateLeft(x12 ^ x1, 16);
            x11 += x12;
            x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6;
            x12 = Integer.rotateLeft(x12 ^ x1, 8);
            x11 += x12;
            x6 = Integer.rotateLeft(x6 ^ x11, 7);

            x2 += x7;
            x13 = Integer.rotateLeft(x13 ^ x2, 16);
            x8 += x13;
            x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7;
            x13 = Integer.rotateLeft(x13 ^ x2, 8);
            x8 += x13;
            x7 = Integer.rotateLeft(x7 ^ x8, 7);

            x3 += x4;
            x14 = Integer.rotateLeft(x14 ^ x3, 16);
            x9 += x14;
            x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4;
            x14 = Integer.rotateLeft(x14 ^ x3, 8);
            x9 += x14;
            x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        // "add the original state to the result", serialised little-endian two words per long
        long[] o = ks;
        o[0] = ((x0 + s[0]) & 0xffffffffL) | (long) (x1 + s[1]) << 32;
        o[1] = ((x2 + s[2]) & 0xffffffffL) | (long) (x3 + s[3]) << 32;
        o[2] = ((x4 + s[4]) & 0xffffffffL) | (long) (x5 + s[5]) << 32;
        o[3] = ((x6 + s[6]) & 0xffffffffL) | (long) (x7 + s[7]) << 32;
        o[4] = ((x8 + s[8]) & 0xffffffffL) | (long) (x9 + s[9]) << 32;
        o[5] = ((x10 + s[10]) & 0xffffffffL) | (long) (x11 + s[11]) << 32;
        o[6] = ((x12 + s[12]) & 0xffffffffL) | (long) (x13 + s[13]) << 32;
        o[7] = ((x14 + s[14]) & 0xffffffffL) | (long) (x15 + s[15]) << 32;
    }
}
