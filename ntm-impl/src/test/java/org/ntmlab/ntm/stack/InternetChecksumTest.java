package org.ntmlab.ntm.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time sum equals RFC 1071's 16-bit one's-complement sum for every length and alignment. */
class InternetChecksumTest {

    private static int reference(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    @Test
    void matchesSixteenBitSumAtEveryLengthAndOffset() {
        Random r = new Random(7);
        byte[] data = new byte[1600];
        for (int round = 0; round < 4; round++) {
            r.nextBytes(data);
            if (round == 3) {
                java.util.Arrays.fill(data, (byte) 0xFF); // most carries
            }
            ByteBuffer b = ByteBuffer.wrap(data);
            for (int off = 0; off < 9; off++) {
                for (int len = 0; len <= 1500; len += 1 + (len > 64 ? r.nextInt(13) : 0)) {
                    assertThat(InternetChecksum.finish(InternetChecksum.add(0, b, off, len)))
                            .as("offset %d length %d", off, len).isEqualTo(reference(data, off, len));
                }
            }
        }
    }
}
