package org.ntmlab.ntm.crypto;

/** The protection applied to every NTM message body (docs/protocol.md, "suite"). */
public enum CipherSuite {
    /** AES-128-GCM, JDK provider: one pass, 16-byte tag. The default. */
    AES_128_GCM(1),
    /**
     * Paper-compatible: AES-128-CBC, then HMAC-SHA-256 over header and ciphertext, truncated
     * to 16 bytes (encrypt-then-MAC). Separate encryption and MAC steps, as in the paper's
     * Table 2, so each can be timed on its own.
     */
    AES_128_CBC_HMAC_SHA256(2),
    /**
     * ChaCha20-Poly1305 (RFC 8439 section 2.8), 256-bit key, 16-byte tag: our own pure-Java
     * implementation ({@code ChaCha20Poly1305}), which allocates nothing per packet.
     */
    CHACHA20_POLY1305(3);

    /** Authentication tag length on the wire, every suite. */
    public static final int TAG_LENGTH = 16;
    /** AES block: the most PKCS#7 padding the CBC suite adds. */
    public static final int MAX_PADDING = 16;

    public final int code;

    CipherSuite(int code) {
        this.code = code;
    }

    /** The suite with wire code {@code code}, or null when unknown. */
    public static CipherSuite fromCode(int code) {
        for (CipherSuite s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
