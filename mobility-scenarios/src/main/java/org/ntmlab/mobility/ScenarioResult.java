package org.ntmlab.mobility;

import java.nio.file.Path;
import java.util.List;

import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * Everything a scenario run measured: per move outcomes, the two streams' totals, the
 * timeline pcap-analysis drew from the capture and the event log, and where they were written.
 *
 * @param lostOutside    UDP datagrams lost outside every move's window (must be empty)
 * @param virtualKept    the MN's virtual IPv4 and IPv6 addresses never changed
 * @param counters       drop and event counters of network, NATs, MN, CN, DC and RS at the end (diagnosis)
 */
public record ScenarioResult(Scenario scenario, List<MoveOutcome> moves, long tcpSent, long tcpReceived,
                             Throwable tcpFailure, int udpSent, int udpReplies, long udpCorrupted,
                             long udpDuplicates, Throwable udpFailure, List<LostDatagram> lostOutside,
                             boolean virtualKept, TimelineReport timeline, Path directory,
                             String counters) {

    /** A datagram never answered, placed relative to the move whose start is nearest. */
    public record LostDatagram(int seq, long sentNanos, int nearestMove, double msAfterMoveStart) {
        @Override
        public String toString() {
            return "#" + seq + " (" + ScenarioRunner.ms(msAfterMoveStart) + " ms after move " + nearestMove + ")";
        }
    }
}
