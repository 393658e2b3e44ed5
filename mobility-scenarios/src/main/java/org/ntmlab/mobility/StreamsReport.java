package org.ntmlab.mobility;

import static org.ntmlab.mobility.ScenarioRunner.ms;

/** {@code streams.md} of a scenario: what each move cost the TCP and the UDP stream. */
final class StreamsReport {

    private StreamsReport() {
    }

    static String markdown(ScenarioResult r) {
        Scenario s = r.scenario();
        StringBuilder b = new StringBuilder();
        b.append("# Scenario ").append(s.name()).append("\n\n");
        b.append("MN `").append(s.mnName()).append("` starts on ").append(s.startSegment()).append(" at ")
                .append(s.startAddress()).append("; CN on ").append(s.cnSegment()).append(" at ")
                .append(s.cnAddress()).append("; one-way delay on the global segments ")
                .append(ms(s.globalDelayMs())).append(" ms.\n\n");
        b.append("UDP: ").append(r.udpSent()).append(" datagrams of ").append(UdpProbeStream.SIZE)
                .append(" bytes, one every ").append(ScenarioRunner.UDP_INTERVAL_NANOS / 1_000_000.0)
                .append(" ms; ").append(r.udpReplies()).append(" answered, ").append(r.udpCorrupted())
                .append(" corrupted, ").append(r.udpDuplicates()).append(" duplicated, ")
                .append(r.lostOutside().size()).append(" lost outside a move's window")
                .append(r.lostOutside().isEmpty() ? "" :  " (" + r.lostOutside() + ")")
                .append(".\n\n");
        b.append("TCP: ").append(r.tcpSent()).append(" bytes sent, ").append(r.tcpReceived())
                .append(" echoed and checked; application exception: ")
                .append(r.tcpFailure() == null ? "none" : r.tcpFailure().toString()).append(".\n\n");
        b.append("Virtual addresses kept across every move: ").append(r.virtualKept()).append(".\n\n");
        b.append("| # | kind | from | to | path MN/CN | address seen ms | UDP resumed ms | signalling ms"
                + " | TCP resumed ms | TCP stall ms | TCP RTOs | RTT before ms | RTT after ms | interruption / RTT | loss window ms"
                + " | lost in window |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (MoveOutcome m : r.moves()) {
            double seen = m.addressSeenNanos() == 0 ? Double.NaN : (m.addressSeenNanos() - m.startNanos()) / 1e6;
            b.append("| ").append(m.index()).append(" | ").append(m.move().kind()).append(" | ").append(m.from())
                    .append(" | ").append(m.move().segment()).append(':').append(m.move().address()).append(" | ")
                    .append(m.pathMn()).append('/').append(m.pathCn()).append(" | ").append(ms(seen)).append(" | ")
                    .append(ms(m.interruptionMs())).append(" | ").append(ms(m.signallingMs())).append(" | ")
                    .append(ms(m.tcpInterruptionMs())).append(" | ").append(ms(m.tcpStallMs())).append(" | ")
                    .append(m.tcpTimeouts()).append(" | ")
                    .append(ms(m.rttBeforeMs())).append(" | ")
                    .append(ms(m.rttAfterMs())).append(" | ").append(ms(m.interruptionRtts())).append(" | ")
                    .append(ms((m.window().fromNanos() - m.startNanos()) / 1e6)).append(" .. ")
                    .append(ms((m.window().toNanos() - m.startNanos()) / 1e6)).append(" | ")
                    .append(m.lostInWindow()).append(" |\n");
        }
        b.append("\nAll times in ms after `move-start`. *signalling*: `address-added` to `app-data-resumed`. *TCP resumed*: the first byte written after the move comes back (behind the backlog the stall built up). *TCP stall*: the reader's longest wait across the move. *TCP RTOs*: retransmission timeouts at MN and CN together while the move settled. "
                + "*loss window*: from the move minus the longest RTT before it to the sending of the first "
                + "datagram answered on the new path.\n");
        b.append("\n## Counters at the end\n\n```\n").append(r.counters()).append("\n```\n");
        return b.toString();
    }
}
