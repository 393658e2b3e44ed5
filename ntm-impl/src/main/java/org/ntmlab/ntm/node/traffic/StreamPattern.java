package org.ntmlab.ntm.node.traffic;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The payload of a checked traffic stream: a pseudo-random byte sequence that is a pure function
 * of a seed and the byte's position. Sender and checker regenerate any stretch of it on the fly,
 * so a stream of any length is written and verified in constant memory (issue 8: a 35 MB echo
 * held two or three times in a 128 MB node ran it out of heap), and a byte that is lost,
 * duplicated, reordered or corrupted anywhere shows up at its exact offset. Unlike a counting
 * pattern, which repeats every 256 bytes, a stretch shifted by any whole number of bytes does not
 * match itself.
 *
 * <p>Each 8-byte word is SplitMix64's output for its index (Steele, Lea, Flood: "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): random access, no state, a few ns per word.
 */
public final class StreamPattern {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;

    public StreamPattern(long seed) {
        this.seed = seed;
    }

    /** A pattern with a fresh seed, so two streams over one path never carry the same bytes. */
    public static StreamPattern fresh() {
        return new StreamPattern(ThreadLocalRandom.current().nextLong());
    }

    public long seed() {
        return seed;
    }

    /** The byte at {@code position} (0 is the first byte of the stream). */
    public byte at(long position) {
        return (byte) (word(position >>> 3) >>> ((position & 7) << 3));
    }

    /** Writes the pattern's bytes {@code [position, position + len)} into {@code b[off..off+len)}. */
    public void fill(byte[] b, int off, int len, long position) {
        int i = 0;
        while (i < len) {
            long p = position + i;
            long w = word(p >>> 3) >>> ((p & 7) << 3);
            int n = Math.min(len - i, 8 - (int) (p & 7));
            for (int k = 0; k < n; k++, w >>>= 8) {
                b[off + i + k] = (byte) w;
            }
            i += n;
        }
    }

    /**
     * Compares {@code b[off..off+len)} with the pattern from {@code position}.
     *
     * @return the stream offset of the first byte that differs, or -1 when all match
     */
    public long firstMismatch(byte[] b, int off, int len, long position) {
        int i = 0;
        while (i < len) {
            long p = position + i;
            long w = word(p >>> 3) >>> ((p & 7) << 3);
            int n = Math.min(len - i, 8 - (int) (p & 7));
            for (int k = 0; k < n; k++, w >>>= 8) {
                if (b[off + i + k] != (byte) w) {
                    return p + k;
                }
            }
            i += n;
        }
        return -1;
    }

    private long word(long index) {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
