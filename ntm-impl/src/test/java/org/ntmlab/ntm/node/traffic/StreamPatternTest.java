package org.ntmlab.ntm.node.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamPatternTest {

    @Test
    void fillAtAnyOffsetAgreesWithAt() {
        StreamPattern p = new StreamPattern(42);
        for (long start : new long[] {0, 1, 7, 8, 9, 1_000_003, (1L << 33) + 5}) {
            byte[] b = new byte[37];
            p.fill(b, 0, b.length, start);
            for (int i = 0; i < b.length; i++) {
                assertThat(b[i]).as("byte " + (start + i)).isEqualTo(p.at(start + i));
            }
            assertThat(p.firstMismatch(b, 0, b.length, start)).isEqualTo(-1);
        }
    }

    @Test
    void firstMismatchNamesTheStreamOffset() {
        StreamPattern p = new StreamPattern(7);
        byte[] b = new byte[100];
        p.fill(b, 0, 100, 5_000);
        b[61] ^= 1;
        assertThat(p.firstMismatch(b, 0, 100, 5_000)).isEqualTo(5_061);
    }

    @Test
    void shiftedStreamDoesNotMatchItself() {
        // a counting pattern repeats every 256 bytes: a lost or duplicated block of 256 would pass
        StreamPattern p = new StreamPattern(1);
        byte[] b = new byte[4096];
        for (int shift : new int[] {1, 8, 256, 4096, 65536}) {
            p.fill(b, 0, b.length, shift);
            assertThat(p.firstMismatch(b, 0, b.length, 0)).as("shift " + shift).isBetween(0L, 16L);
        }
    }

    @Test
    void seedsGiveDifferentStreams() {
        byte[] a = new byte[64];
        new StreamPattern(1).fill(a, 0, 64, 0);
        assertThat(new StreamPattern(2).firstMismatch(a, 0, 64, 0)).isBetween(0L, 8L);
    }
}
