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
 * the keystream block and the Poly1305 state are reused, and data is read and written in
 * place in {@link ByteBuffer}s (heap or direct, any byte order) by absolute index; no
 * position or limit is changed. ChaCha20 uses only additions, XORs and rotations of 32-bit
 * words and Poly1305 only fixed-length limb arithmetic, so neither has branches or table
 * indices that depend on secret data (RFC 8439 section 4); the tag check is constant-time.
 *
 * <p>Not thread-safe: one instance per key and event loop, as {@link TrafficKey}.
 */
final class ChaCha20Poly1305 {

    static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = Poly1305.BLOCK;
    /** ChaCha20 block size in bytes (section 2.3). */
    static final int BLOCK = 64;

    private static final VarHandle LE_INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The ChaCha20 state of section 2.3: constants (words 0-3), key (4-11), block counter
     * (12), nonce (13-15). Words 0-11 are set once; 12-15 per message.
     */
    private final int[] state = new int[16];
    /** One keystream block (the state after 20 rounds plus the input state), as 16 words. */
    private final int[] ks = new int[16];
    private final Poly1305 poly = new Poly1305();

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
        ByteBuffer k = ByteBuffer.wrap(key, at, KEY_LENGTH);
        for (int i = 0; i < 8; i++) {
            state[4 + i] = le(k, at + 4 * i);
        }
    }

    /** Sets the 96-bit nonce for the next message from {@code nonce[at..at+12)} (section 2.3: words 13-15, little-endian). */
    void nonce(byte[] nonce, int at) {
        state[13] = (nonce[at] & 0xff) | (nonce[at + 1] & 0xff) << 8 | (nonce[at + 2] & 0xff) << 16
                | nonce[at + 3] << 24;
        state[14] = (nonce[at + 4] & 0xff) | (nonce[at + 5] & 0xff) << 8 | (nonce[at + 6] & 0xff) << 16
                | nonce[at + 7] << 24;
        state[15] = (nonce[at + 8] & 0xff) | (nonce[at + 9] & 0xff) << 8 | (nonce[at + 10] & 0xff) << 16
                | nonce[at + 11] << 24;
    }

    /**
     * Seals in place (section 2.8): encrypts {@code len} bytes from {@code src[srcAt..]} into
     * {@code dst[dstAt..]} (the same bytes, or a range that does not overlap them), then
     * writes the 16-byte tag over AAD and ciphertext right after the ciphertext. The caller
     * checks that {@code dst} has {@code len + 16} bytes of room.
     */
    void seal(ByteBuffer aad, int aadAt, int aadLen, ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        oneTimeKey();
        xor(1, src, srcAt, dst, dstAt, len);
        authenticate(aad, aadAt, aadLen, dst, dstAt, len);
        poly.writeTag(dst, dstAt + len);
    }

    /**
     * Opens in place (section 2.8): checks the tag that follows the {@code len} ciphertext
     * bytes at {@code src[srcAt..]}, and only if it matches decrypts them into
     * {@code dst[dstAt..]} (the same bytes, or a range that does not overlap them). Returns
     * false, with {@code dst} untouched, when the tag does not match.
     */
    boolean open(ByteBuffer aad, int aadAt, int aadLen, ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt,
                 int len) {
        oneTimeKey();
        authenticate(aad, aadAt, aadLen, src, srcAt, len);
        if (!poly.tagEquals(src, srcAt + len)) {
            return false;
        }
        xor(1, src, srcAt, dst, dstAt, len);
        return true;
    }

    /**
     * ChaCha20 encryption (section 2.4): XORs {@code len} bytes from {@code src[srcAt..]}
     * with the keystream starting at block {@code counter} and writes them to
     * {@code dst[dstAt..]}. Decryption is the same operation.
     */
    void xor(int counter, ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        int[] k = ks;
        state[12] = counter;
        while (len >= BLOCK) {
            block();
            for (int i = 0; i < 16; i++) {
                LE_INT.set(dst, dstAt + 4 * i, le(src, srcAt + 4 * i) ^ k[i]);
            }
            state[12]++;
            srcAt += BLOCK;
            dstAt += BLOCK;
            len -= BLOCK;
        }
        if (len > 0) {
            // section 2.4.1: the last partial block uses the first len bytes of its keystream
            block();
            int i = 0;
            for (; i + 4 <= len; i += 4) {
                LE_INT.set(dst, dstAt + i, le(src, srcAt + i) ^ k[i >> 2]);
            }
            for (; i < len; i++) {
                dst.put(dstAt + i, (byte) (src.get(srcAt + i) ^ (k[i >> 2] >>> ((i & 3) << 3))));
            }
        }
    }

    /** The ChaCha20 block function (section 2.3) for the current state: 64 keystream bytes as 16 words in {@code out}. */
    void block(int counter, int[] out) {
        state[12] = counter;
        block();
        System.arraycopy(ks, 0, out, 0, 16);
    }

    /** Section 2.6: the Poly1305 key is the first 32 bytes of the block with counter 0. */
    private void oneTimeKey() {
        state[12] = 0;
        block();
        poly.init(ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7]);
    }

    /** Section 2.8: Poly1305 over aad | pad16 | ciphertext | pad16 | le64(aad length) | le64(ciphertext length). */
    private void authenticate(ByteBuffer aad, int aadAt, int aadLen, ByteBuffer ct, int ctAt, int ctLen) {
        poly.padded(aad, aadAt, aadLen);
        poly.padded(ct, ctAt, ctLen);
        poly.lengths(aadLen, ctLen);
        poly.finish();
    }

    /**
     * Section 2.3: 20 rounds (10 column rounds alternating with 10 diagonal rounds) of the
     * quarter round of section 2.1 on a copy of the state, then the input state added word
     * by word; the result, serialised little-endian, is the keystream block.
     */
    private void block() {
        int[] s = state;
        int j0 = s[0];
        int j1 = s[1];
        int j2 = s[2];
        int j3 = s[3];
        int j4 = s[4];
        int j5 = s[5];
        int j6 = s[6];
        int j7 = s[7];
        int j8 = s[8];
        int j9 = s[9];
        int j10 = s[10];
        int j11 = s[11];
        int j12 = s[12];
        int j13 = s[13];
        int j14 = s[14];
        int j15 = s[15];
        int x0 = j0;
        int x1 = j1;
        int x2 = j2;
        int x3 = j3;
        int x4 = j4;
        int x5 = j5;
        int x6 = j6;
        int x7 = j7;
        int x8 = j8;
        int x9 = j9;
        int x10 = j10;
        int x11 = j11;
        int x12 = j12;
        int x13 = j13;
        int x14 = j14;
        int x15 = j15;
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
        int[] o = ks;
        o[0] = x0 + j0;
        o[1] = x1 + j1;
        o[2] = x2 + j2;
        o[3] = x3 + j3;
        o[4] = x4 + j4;
        o[5] = x5 + j5;
        o[6] = x6 + j6;
        o[7] = x7 + j7;
        o[8] = x8 + j8;
        o[9] = x9 + j9;
        o[10] = x10 + j10;
        o[11] = x11 + j11;
        o[12] = x12 + j12;
        o[13] = x13 + j13;
        o[14] = x14 + j14;
        o[15] = x15 + j15;
    }

    private static int le(ByteBuffer b, int at) {
        return (int) LE_INT.get(b, at);
    }
}
