package org.ntmlab.ntm.as;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password storage with PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2), a random 16-byte salt
 * and a per-record iteration count, encoded as {@code pbkdf2-sha256:<iterations>:<salt>:<hash>}.
 */
public final class PasswordHasher {

    /** OWASP's 2023 guidance for PBKDF2-HMAC-SHA256 is 600,000; we take it as the default. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHasher() {
    }

    public static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(h);
    }

    /** Constant-time check of {@code password} against a stored record. */
    public static boolean verify(char[] password, String stored) {
        String[] parts = stored.split(":");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("not a " + PREFIX + " record");
        }
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        return MessageDigest.isEqual(derive(password, salt, iterations), expected);
    }

    /** The iteration count of a stored record (its shape checked by {@link #problem}). */
    public static int iterations(String stored) {
        return Integer.parseInt(stored.split(":")[1]);
    }

    /** Checks the shape of a stored record; null if fine, else what is wrong. */
    public static String problem(String stored) {
        String[] parts = stored.split(":");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            return "expected " + PREFIX + ":<iterations>:<salt>:<hash>";
        }
        try {
            if (Integer.parseInt(parts[1]) < 1) {
                return "iterations must be positive";
            }
            Base64.getDecoder().decode(parts[2]);
            Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            return "bad number or base64: " + e.getMessage();
        }
        return null;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}
