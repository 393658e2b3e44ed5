package org.ntmlab.bench;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.Hkdf;

/**
 * The two halves of the paper-compatible suite (AES-128-CBC, then HMAC-SHA-256 truncated to
 * 16 bytes; docs/protocol.md "suite" 2), done with the same JDK primitives and the same key
 * material as {@code TrafficKey}, so "encryption" and "MAC" can be timed apart. The smoke
 * test checks that encrypt + sign give exactly the bytes {@code TrafficKey.seal} gives.
 */
final class CbcHmacParts {

    private static final int SALT = 4;

    private final SecretKeySpec encKey;
    private final Cipher cbc;
    private final Cipher ivCipher;
    private final Mac mac;
    private final byte[] salt;
    private final byte[] ivBlock = new byte[16];
    private final byte[] ivOut = new byte[16];
    private final byte[] macOut = new byte[32];

    CbcHmacParts(byte[] secret, String label) {
        CipherSuite suite = CipherSuite.AES_128_CBC_HMAC_SHA256;
        byte[] m = Hkdf.derive(secret, label + "/" + suite.code, 16 + 32 + 16 + SALT);
        try {
            encKey = new SecretKeySpec(m, 0, 16, "AES");
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(m, 16, 32, "HmacSHA256"));
            ivCipher = Cipher.getInstance("AES/ECB/NoPadding");
            ivCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(m, 48, 16, "AES"));
            cbc = Cipher.getInstance("AES/CBC/PKCS5Padding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES/CBC or HmacSHA256", e);
        }
        salt = java.util.Arrays.copyOfRange(m, 64, 64 + SALT);
    }

    /** Encryption row: IV = AES-ECB(salt || counter || 0), then AES-CBC-PKCS5 of {@code plain} into {@code out}. */
    int encrypt(long counter, ByteBuffer plain, ByteBuffer out) {
        try {
            cbc.init(Cipher.ENCRYPT_MODE, encKey, new IvParameterSpec(iv(counter)));
            return cbc.doFinal(plain, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decryption row: the same IV, AES-CBC decryption and padding check. */
    int decrypt(long counter, ByteBuffer cipherText, ByteBuffer plainOut) {
        try {
            cbc.init(Cipher.DECRYPT_MODE, encKey, new IvParameterSpec(iv(counter)));
            return cbc.doFinal(cipherText, plainOut);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** MAC row: HMAC-SHA-256 over header || ciphertext, first 16 bytes put at {@code tagOut}'s position. */
    void sign(byte[] header, ByteBuffer cipherText, ByteBuffer tagOut) {
        mac.update(header);
        mac.update(cipherText);
        try {
            mac.doFinal(macOut, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        tagOut.put(macOut, 0, CipherSuite.TAG_LENGTH);
    }

    /** MAC-verify row: recomputes the tag and compares it in constant time with the one at {@code tagAt}. */
    boolean verify(byte[] header, ByteBuffer cipherText, ByteBuffer message, int tagAt) {
        mac.update(header);
        mac.update(cipherText);
        try {
            mac.doFinal(macOut, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        int diff = 0;
        for (int i = 0; i < CipherSuite.TAG_LENGTH; i++) {
            diff |= macOut[i] ^ message.get(tagAt + i);
        }
        return diff == 0;
    }

    private byte[] iv(long counter) throws GeneralSecurityException {
        System.arraycopy(salt, 0, ivBlock, 0, SALT);
        for (int i = 0; i < 8; i++) {
            ivBlock[SALT + i] = (byte) (counter >>> (56 - 8 * i));
        }
        ivCipher.doFinal(ivBlock, 0, 16, ivOut, 0);
        return ivOut;
    }
}
