package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.pcap.timeline.PhaseStats;
import org.w3c.dom.Document;

/** The relative check of handover latency over a run history (docs/mobility.md "Handover trends"). */
class HandoverTrendTest {

    @TempDir
    Path dir;

    private HandoverTrend trend(int keep, Path baseline) {
        return new HandoverTrend(dir.resolve("history"), keep, 10, 0.5, 10, 3, baseline);
    }

    private static Map<String, Double> run(double sigP50) {
        return Map.of("signalling.p50", sigP50, "signalling.p95", sigP50 * 3, "interruption.p50", 80.0,
                "interruption.p95", 120.0);
    }

    private void history(HandoverTrend t, double... p50s) {
        for (double p : p50s) {
            t.append("docker", run(p), null);
        }
    }

    @Test
    void aDoubledP50FailsNamingTheMetricTheValueAndTheMedian() {
        HandoverTrend t = trend(50, null);
        history(t, 19, 21, 20, 22, 18);
        HandoverTrend.Verdict v = t.compare("docker", run(40));
        assertThat(v.ok()).isFalse();
        assertThat(v.regressions()).anySatisfy(r -> assertThat(r).contains("signalling.p50: 40.0 ms")
                .contains("median of the last 5 runs").contains("20.0 ms").contains("50 %").contains("allowed 30.0 ms"));
        assertThat(v.regressions()).as("p95 tripled with it").anySatisfy(r -> assertThat(r).contains("signalling.p95"));
        assertThat(t.compare("docker", run(24)).ok()).as("+20 %").isTrue();
    }

    @Test
    void aSmallMedianNeedsMoreThanTheMinimumDelta() {
        HandoverTrend t = trend(50, null);
        history(t, 2, 2, 2);
        assertThat(t.compare("docker", run(4)).ok()).as("+2 ms on a 2 ms median is noise").isTrue();
        assertThat(t.compare("docker", run(13)).ok()).isFalse();
    }

    @Test
    void withoutEnoughHistoryItPassesAndSaysSo() {
        HandoverTrend t = trend(50, null);
        history(t, 20, 20);
        HandoverTrend.Verdict v = t.compare("docker", run(100));
        assertThat(v.ok()).isTrue();
        assertThat(v.note()).contains("not enough history: 2 earlier run(s)").contains("3 needed");
        assertThat(t.compare("other-scenario", run(100)).note()).contains("0 earlier run(s)");
    }

    @Test
    void retentionKeepsTheNewestRuns() throws Exception {
        HandoverTrend t = trend(4, null);
        history(t, 1, 2, 3, 4, 5, 6, 7);
        List<HandoverTrend.Run> runs = t.runs("docker");
        assertThat(runs).hasSize(4);
        assertThat(runs).extracting(r -> r.metrics().get("signalling.p50")).containsExactly(4.0, 5.0, 6.0, 7.0);
        try (Stream<Path> s = Files.list(dir.resolve("history/docker"))) {
            assertThat(s.count()).isEqualTo(4);
        }
    }

    @Test
    void corruptHistoryFilesAreSkippedNotFatal() throws Exception {
        HandoverTrend t = trend(50, null);
        history(t, 20, 20, 20);
        Path bad = dir.resolve("history/docker/00000000T000000.000Z-bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("summary.json"), "{ not json");
        Files.createDirectories(dir.resolve("history/docker/00000000T000000.000Z-empty")); // no summary at all
        assertThat(t.runs("docker")).hasSize(3);
        assertThat(t.compare("docker", run(45)).ok()).isFalse();
    }

    @Test
    void aBaselineFileReplacesTheMedian() throws Exception {
        Path base = dir.resolve("baseline.json");
        HandoverTrend.write(base, new HandoverTrend.Run("2026-01-01T00:00:00Z", "abc", "0.1", run(100)));
        HandoverTrend t = trend(50, base);
        history(t, 20, 20, 20);
        assertThat(t.compare("docker", run(40)).ok()).as("40 ms is well under the baseline's 100").isTrue();
        assertThat(t.compare("docker", run(160)).regressions()).anySatisfy(r -> assertThat(r)
                .contains("baseline " + base));
        assertThat(trend(50, dir.resolve("missing.json")).compare("docker", run(500)).note()).contains("unreadable");
    }

    @Test
    void recordKeepsTheRunAndDrawsOnePointPerRunAndMetric() throws Exception {
        HandoverTrend t = trend(50, null);
        history(t, 20, 21, 19);
        Path report = dir.resolve("report");
        Files.createDirectories(report);
        Files.writeString(report.resolve("timeline.json"), "{\"moves\":[]}");
        HandoverTrend.Verdict v = t.record("docker", Map.of("signalling", PhaseStats.of("signalling", List.of(40.0, 42.0)),
                "interruption", PhaseStats.of("interruption", List.of(80.0))), report);
        assertThat(v.ok()).isFalse();
        assertThat(t.runs("docker")).hasSize(4);
        try (Stream<Path> s = Files.walk(dir.resolve("history/docker"))) {
            assertThat(s.filter(p -> p.getFileName().toString().equals("timeline.json")).count()).isEqualTo(1);
        }
        String svg = Files.readString(report.resolve("trend.svg"));
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getElementsByTagName("circle").getLength()).as("4 runs x 4 metrics").isEqualTo(16);
        assertThat(t.trendSvg("docker")).isEqualTo(svg);
    }

    /** A run on a busy machine is held to the busy runs, not to the idle ones. */
    @Test
    void runsAreComparedWithinTheirLoadClass() {
        int cores = Runtime.getRuntime().availableProcessors();
        HandoverTrend t = new HandoverTrend(dir.resolve("history"), 50, 10, 0.5, 10, 3, null, true);
        t.load = () -> "0.0 0.0 0.0 1/100 1";
        history(t, 20, 20, 20);
        t.load = () -> (3.0 * cores) + " 1.0 1.0 1/100 1";
        history(t, 60, 62, 58);
        assertThat(t.compare("docker", run(70)).ok()).as("70 ms busy vs busy median 60").isTrue();
        t.load = () -> "0.1 0.0 0.0 1/100 1";
        assertThat(t.compare("docker", run(70)).regressions()).as("70 ms idle vs idle median 20")
                .anySatisfy(r -> assertThat(r).contains("(idle)"));
        assertThat(HandoverTrend.loadClass("garbage")).isEqualTo("unknown");
    }

    @Test
    void anUnwritableHistoryIsLoggedNotThrown() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        new HandoverTrend(file, 50, 10, 0.5, 10, 3, null).append("docker", run(20), null);
        assertThat(Files.readString(file)).isEqualTo("x");
    }
}
