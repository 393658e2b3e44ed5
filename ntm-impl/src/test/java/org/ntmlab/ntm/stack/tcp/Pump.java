package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;

/**
 * Drives one connection from its loop callback: writes {@code toSend} bytes of a
 * deterministic pattern, reads and checks every received byte against the same pattern,
 * optionally pauses reading (to force a zero window) and closes its output when done.
 */
final class Pump {
    final TcpConnection conn;
    final long toSend;
    long sent;
    long received;
    boolean eof;
    boolean paused;
    boolean closeWhenSent = true;
    String error;
    private final byte[] buf = new byte[16 * 1024];
    private final long seed;
    private final long peerSeed;

    Pump(TcpConnection conn, long toSend, long seed, long peerSeed) {
        this.conn = conn;
        this.toSend = toSend;
        this.seed = seed;
        this.peerSeed = peerSeed;
        conn.setCallback(this::run);
    }

    static byte pattern(long seed, long i) {
        long x = (i + seed) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 13));
    }

    void run() {
        try {
            while (sent < toSend) {
                int n = (int) Math.min(buf.length, toSend - sent);
                for (int k = 0; k < n; k++) {
                    buf[k] = pattern(seed, sent + k);
                }
                int w = conn.write(buf, 0, n);
                sent += w;
                if (w < n) {
                    break;
                }
            }
            if (sent == toSend && closeWhenSent) {
                conn.shutdownOutput();
            }
            while (!paused && !eof) {
                int n = conn.read(buf, 0, buf.length);
                if (n < 0) {
                    eof = true;
                } else if (n == 0) {
                    break;
                } else {
                    for (int k = 0; k < n; k++) {
                        if (buf[k] != pattern(peerSeed, received + k)) {
                            error = "byte " + (received + k) + " differs";
                            throw new AssertionError(error);
                        }
                    }
                    received += n;
                }
            }
        } catch (IOException e) {
            error = e.toString(); // tests assert on it
        }
    }
}
