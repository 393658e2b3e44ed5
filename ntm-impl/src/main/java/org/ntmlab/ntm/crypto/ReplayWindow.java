package org.ntmlab.ntm.crypto;

/**
 * Anti-replay window over 64-bit counters, a bitmap of {@link #SIZE} packets in the manner of
 * RFC 6479 (as in IPsec and WireGuard). Counter 0 is never valid. Not thread-safe: one
 * window belongs to one receive direction on one event loop.
 */
public final class ReplayWindow {

    /** Packets tracked behind the highest counter seen: enough for reordering on a busy tunnel. */
    public static final int SIZE = 2048;
    private static final int WORDS = SIZE / 64;

    private final long[] bits = new long[WORDS];
    private long highest;

    /** True if {@code counter} may be new: call before the (costly) authentication check. */
    public boolean mightAccept(long counter) {
        if (counter == 0) {
            return false;
        }
        if (Long.compareUnsigned(counter, highest) > 0) {
            return true;
        }
        if (highest - counter >= SIZE) {
            return false;
        }
        return (bits[word(counter)] & bit(counter)) == 0;
    }

    /** Records an authenticated counter; false if it was too old or seen before (a replay). */
    public boolean accept(long counter) {
        if (!mightAccept(counter)) {
            return false;
        }
        if (Long.compareUnsigned(counter, highest) > 0) {
            long shift = counter - highest;
            if (shift >= SIZE) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long c = highest + 1; c != counter; c++) {
                    bits[word(c)] &= ~bit(c);
                }
            }
            highest = counter;
            bits[word(counter)] &= ~bit(counter);
        }
        bits[word(counter)] |= bit(counter);
        return true;
    }

    public long highest() {
        return highest;
    }

    private static int word(long counter) {
        return (int) ((counter >>> 6) & (WORDS - 1));
    }

    private static long bit(long counter) {
        return 1L << (counter & 63);
    }
}
