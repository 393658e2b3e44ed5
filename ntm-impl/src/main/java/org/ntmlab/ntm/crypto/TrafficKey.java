package org.ntmlab.ntm.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.ntmlab.ntm.wire.NtmHeader;

/**
 * The key for one direction of one association (node->DC, DC->node, initiator->responder...):
 * seals outgoing messages with a counter nonce, or opens incoming ones through an
 * anti-replay window. One instance is used either to seal or to open, on one event loop.
 *
 * <p>Wire format (docs/protocol.md): header(20, AAD) | body ciphertext | tag(16).
 * Nonce = salt(4) || counter(8) (RFC 5116 section 3.2 style).
 */
public final class TrafficKey {

    /** Outcome of {@link #open}. */
    public enum Result { OK, TOO_SHORT, WRONG_SUITE, REPLAYED, BAD_AUTH }

    private static final int GCM_KEY = 16;
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
            } else {
                encKey = new SecretKeySpec(material, 0, 16, "AES");
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(material, 16, 32, "HmacSHA256"));
                ivCipher = Cipher.getInstance("AES/ECB/NoPadding");
                ivCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material, 48, 16, "AES"));
                salt = java.util.Arrays.copyOfRange(material, 64, 64 + SALT);
                cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK crypto provider lacks " + suite, e);
        }
        System.arraycopy(salt, 0, nonce, 0, SALT);
    }

    /** The key for {@code label} (e.g. "ntm node-to-dc") derived from a 32-byte shared secret. */
    public static TrafficKey derive(CipherSuite suite, byte[] secret, String label) {
        int len = suite == CipherSuite.AES_128_GCM ? GCM_KEY + SALT : 16 + 32 + 16 + SALT;
        return new TrafficKey(suite, Hkdf.derive(secret, label + "/" + suite.code, len));
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
                + (suite == CipherSuite.AES_128_GCM ? 0 : CipherSuite.MAX_PADDING);
    }

    /**
     * Writes header + sealed {@code plain} at {@code out}'s position and advances it.
     * {@code plain} is consumed. Returns the message length.
     */
    public int seal(ByteBuffer out, int type, int flags, long id, ByteBuffer plain) {
        int start = out.position();
        long ctr = ++counter;
        NtmHeader.write(out, start, type, suite.code, flags, id, ctr);
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
