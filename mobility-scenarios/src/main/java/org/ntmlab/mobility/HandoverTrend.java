package org.ntmlab.mobility;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ntmlab.pcap.timeline.PhaseStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handover latency over many runs, for CI (issue 14; docs/mobility.md "Handover trends"): each
 * run's summary (and its timeline.json) is kept in a history folder, and a run fails when a metric
 * grew by more than a tolerance over the median of the last runs (or over a baseline file), on top
 * of the absolute budgets ({@link HandoverBudgets}). The budgets catch "too slow"; the trend
 * catches "slower than it was", which a budget with headroom for a loaded CI machine cannot.
 *
 * <p>It lives in mobility-scenarios beside the budgets: it judges scenarios' numbers, while
 * pcap-analysis only computes them. Settings (system properties, defaults in brackets):
 * {@code ntm.handover.history} [target/handover-history], {@code ntm.handover.keep} [50 runs per
 * scenario], {@code ntm.handover.window} [10], {@code ntm.handover.tolerance} [0.5 = +50 %],
 * {@code ntm.handover.minDeltaMs} [10], {@code ntm.handover.minRuns} [3],
 * {@code ntm.handover.baseline} [none: a summary.json to compare with instead of the median],
 * {@code ntm.handover.byLoad} [true: compare only with runs of the same load class, so a run on a
 * busy machine is not held to the median of idle ones; classes by 1-minute load per core: idle
 * &lt; 0.5, busy &lt; 1.5, overloaded].
 */
public final class HandoverTrend {
    private static final Logger LOG = LoggerFactory.getLogger(HandoverTrend.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The metrics a run is judged on: phase x statistic. */
    public static final List<String> METRICS = List.of("signalling.p50", "signalling.p95", "interruption.p50",
            "interruption.p95");

    private final Path history;
    private final int keep;
    private final int window;
    private final double tolerance;
    private final double minDeltaMs;
    private final int minRuns;
    private final Path baseline;
    private final boolean byLoad;
    /** /proc/loadavg now (replaced in tests). */
    java.util.function.Supplier<String> load = HandoverTrend::loadAverage;

    public HandoverTrend(Path history, int keep, int window, double tolerance, double minDeltaMs, int minRuns,
                         Path baseline) {
        this(history, keep, window, tolerance, minDeltaMs, minRuns, baseline, false);
    }

    public HandoverTrend(Path history, int keep, int window, double tolerance, double minDeltaMs, int minRuns,
                         Path baseline, boolean byLoad) {
        this.byLoad = byLoad;
        this.history = history;
        this.keep = keep;
        this.window = window;
        this.tolerance = tolerance;
        this.minDeltaMs = minDeltaMs;
        this.minRuns = minRuns;
        this.baseline = baseline;
    }

    /** Settings from the system properties above. */
    public static HandoverTrend fromSystemProperties() {
        String b = System.getProperty("ntm.handover.baseline", "");
        return new HandoverTrend(Path.of(System.getProperty("ntm.handover.history", "target/handover-history")),
                Integer.getInteger("ntm.handover.keep", 50), Integer.getInteger("ntm.handover.window", 10),
                Double.parseDouble(System.getProperty("ntm.handover.tolerance", "0.5")),
                Double.parseDouble(System.getProperty("ntm.handover.minDeltaMs", "10")),
                Integer.getInteger("ntm.handover.minRuns", 3), b.isBlank() ? null : Path.of(b),
                Boolean.parseBoolean(System.getProperty("ntm.handover.byLoad", "true")));
    }

    /** One run: when, on what, and its metrics in ms. */
    public record Run(String createdAt, String gitCommit, String loadAverage, Map<String, Double> metrics) {
    }

    /** The run's metrics from its phase statistics ({@code signalling}, {@code interruption}). */
    public static Map<String, Double> metrics(Map<String, PhaseStats> stats) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String metric : METRICS) {
            String[] pv = metric.split("\\.");
            PhaseStats s = stats.get(pv[0]);
            if (s != null && s.count() > 0) {
                m.put(metric, pv[1].equals("p50") ? s.p50() : s.p95());
            }
        }
        return m;
    }

    /** The outcome of a comparison: regressions (empty = pass) and a note for the report. */
    public record Verdict(List<String> regressions, String note) {
        public boolean ok() {
            return regressions.isEmpty();
        }
    }

    /**
     * Compares {@code current} with the baseline file if set, else with the median of the last
     * {@code window} runs of {@code scenario} in the history (at least {@code minRuns} of them). A
     * metric regresses when it exceeds the reference by more than {@code tolerance} of it and by
     * more than {@code minDeltaMs} (a millisecond of noise on a 2 ms median is not a regression).
     */
    public Verdict compare(String scenario, Map<String, Double> current) {
        Map<String, Double> reference = new LinkedHashMap<>();
        String against;
        if (baseline != null) {
            Optional<Run> b = read(baseline);
            if (b.isEmpty()) {
                return new Verdict(List.of(), "baseline " + baseline + " unreadable: not compared");
            }
            reference.putAll(b.get().metrics());
            against = "baseline " + baseline;
        } else {
            List<Run> runs = runs(scenario);
            String cls = loadClass(load.get());
            if (byLoad && !cls.equals("unknown")) {
                runs = runs.stream().filter(r -> loadClass(r.loadAverage()).equals(cls)).toList();
            }
            List<Run> last = runs.subList(Math.max(0, runs.size() - window), runs.size());
            if (last.size() < minRuns) {
                return new Verdict(List.of(), "not enough history: " + last.size() + " earlier run(s) of " + scenario
                        + (byLoad ? " on a machine as busy (" + cls + ")" : "") + " in " + history + ", " + minRuns
                        + " needed");
            }
            for (String metric : METRICS) {
                double[] v = last.stream().map(r -> r.metrics().get(metric)).filter(x -> x != null && !x.isNaN())
                        .mapToDouble(Double::doubleValue).sorted().toArray();
                if (v.length > 0) {
                    reference.put(metric, v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
                }
            }
            against = "median of the last " + last.size() + " runs" + (byLoad ? " (" + cls + ")" : "") + " in "
                    + history.resolve(scenario);
        }
        List<String> bad = new ArrayList<>();
        StringBuilder note = new StringBuilder("compared with the " + against + ":");
        for (Map.Entry<String, Double> e : current.entrySet()) {
            Double ref = reference.get(e.getKey());
            if (ref == null || e.getValue().isNaN()) {
                continue;
            }
            double allowed = ref + Math.max(ref * tolerance, minDeltaMs);
            note.append(String.format(Locale.ROOT, " %s %.1f ms (reference %.1f, allowed %.1f);", e.getKey(),
                    e.getValue(), ref, allowed));
            if (e.getValue() > allowed) {
                bad.add(String.format(Locale.ROOT, "%s %s: %.1f ms, over the %s %.1f ms by more than %.0f %% (allowed"
                        + " %.1f ms)", scenario, e.getKey(), e.getValue(), against, ref, tolerance * 100, allowed));
            }
        }
        return new Verdict(bad, note.toString());
    }

    /**
     * Keeps this run: {@code <history>/<scenario>/<UTC stamp>/summary.json} and a copy of its
     * timeline.json when given; then the oldest runs beyond {@code keep} go. Never fails the run:
     * an unwritable folder is logged.
     */
    public void append(String scenario, Map<String, Double> metrics, Path timelineJson) {
        Run run = new Run(Instant.now().toString(), gitCommit(), load.get(), metrics);
        try {
            // names sort in run order: a UTC stamp, and a counter for runs within one millisecond
            List<Path> before = runDirs(scenario);
            String last = before.isEmpty() ? "" : before.get(before.size() - 1).getFileName().toString();
            String stamp = STAMP.format(Instant.now());
            String base = last.compareTo(stamp) >= 0 && last.length() >= stamp.length()
                    ? last.substring(0, stamp.length()) : stamp; // same millisecond, or a clock set back
            int n = 0;
            String name = base + "-000";
            while (name.compareTo(last) <= 0) {
                name = base + String.format(Locale.ROOT, "-%03d", ++n);
            }
            Path dir = history.resolve(scenario).resolve(name);
            Files.createDirectories(dir);
            write(dir.resolve("summary.json"), run);
            if (timelineJson != null && Files.isRegularFile(timelineJson)) {
                Files.copy(timelineJson, dir.resolve("timeline.json"));
            }
            List<Path> all = runDirs(scenario);
            for (int i = 0; i < all.size() - keep; i++) {
                deleteTree(all.get(i));
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("event=handover-history-write-failed dir={} error={}", history, e.toString());
        }
    }

    /** The earlier runs of a scenario, oldest first; unreadable ones skipped with a warning. */
    public List<Run> runs(String scenario) {
        List<Run> out = new ArrayList<>();
        for (Path d : runDirs(scenario)) {
            read(d.resolve("summary.json")).ifPresent(out::add);
        }
        return out;
    }

    private List<Path> runDirs(String scenario) {
        Path dir = history.resolve(scenario);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            LOG.warn("event=handover-history-unreadable dir={} error={}", dir, e.toString());
            return List.of();
        }
    }

    static void write(Path file, Run run) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("createdAt", run.createdAt());
            g.writeStringField("gitCommit", run.gitCommit());
            g.writeStringField("loadAverage", run.loadAverage());
            g.writeObjectFieldStart("metrics");
            for (Map.Entry<String, Double> e : run.metrics().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** A summary.json, or empty (with a warning) when it is missing or not one. */
    static Optional<Run> read(Path file) {
        try (JsonParser p = JSON.createParser(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            Map<String, String> top = new LinkedHashMap<>();
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("metrics") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String m = p.currentName();
                        p.nextToken();
                        metrics.put(m, p.getValueAsDouble(Double.NaN));
                    }
                } else if (t.isStructStart()) {
                    p.skipChildren();
                } else {
                    top.put(name, p.getValueAsString());
                }
            }
            return Optional.of(new Run(top.getOrDefault("createdAt", "?"), top.getOrDefault("gitCommit", "?"),
                    top.getOrDefault("loadAverage", "?"), metrics));
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=handover-history-skipped file={} error={}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * The history of a scenario as a standalone SVG: each metric's value per run (oldest left),
     * the last point this run's. Deterministic for a given history.
     */
    public String trendSvg(String scenario) {
        List<Run> runs = runs(scenario);
        int w = 640;
        int h = 300;
        int left = 60;
        int top = 30;
        int plotW = w - left - 20;
        int plotH = h - top - 60;
        double max = runs.stream().flatMap(r -> r.metrics().values().stream()).filter(v -> !v.isNaN())
                .mapToDouble(Double::doubleValue).max().orElse(1);
        max = max <= 0 ? 1 : max * 1.1;
        String[] colours = {"#1f77b4", "#aec7e8", "#d62728", "#ff9896"};
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3.org/"
                + "2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-weight=\"bold\">handover trend: %s (%d runs)</text>%n",
                left, escape(scenario), runs.size()));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left, top + plotH, left + plotW, top + plotH));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left, top, left, top + plotH));
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            int y = top + plotH - (int) Math.round(plotH * i / 4.0);
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f ms</text>%n",
                    left - 4, y + 4, v));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">runs, oldest left</text>%n", left + plotW / 2 - 40,
                top + plotH + 18));
        for (int m = 0; m < METRICS.size(); m++) {
            String metric = METRICS.get(m);
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < runs.size(); i++) {
                Double v = runs.get(i).metrics().get(metric);
                if (v == null || v.isNaN()) {
                    continue;
                }
                double x = left + (runs.size() == 1 ? plotW / 2.0 : plotW * i / (double) (runs.size() - 1));
                double y = top + plotH - plotH * v / max;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s %s:"
                        + " %.1f ms</title></circle>%n", x, y, colours[m], escape(runs.get(i).createdAt()), metric, v));
            }
            if (pts.length() > 0) {
                b.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                        pts.toString().strip(), colours[m]));
            }
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\""
                    + " y=\"%d\">%s</text>%n", left + m * 140, h - 14, colours[m], left + m * 140 + 16, h - 10, metric));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /**
     * What CI calls after a run: compare with the history, keep the run, write trend.svg into
     * {@code reportDir}. Returns the verdict to assert on.
     */
    public Verdict record(String scenario, Map<String, PhaseStats> stats, Path reportDir) {
        Map<String, Double> current = metrics(stats);
        Verdict v = compare(scenario, current);
        append(scenario, current, reportDir == null ? null : reportDir.resolve("timeline.json"));
        if (reportDir != null) {
            try {
                Files.createDirectories(reportDir);
                Files.writeString(reportDir.resolve("trend.svg"), trendSvg(scenario), StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOG.warn("event=trend-svg-write-failed dir={} error={}", reportDir, e.toString());
            }
        }
        System.out.println("handover trend (" + scenario + "): " + v.note()
                + (v.ok() ? "" : " REGRESSION: " + String.join("; ", v.regressions())));
        return v;
    }

    /** idle, busy or overloaded by the 1-minute load average per core; unknown when unreadable. */
    static String loadClass(String loadavg) {
        try {
            double perCore = Double.parseDouble(loadavg.strip().split("\\s+")[0])
                    / Runtime.getRuntime().availableProcessors();
            return perCore < 0.5 ? "idle" : perCore < 1.5 ? "busy" : "overloaded";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(200), StandardCharsets.UTF_8).strip();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
