package org.ntmlab.pcap.decode;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Bounds-checked big-endian reads over a captured frame. */
final class Bytes {
    private Bytes() {
    }

    static void need(byte[] b, int off, int len, String layer, String what) throws MalformedPacketException {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new MalformedPacketException(layer, what + " needs " + len + " bytes at offset " + off
                    + " but the frame has " + b.length);
        }
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    static InetAddress address(byte[] b, int off, int len) {
        byte[] a = new byte[len];
        System.arraycopy(b, off, a, 0, len);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length is 4 or 16", e);
        }
    }

    static String mac(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", b[off + i] & 0xff));
        }
        return s.toString();
    }
}
