package org.ntmlab.ntm.stack.tcp;

/**
 * Sequence number comparisons modulo 2^32 (RFC 9293 section 3.4, RFC 1982): {@code a} is
 * "less than" {@code b} when the signed 32-bit difference is negative. Sequence numbers are
 * kept in Java {@code int}s and wrap naturally.
 */
final class SeqNum {

    private SeqNum() {
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** {@code lo <= x < hi} in sequence space. */
    static boolean inRange(int x, int lo, int hi) {
        return le(lo, x) && lt(x, hi);
    }
}
