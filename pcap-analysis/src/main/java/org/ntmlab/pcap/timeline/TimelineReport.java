package org.ntmlab.pcap.timeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ntmlab.pcap.report.JsonWriter;
import org.ntmlab.pcap.report.TextTable;

/**
 * Handover timelines of all moves and the statistics per phase. Per-phase statistics use
 * only spans whose two ends were both seen ({@link PhaseSpan#absorbed()} false); {@code total}
 * is move start to application data resumed (or first DATA on the new path).
 */
public record TimelineReport(List<MoveTimeline> moves, Map<Milestone, PhaseStats> phaseStats, PhaseStats total,
                             List<String> warnings) {
    public static final String TOTAL = "total";

    static TimelineReport of(List<MoveTimeline> moves, List<String> warnings) {
        Map<Milestone, PhaseStats> stats = new LinkedHashMap<>();
        for (Milestone m : Milestone.values()) {
            if (m == Milestone.MOVE_START) {
                continue;
            }
            List<Double> d = new ArrayList<>();
            for (MoveTimeline mv : moves) {
                mv.phase(m).filter(s -> !s.absorbed()).ifPresent(s -> d.add(s.durationMs()));
            }
            stats.put(m, PhaseStats.of(m.phase(), d));
        }
        List<Double> totals = moves.stream().map(MoveTimeline::totalMs).toList();
        return new TimelineReport(List.copyOf(moves), stats, PhaseStats.of(TOTAL, totals), List.copyOf(warnings));
    }

    public PhaseStats stats(Milestone phaseEnd) {
        return phaseStats.get(phaseEnd);
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Aggregate table: one row per phase, then total. */
    public TextTable statsTable() {
        TextTable t = new TextTable("phase", "ends at", "n", "mean ms", "p50 ms", "p95 ms", "min ms", "max ms");
        for (Map.Entry<Milestone, PhaseStats> e : phaseStats.entrySet()) {
            PhaseStats s = e.getValue();
            t.row(s.phase(), e.getKey().key(), s.count(), ms(s.mean()), ms(s.p50()), ms(s.p95()), ms(s.min()), ms(s.max()));
        }
        t.row(TOTAL, "app-data-resumed", total.count(), ms(total.mean()), ms(total.p50()), ms(total.p95()),
                ms(total.min()), ms(total.max()));
        return t;
    }

    /** One row per move: milliseconds from move start to each milestone. */
    public TextTable movesTable() {
        List<String> head = new ArrayList<>(List.of("move", "node", "new address"));
        for (Milestone m : Milestone.values()) {
            if (m != Milestone.MOVE_START) {
                head.add(m.key());
            }
        }
        head.add("total ms");
        TextTable t = new TextTable(head.toArray(String[]::new));
        for (MoveTimeline mv : moves) {
            List<Object> row = new ArrayList<>(List.of(mv.index(), mv.node().isEmpty() ? "-" : mv.node(),
                    mv.newAddress() == null ? "-" : mv.newAddress()));
            for (Milestone m : Milestone.values()) {
                if (m != Milestone.MOVE_START) {
                    row.add(ms(mv.msTo(m)));
                }
            }
            row.add(ms(mv.totalMs()));
            t.row(row.toArray());
        }
        return t;
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# Handover timeline\n\n");
        s.append(moves.size()).append(" move(s). Phase durations in milliseconds; each phase runs from the previous "
                + "milestone seen to the one named in \"ends at\".\n\n");
        s.append("## Phases over all moves\n\n").append(statsTable().markdown());
        s.append("\n## Milestones per move (ms after move-start)\n\n").append(movesTable().markdown());
        List<String> notes = new ArrayList<>(warnings);
        for (MoveTimeline mv : moves) {
            for (String n : mv.notes()) {
                notes.add("move " + mv.index() + ": " + n);
            }
        }
        if (!notes.isEmpty()) {
            s.append("\n## Notes\n\n");
            for (String n : notes) {
                s.append("- ").append(n).append('\n');
            }
        }
        s.append("\n## Milestone definitions\n\n");
        for (Milestone m : Milestone.values()) {
            s.append("- `").append(m.key()).append("`").append(m.phase() == null ? "" : " (ends phase `" + m.phase() + "`)")
                    .append(": ").append(m.description()).append('\n');
        }
        return s.toString();
    }

    public String console() {
        return "Phases over " + moves.size() + " move(s), ms:\n" + statsTable().console()
                + "\nMilestones per move, ms after move-start:\n" + movesTable().console();
    }

    public String json() {
        JsonWriter j = new JsonWriter().beginObject();
        j.name("moves").beginArray();
        for (MoveTimeline mv : moves) {
            j.beginObject();
            j.name("index").value(mv.index()).name("node").value(mv.node()).name("startNanos").value(mv.startNanos());
            j.name("newAddress").value(mv.newAddress());
            j.name("totalMs").value(mv.totalMs());
            j.name("milestones").beginArray();
            for (Milestone m : Milestone.values()) {
                MilestoneHit h = mv.milestones().get(m);
                if (h != null) {
                    j.beginObject().name("milestone").value(m.key()).name("timestampNanos").value(h.timestampNanos())
                            .name("ms").value(mv.msTo(m)).name("source").value(h.source()).name("detail")
                            .value(h.detail()).endObject();
                }
            }
            j.endArray();
            j.name("phases").beginArray();
            for (PhaseSpan p : mv.phases()) {
                j.beginObject().name("phase").value(p.phase()).name("endsAt").value(p.end().key())
                        .name("startMs").value((p.startNanos() - mv.startNanos()) / 1e6)
                        .name("durationMs").value(p.durationMs()).name("absorbed").value(p.absorbed()).endObject();
            }
            j.endArray();
            j.name("notes").beginArray();
            mv.notes().forEach(j::value);
            j.endArray();
            j.endObject();
        }
        j.endArray();
        j.name("phaseStats").beginArray();
        for (Map.Entry<Milestone, PhaseStats> e : phaseStats.entrySet()) {
            stats(j, e.getValue(), e.getKey().key());
        }
        stats(j, total, Milestone.APP_RESUMED.key());
        j.endArray();
        j.name("warnings").beginArray();
        warnings.forEach(j::value);
        j.endArray();
        j.endObject();
        return j.toString();
    }

    private static void stats(JsonWriter j, PhaseStats s, String endsAt) {
        j.beginObject().name("phase").value(s.phase()).name("endsAt").value(endsAt).name("n").value(s.count())
                .name("meanMs").value(s.mean()).name("p50Ms").value(s.p50()).name("p95Ms").value(s.p95())
                .name("minMs").value(s.min()).name("maxMs").value(s.max()).endObject();
    }

    /** Writes timeline.md, timeline.json and timeline.svg into {@code dir}; returns the paths written. */
    public List<Path> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("timeline.md");
        Path json = dir.resolve("timeline.json");
        Path svg = dir.resolve("timeline.svg");
        Files.writeString(md, markdown(), StandardCharsets.UTF_8);
        Files.writeString(json, json(), StandardCharsets.UTF_8);
        Files.writeString(svg, TimelineChart.svg(this), StandardCharsets.UTF_8);
        return List.of(md, json, svg);
    }
}
