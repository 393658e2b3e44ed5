package org.ntmlab.ntm.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.ntmlab.ntm.wire.MessageDrop;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * The key for one direction of one association (node->DC, DC->node, initiator->responder...):
 * seals outgoing messages with a counter nonce, or opens incoming ones through an
 * anti-replay window. One instance is used either to seal or to open, on one event loop.
 *
 * <p>Wire format (docs/protocol.md): header(20, AAD) | body ciphertext | tag(16).
 * Nonce = salt(4) || counter(8) (RFC 5116 section 3.2 style), for AES-GCM and, as the 96-bit
 * nonce of RFC 8439 section 2.8, for ChaCha20-Poly1305.
 */
public final class TrafficKey {

    /** Outcome of {@link #open}. */
    public enum Result {
        OK(null),
        TOO_SHORT(MessageDrop.TOO_SHORT),
        WRONG_SUITE(MessageDrop.WRONG_SUITE),
        REPLAYED(MessageDrop.REPLAYED),
        BAD_AUTH(MessageDrop.BAD_AUTH);

        private final MessageDrop drop;

        Result(MessageDrop drop) {
            this.drop = drop;
        }

        /**
         * The shared counter of a message this outcome drops; null for {@link #OK}. Where a
         * component counts the outcome under a prefix of its own (a tunnel's, the DC's, a
         * relay bind's), its counter enum maps the outcome itself.
         */
        public MessageDrop drop() {
            return drop;
        }
    }

    private static final int GCM_KEY = 16;
    private static final int CHACHA_KEY = ChaCha20Poly1305.KEY_LENGTH;
    private static final int SALT = 4;

    private final CipherSuite suite;
    private final byte[] salt;
    private final SecretKeySpec encKey;
    private final Cipher cipher;
    // CBC-HMAC suite only
    private final Mac mac;
    private final Cipher ivCipher;
    private final byte[] macOut = new byte[32];
    private final byte[] ivBlock = new byte[16];
    private final byte[] ivOut = new byte[16];
    // ChaCha20-Poly1305 suite only: the key expanded once, no JDK Cipher
    private final ChaCha20Poly1305 chacha;

    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[NtmHeader.LENGTH];
    private final ReplayWindow window = new ReplayWindow();
    private long counter;

    private TrafficKey(CipherSuite suite, byte[] material) {
        this.suite = suite;
        try {
            if (suite == CipherSuite.AES_128_GCM) {
                encKey = new SecretKeySpec(material, 0, GCM_KEY, "AES");
                salt = java.util.Arrays.copyOfRange(material, GCM_KEY, GCM_KEY + SALT);
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
                mac = null;
                ivCipher = null;
                chacha = null;
            } else if (suite == CipherSuite.CHACHA20_POLY1305) {
                chacha = new ChaCha20Poly1305(material, 0);
                salt = java.util.Arrays.copyOfRange(material, CHACHA_KEY, CHACHA_KEY + SALT);
                encKey = null;
                cipher = null;
                mac = null;
                ivCipher = null;
            } else {
                encKey = new SecretKeySpec(material, 0, 16, "AES");
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(material, 16, 32, "HmacSHA256"));
                ivCipher = Cipher.getInstance("AES/ECB/NoPadding");
                ivCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material, 48, 16, "AES"));
                salt = java.util.Arrays.copyOfRange(material, 64, 64 + SALT);
                cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
                chacha = null;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK crypto provider lacks " + suite, e);
        }
        System.arraycopy(salt, 0, nonce, 0, SALT);
    }

    /** The key for {@code label} (e.g. "ntm node-to-dc") derived from a 32-byte shared secret. */
    public static TrafficKey derive(CipherSuite suite, byte[] secret, String label) {
        return new TrafficKey(suite, Hkdf.derive(secret, label + "/" + suite.code, materialLength(suite)));
    }

    /** HKDF output per key (docs/protocol.md, "Keys"): cipher key(s), then the 4-byte nonce salt. */
    static int materialLength(CipherSuite suite) {
        return switch (suite) {
            case AES_128_GCM -> GCM_KEY + SALT;
            case AES_128_CBC_HMAC_SHA256 -> 16 + 32 + 16 + SALT;
            case CHACHA20_POLY1305 -> CHACHA_KEY + SALT; // RFC 8439: 256-bit key
        };
    }

    /** For test vectors: a ChaCha20-Poly1305 key with explicit key bytes and salt. */
    static TrafficKey chachaForTest(byte[] key32, byte[] salt4) {
        byte[] m = new byte[CHACHA_KEY + SALT];
        System.arraycopy(key32, 0, m, 0, CHACHA_KEY);
        System.arraycopy(salt4, 0, m, CHACHA_KEY, SALT);
        return new TrafficKey(CipherSuite.CHACHA20_POLY1305, m);
    }

    /** For test vectors: a GCM key with explicit key bytes and salt. */
    static TrafficKey gcmForTest(byte[] key16, byte[] salt4) {
        byte[] m = new byte[GCM_KEY + SALT];
        System.arraycopy(key16, 0, m, 0, GCM_KEY);
        System.arraycopy(salt4, 0, m, GCM_KEY, SALT);
        return new TrafficKey(CipherSuite.AES_128_GCM, m);
    }

    public CipherSuite suite() {
        return suite;
    }

    /** Highest counter opened so far (0 before the first): tells a fresh packet from a late one. */
    public long highestOpened() {
        return window.highest();
    }

    /** Counter of the last sealed message. */
    public long counter() {
        return counter;
    }

    /** Bytes a sealed message adds to its body: header and tag, plus CBC padding. */
    public int overhead() {
        return NtmHeader.LENGTH + CipherSuite.TAG_LENGTH
                + (suite == CipherSuite.AES_128_CBC_HMAC_SHA256 ? CipherSuite.MAX_PADDING : 0);
    }

    /**
     * Makes the next sealed message carry a counter above {@code floor} (send keys, before first
     * use). See {@link Association#longLived}: a key that outlives a process must not start
     * again at 1 after a restart.
     */
    public void countFrom(long floor) {
        if (Long.compareUnsigned(floor, counter) > 0) {
            counter = floor;
        }
    }

    /**
     * Writes header + sealed {@code plain} at {@code out}'s position and advances it.
     * {@code plain} is consumed. Returns the message length.
     */
    public int seal(ByteBuffer out, int type, int flags, long id, ByteBuffer plain) {
        int start = out.position();
        long ctr = ++counter;
        NtmHeader.write(out, start, type, suite.code, flags, id, ctr);
        if (chacha != null) {
            return sealChaCha(out, start, ctr, plain);
        }
        out.get(start, aad);
        out.position(start + NtmHeader.LENGTH);
        try {
            if (suite == CipherSuite.AES_128_GCM) {
                putCounter(ctr);
                cipher.init(Cipher.ENCRYPT_MODE, encKey, new GCMParameterSpec(128, nonce));
                cipher.updateAAD(aad);
                cipher.doFinal(plain, out);
            } else {
                cipher.init(Cipher.ENCRYPT_MODE, encKey, new IvParameterSpec(cbcIv(ctr)));
                int ctStart = out.position();
                cipher.doFinal(plain, out);
                int ctEnd = out.position();
                mac.update(aad);
                int oldLimit = out.limit();
                out.limit(ctEnd).position(ctStart);
                mac.update(out);
                out.limit(oldLimit).position(ctEnd);
                mac.doFinal(macOut, 0);
                out.put(macOut, 0, CipherSuite.TAG_LENGTH);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed (output buffer too small?)", e);
        }
        return out.position() - start;
    }

    /**
     * Opens the message in {@code in} (position = header, limit = end) into {@code plainOut}
     * (position advanced by the body length). Changes no state unless the result is OK.
     */
    public Result open(ByteBuffer in, ByteBuffer plainOut) {
        int start = in.position();
        int len = in.remaining();
        if (len < NtmHeader.LENGTH + CipherSuite.TAG_LENGTH) {
            return Result.TOO_SHORT;
        }
        if (NtmHeader.suite(in, start) != suite.code) {
            return Result.WRONG_SUITE;
        }
        long ctr = NtmHeader.counter(in, start);
        if (!window.mightAccept(ctr)) {
            return Result.REPLAYED;
        }
        if (chacha != null) {
            return openChaCha(in, start, len, ctr, plainOut);
        }
        in.get(start, aad);
        int end = start + len;
        try {
            if (suite == CipherSuite.AES_128_GCM) {
                putCounter(ctr);
                cipher.init(Cipher.DECRYPT_MODE, encKey, new GCMParameterSpec(128, nonce));
                cipher.updateAAD(aad);
                in.position(start + NtmHeader.LENGTH);
                cipher.doFinal(in, plainOut);
            } else {
                int ctStart = start + NtmHeader.LENGTH;
                int ctEnd = end - CipherSuite.TAG_LENGTH;
                if ((ctEnd - ctStart) % 16 != 0 || ctEnd == ctStart) {
                    return Result.BAD_AUTH;
                }
                mac.update(aad);
                in.limit(ctEnd).position(ctStart);
                mac.update(in);
                mac.doFinal(macOut, 0);
                in.limit(end);
                int diff = 0;
                for (int i = 0; i < CipherSuite.TAG_LENGTH; i++) {
                    diff |= macOut[i] ^ in.get(ctEnd + i); // constant time
                }
                if (diff != 0) {
                    in.position(start);
                    return Result.BAD_AUTH;
                }
                cipher.init(Cipher.DECRYPT_MODE, encKey, new IvParameterSpec(cbcIv(ctr)));
                in.limit(ctEnd).position(ctStart);
                cipher.doFinal(in, plainOut);
                in.limit(end).position(end);
            }
        } catch (AEADBadTagException e) {
            in.limit(end).position(start);
            return Result.BAD_AUTH;
        } catch (GeneralSecurityException e) {
            in.limit(end).position(start);
            return Result.BAD_AUTH; // bad padding after a valid MAC cannot happen unless keys differ
        }
        if (!window.accept(ctr)) {
            return Result.REPLAYED;
        }
        return Result.OK;
    }

    /**
     * ChaCha20-Poly1305 (RFC 8439 section 2.8) in place: the header at {@code out[start..]}
     * is the AAD, the plaintext is encrypted straight into {@code out}, the tag follows it.
     * No JDK Cipher, nothing allocated. {@code plain} may be the very bytes it is sealed
     * into; other overlaps work for bodies up to {@code ChaCha20Poly1305.CHUNK} (2,048) bytes.
     */
    private int sealChaCha(ByteBuffer out, int start, long ctr, ByteBuffer plain) {
        int ctStart = start + NtmHeader.LENGTH;
        int len = plain.remaining();
        if (out.limit() - ctStart < len + CipherSuite.TAG_LENGTH) {
            throw new IllegalStateException("sealing failed (output buffer too small)");
        }
        putCounter(ctr);
        chacha.nonce(nonce, 0);
        chacha.seal(out, start, NtmHeader.LENGTH, plain, plain.position(), out, ctStart, len);
        plain.position(plain.limit());
        out.position(ctStart + len + CipherSuite.TAG_LENGTH);
        return out.position() - start;
    }

    /**
     * Checks the tag (over the header as AAD and the ciphertext in {@code in}) and only then
     * decrypts into {@code plainOut}. As with the JDK suites, a {@code plainOut} too small
     * for the body is BAD_AUTH, and nothing changes unless the result is OK.
     */
    private Result openChaCha(ByteBuffer in, int start, int len, long ctr, ByteBuffer plainOut) {
        int ctStart = start + NtmHeader.LENGTH;
        int ctLen = len - NtmHeader.LENGTH - CipherSuite.TAG_LENGTH;
        int at = plainOut.position();
        if (plainOut.remaining() < ctLen) {
            return Result.BAD_AUTH;
        }
        putCounter(ctr);
        chacha.nonce(nonce, 0);
        if (!chacha.open(in, start, NtmHeader.LENGTH, in, ctStart, plainOut, at, ctLen)) {
            return Result.BAD_AUTH;
        }
        if (!window.accept(ctr)) {
            return Result.REPLAYED;
        }
        plainOut.position(at + ctLen);
        in.position(start + len);
        return Result.OK;
    }

    private void putCounter(long ctr) {
        for (int i = 0; i < 8; i++) {
            nonce[SALT + i] = (byte) (ctr >>> (56 - 8 * i));
        }
    }

    /** CBC IV = AES_ivKey(salt || counter || 0...): unpredictable, never repeated (SP 800-38A App. C). */
    private byte[] cbcIv(long ctr) throws GeneralSecurityException {
        System.arraycopy(salt, 0, ivBlock, 0, SALT);
        for (int i = 0; i < 8; i++) {
            ivBlock[SALT + i] = (byte) (ctr >>> (56 - 8 * i));
        }
        ivCipher.doFinal(ivBlock, 0, 16, ivOut, 0);
        return ivOut;
    }

}
