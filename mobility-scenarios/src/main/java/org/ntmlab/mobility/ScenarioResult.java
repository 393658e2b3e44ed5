package org.ntmlab.mobility;

import java.nio.file.Path;
import java.util.List;

import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * Everything a scenario run measured: per move outcomes, the two streams' totals, the
 * timeline pcap-analysis drew from the capture and the event log, and where they were written.
 *
 * @param lostOutside    UDP sequence numbers lost outside every move's window (must be empty)
 * @param virtualKept    the MN's virtual IPv4 and IPv6 addresses never changed
 */
public record ScenarioResult(Scenario scenario, List<MoveOutcome> moves, long tcpSent, long tcpReceived,
                             Throwable tcpFailure, int udpSent, int udpReplies, long udpCorrupted,
                             long udpDuplicates, Throwable udpFailure, List<Integer> lostOutside,
                             boolean virtualKept, TimelineReport timeline, Path directory) {
}
