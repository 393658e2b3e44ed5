package org.ntmlab.ntm.stack.tcp;

/**
 * Out-of-order bookkeeping for the receive queue: a sorted list of disjoint byte ranges
 * {@code [start, end)} stored past RCV.NXT, as offsets from RCV.NXT. Fixed size, no
 * allocation. The bytes themselves live in the {@link ByteRing}.
 */
final class Assembler {
    private final int[] starts;
    private final int[] ends;
    private int count;

    Assembler(int maxRanges) {
        starts = new int[maxRanges];
        ends = new int[maxRanges];
    }

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    /**
     * Adds {@code [start, end)}, merging with overlapping or adjacent ranges. When the
     * table is full and the range merges with nothing it is refused, except a range at
     * offset 0 (the one that lets the reader progress), which evicts the farthest range.
     */
    boolean add(int start, int end) {
        if (end <= start) {
            return true;
        }
        int i = 0;
        while (i < count && ends[i] < start) {
            i++;
        }
        int j = i;
        int s = start;
        int e = end;
        while (j < count && starts[j] <= end) {
            s = Math.min(s, starts[j]);
            e = Math.max(e, ends[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0 && count == starts.length) {
            if (start != 0) {
                return false;
            }
            count--; // evict the farthest range; its bytes will be retransmitted
        }
        int newCount = count - merged + 1;
        // shift tail [j, count) to [i + 1, ...)
        System.arraycopy(starts, j, starts, i + 1, count - j);
        System.arraycopy(ends, j, ends, i + 1, count - j);
        starts[i] = s;
        ends[i] = e;
        count = newCount;
        return true;
    }

    /**
     * If a range starts at offset 0, removes it, rebases the rest on its end and returns its
     * length; otherwise 0.
     */
    int popFront() {
        if (count == 0 || starts[0] != 0) {
            return 0;
        }
        int n = ends[0];
        System.arraycopy(starts, 1, starts, 0, count - 1);
        System.arraycopy(ends, 1, ends, 0, count - 1);
        count--;
        for (int k = 0; k < count; k++) {
            starts[k] -= n;
            ends[k] -= n;
        }
        return n;
    }

    void clear() {
        count = 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < count; k++) {
            sb.append(k == 0 ? "" : " ").append(starts[k]).append('-').append(ends[k]);
        }
        return sb.append(']').toString();
    }
}
