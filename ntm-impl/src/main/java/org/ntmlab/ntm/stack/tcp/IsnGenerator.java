package org.ntmlab.ntm.stack.tcp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond
 * clock, F the first 32 bits of HMAC-SHA-256 keyed with a per-layer random secret. Only
 * runs once per connection, so allocation here is fine.
 */
final class IsnGenerator {
    private final Mac mac;

    IsnGenerator() {
        try {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    int next(byte[] local, int localPort, byte[] remote, int remotePort, long nanoTime) {
        ByteBuffer in = ByteBuffer.allocate(local.length + remote.length + 4);
        in.put(local).putShort((short) localPort).put(remote).putShort((short) remotePort);
        byte[] h = mac.doFinal(in.array());
        int f = ((h[0] & 0xFF) << 24) | ((h[1] & 0xFF) << 16) | ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
        return (int) (nanoTime / 4000) + f;
    }
}
