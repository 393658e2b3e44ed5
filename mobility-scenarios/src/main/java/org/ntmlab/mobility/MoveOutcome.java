package org.ntmlab.mobility;

/**
 * What one move did to the application, measured at the MN. Times are epoch nanoseconds on
 * {@link WallClock}; 0 when the instant was not seen.
 *
 * @param startNanos        the harness called {@code moveTo} (event {@code move-start})
 * @param addressSeenNanos  the node saw its new address (its event {@code address-added})
 * @param udpResumedNanos   first echo reply to a datagram sent after {@code moveTo} returned ({@code app-data-resumed})
 * @param udpResumedSent    when that datagram was sent
 * @param tcpProgressNanos  first echoed TCP byte that was written after the start ({@code tcp-resumed})
 * @param rttBeforeMs       median UDP echo RTT before the move
 * @param rttAfterMs        median UDP echo RTT on the new path
 * @param window            the datagrams this move may cost (see {@link LossWindow})
 * @param lostInWindow      datagrams lost inside it
 * @param pathMn            the tunnel's path at the MN once settled; {@code pathCn} at the CN
 * @param tcpTimeouts       retransmission timeouts of the MN's and the CN's TCP during the move
 * @param tcpStallNanos     the longest wait of the TCP reader across the move (what a user notices)
 */
public record MoveOutcome(int index, Move move, String from, long startNanos, long addressSeenNanos,
                          long udpResumedNanos, long udpResumedSent, long tcpProgressNanos, double rttBeforeMs,
                          double rttAfterMs, LossWindow window, int lostInWindow, String pathMn, String pathCn,
                          long tcpTimeouts, long tcpStallNanos) {

    /** Move start until the application's UDP data flows again (the handover's total). */
    public double interruptionMs() {
        return (udpResumedNanos - startNanos) / 1e6;
    }

    /** The node sees its new address until the application's data flows again. */
    public double signallingMs() {
        return addressSeenNanos == 0 ? Double.NaN : (udpResumedNanos - addressSeenNanos) / 1e6;
    }

    public double tcpStallMs() {
        return tcpStallNanos / 1e6;
    }

    public double tcpInterruptionMs() {
        return tcpProgressNanos == 0 ? Double.NaN : (tcpProgressNanos - startNanos) / 1e6;
    }

    /** Interruption in round trips of the new path. */
    public double interruptionRtts() {
        return interruptionMs() / rttAfterMs;
    }

    MoveOutcome withAddressSeen(long nanos) {
        return new MoveOutcome(index, move, from, startNanos, nanos, udpResumedNanos, udpResumedSent,
                tcpProgressNanos, rttBeforeMs, rttAfterMs, window, lostInWindow, pathMn, pathCn, tcpTimeouts, tcpStallNanos);
    }

    MoveOutcome withWindow(LossWindow w, int lost) {
        return new MoveOutcome(index, move, from, startNanos, addressSeenNanos, udpResumedNanos, udpResumedSent,
                tcpProgressNanos, rttBeforeMs, rttAfterMs, w, lost, pathMn, pathCn, tcpTimeouts, tcpStallNanos);
    }
}
