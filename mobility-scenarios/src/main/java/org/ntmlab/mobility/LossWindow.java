package org.ntmlab.mobility;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of a UDP stream a move may cost: datagrams sent from {@code fromNanos} to
 * {@code toNanos} inclusive. A move starts at T and the application resumes with the reply
 * to a datagram sent at R (the first answered among those sent once the move was complete);
 * the window opens just after the last datagram whose answer came before T, since the
 * paths are FIFO and every later datagram was in flight when the move cut the old path, and
 * it closes at R, since every datagram from R on travels the new path. Loss anywhere else
 * (a datagram lost while a later one was answered before the move, or lost after R) is a fault.
 */
public record LossWindow(String label, long fromNanos, long toNanos) {

    public boolean contains(long sentNanos) {
        return sentNanos >= fromNanos && sentNanos <= toNanos;
    }

    /** Lost datagrams per window (same order as {@code windows}) and those in no window. */
    public record Account(int[] perWindow, List<Long> outside) {
    }

    public static Account account(List<Long> lostSentNanos, List<LossWindow> windows) {
        int[] per = new int[windows.size()];
        List<Long> outside = new ArrayList<>();
        for (long t : lostSentNanos) {
            boolean in = false;
            for (int i = 0; i < windows.size() && !in; i++) {
                if (windows.get(i).contains(t)) {
                    per[i]++;
                    in = true;
                }
            }
            if (!in) {
                outside.add(t);
            }
        }
        return new Account(per, outside);
    }
}
