package org.ntmlab.ntm.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes body fields in the encodings of docs/protocol.md. */
public final class BodyWriter {

    private BodyWriter() {
    }

    public static void string(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length > 255) {
            throw new IllegalArgumentException("string longer than 255 bytes: " + s);
        }
        b.put((byte) u.length).put(u);
    }

    /** A human-readable reason: cut to at most {@code maxBytes} of UTF-8 (never inside a character). */
    public static void reason(ByteBuffer b, String s, int maxBytes) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(u.length, Math.min(maxBytes, 255));
        while (n < u.length && n > 0 && (u[n] & 0xC0) == 0x80) {
            n--; // do not split a multi-byte character
        }
        b.put((byte) n).put(u, 0, n);
    }

    public static void addr(ByteBuffer b, InetAddress a) {
        if (a == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) (a instanceof Inet4Address ? 4 : 6)).put(a.getAddress());
        }
    }

    public static void sockaddr(ByteBuffer b, InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            b.put((byte) 0);
        } else {
            addr(b, a.getAddress());
            b.putShort((short) a.getPort());
        }
    }
}
