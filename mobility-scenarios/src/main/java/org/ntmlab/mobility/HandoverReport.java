package org.ntmlab.mobility;

import static org.ntmlab.mobility.ScenarioRunner.ms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.ntmlab.pcap.timeline.Milestone;
import org.ntmlab.pcap.timeline.MoveTimeline;
import org.ntmlab.pcap.timeline.PhaseStats;
import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * The handover report over several scenarios: their pcap-analysis timelines merged into one
 * (moves renumbered in time order, statistics over all of them), plus what the streams
 * measured: {@code signalling} (address seen until data flows again), {@code interruption}
 * (move start until data flows again), TCP resumption and interruption in round trips.
 * Written to {@code target/ntm-report/handover/} (timeline.md, .json, .svg, streams.md).
 */
public record HandoverReport(TimelineReport timeline, List<ScenarioResult> scenarios) {

    public static HandoverReport of(List<ScenarioResult> scenarios) {
        return new HandoverReport(merge(scenarios.stream().map(ScenarioResult::timeline).toList()), scenarios);
    }

    /**
     * Each scenario is analysed on its own (a node's last move has no next {@code move-start}
     * to close its window), then the moves are put together.
     */
    static TimelineReport merge(List<TimelineReport> parts) {
        List<MoveTimeline> all = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (TimelineReport p : parts) {
            all.addAll(p.moves());
            warnings.addAll(p.warnings());
        }
        all.sort(Comparator.comparingLong(MoveTimeline::startNanos));
        List<MoveTimeline> moves = new ArrayList<>();
        for (MoveTimeline m : all) {
            moves.add(new MoveTimeline(moves.size() + 1, m.node(), m.startNanos(), m.newAddress(), m.milestones(),
                    m.phases(), m.notes()));
        }
        Map<Milestone, PhaseStats> stats = new LinkedHashMap<>();
        for (Milestone m : Milestone.values()) {
            if (m != Milestone.MOVE_START) {
                List<Double> d = new ArrayList<>();
                for (MoveTimeline mv : moves) {
                    mv.phase(m).filter(s -> !s.absorbed()).ifPresent(s -> d.add(s.durationMs()));
                }
                stats.put(m, PhaseStats.of(m.phase(), d));
            }
        }
        PhaseStats total = PhaseStats.of(TimelineReport.TOTAL, moves.stream().map(MoveTimeline::totalMs).toList());
        return new TimelineReport(List.copyOf(moves), stats, total, List.copyOf(warnings));
    }

    public List<MoveOutcome> outcomes() {
        return scenarios.stream().flatMap(s -> s.moves().stream()).toList();
    }

    public PhaseStats stat(String name, ToDoubleFunction<MoveOutcome> f) {
        return PhaseStats.of(name, outcomes().stream().map(m -> f.applyAsDouble(m)).toList());
    }

    /** Every statistic a budget may name: the analyser's phases, {@code signalling}, {@code total}. */
    public Map<String, PhaseStats> budgetStats() {
        Map<String, PhaseStats> m = new LinkedHashMap<>();
        timeline.phaseStats().values().forEach(s -> m.put(s.phase(), s));
        m.put("signalling", stat("signalling", MoveOutcome::signallingMs));
        m.put("total", timeline.total());
        m.put("interruption", stat("interruption", MoveOutcome::interruptionMs));
        return m;
    }

    /** Statistics per kind of move (P2->P1, IPv4->IPv6, ...), in order of first appearance. */
    public String byKindMarkdown() {
        Map<String, List<MoveOutcome>> kinds = new LinkedHashMap<>();
        for (MoveOutcome m : outcomes()) {
            kinds.computeIfAbsent(m.move().kind(), k -> new ArrayList<>()).add(m);
        }
        StringBuilder b = new StringBuilder("| kind | path | moves | signalling p50 ms | interruption p50 ms"
                + " | interruption p95 ms | TCP resumed p50 ms | TCP stall p50 ms | RTT after p50 ms"
                + " | interruption / RTT p50 | UDP lost in window (sum) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<MoveOutcome>> e : kinds.entrySet()) {
            List<MoveOutcome> l = e.getValue();
            PhaseStats interruption = PhaseStats.of("i", l.stream().map(MoveOutcome::interruptionMs).toList());
            b.append("| ").append(e.getKey()).append(" | ").append(l.get(0).move().expectedPath()).append(" | ")
                    .append(l.size()).append(" | ")
                    .append(ms(p50(l, MoveOutcome::signallingMs))).append(" | ")
                    .append(ms(interruption.p50())).append(" | ").append(ms(interruption.p95())).append(" | ")
                    .append(ms(p50(l, MoveOutcome::tcpInterruptionMs))).append(" | ")
                    .append(ms(p50(l, MoveOutcome::tcpStallMs))).append(" | ")
                    .append(ms(p50(l, MoveOutcome::rttAfterMs))).append(" | ")
                    .append(ms(p50(l, MoveOutcome::interruptionRtts))).append(" | ")
                    .append(l.stream().mapToInt(MoveOutcome::lostInWindow).sum()).append(" |\n");
        }
        return b.toString();
    }

    private static double p50(List<MoveOutcome> l, ToDoubleFunction<MoveOutcome> f) {
        return PhaseStats.of("x", l.stream().map(m -> f.applyAsDouble(m)).toList()).p50();
    }

    public String streamsMarkdown(String title) {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
        b.append(outcomes().size()).append(" moves in ").append(scenarios.size()).append(" scenario(s): ");
        b.append(String.join(", ", scenarios.stream().map(s -> s.scenario().name()).toList())).append(".\n\n");
        b.append("## What the application saw\n\n");
        b.append("| measure | n | mean ms | p50 ms | p95 ms | min ms | max ms |\n|---|---|---|---|---|---|---|\n");
        for (PhaseStats s : List.of(stat("signalling (address-added -> app-data-resumed)", MoveOutcome::signallingMs),
                stat("interruption (move-start -> app-data-resumed)", MoveOutcome::interruptionMs),
                stat("TCP resumed (move-start -> first byte written after the move echoed)",
                        MoveOutcome::tcpInterruptionMs),
                stat("TCP stall (longest wait of the reader across the move)", MoveOutcome::tcpStallMs),
                stat("interruption / RTT of the new path (round trips)", MoveOutcome::interruptionRtts))) {
            b.append("| ").append(s.phase()).append(" | ").append(s.count()).append(" | ").append(ms(s.mean()))
                    .append(" | ").append(ms(s.p50())).append(" | ").append(ms(s.p95())).append(" | ")
                    .append(ms(s.min())).append(" | ").append(ms(s.max())).append(" |\n");
        }
        b.append("\n## By kind of move\n\n").append(byKindMarkdown());
        b.append("\nPer-move details: `target/mobility/<scenario>/streams.md`; handover phases from the capture: "
                + "`timeline.md` beside this file.\n");
        return b.toString();
    }

    /** Writes timeline.md/.json/.svg and streams.md into {@code dir}. */
    public void writeTo(Path dir, String title) throws IOException {
        timeline.writeTo(dir);
        Files.writeString(dir.resolve("streams.md"), streamsMarkdown(title), StandardCharsets.UTF_8);
    }

    public String console(String title) {
        return title + "\n" + timeline.console() + "\n" + streamsMarkdown(title);
    }
}
