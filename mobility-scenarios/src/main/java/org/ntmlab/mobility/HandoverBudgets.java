package org.ntmlab.mobility;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import org.ntmlab.pcap.timeline.PhaseStats;

/**
 * Handover-latency budgets: the committed baseline CI holds the handover to
 * ({@code handover-budgets.properties}, see docs/mobility.md for how to update it).
 * One line per budget, {@code <phase>.<statistic> = <milliseconds>}, where the phase is a
 * pcap-analysis phase ({@code register-wait}, {@code register}, {@code tunnel-setup},
 * {@code first-data}, {@code app-resume}), {@code signalling} (the node sees its new address
 * until application data flows again), or {@code total} (move start to data flowing again),
 * and the statistic is {@code p50}, {@code p95} or {@code mean}.
 */
public record HandoverBudgets(List<Budget> budgets) {

    public record Budget(String phase, String statistic, double limitMs) {
        double measured(PhaseStats s) {
            return switch (statistic) {
                case "p50" -> s.p50();
                case "p95" -> s.p95();
                case "mean" -> s.mean();
                default -> throw new IllegalStateException(statistic);
            };
        }
    }

    /** One budget checked against a measurement; {@code measuredMs} is NaN when the phase was never seen. */
    public record Check(Budget budget, double measuredMs, int moves) {
        public boolean ok() {
            return !Double.isNaN(measuredMs) && measuredMs <= budget.limitMs();
        }
    }

    public static HandoverBudgets load(InputStream in, String source) throws IOException {
        Properties p = new Properties();
        p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<Budget> list = new ArrayList<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            int dot = key.lastIndexOf('.');
            String stat = dot < 0 ? "" : key.substring(dot + 1);
            if (dot <= 0 || !List.of("p50", "p95", "mean").contains(stat)) {
                throw new IllegalArgumentException(source + ": key '" + key
                        + "' must be <phase>.p50, <phase>.p95 or <phase>.mean");
            }
            double limit;
            try {
                limit = Double.parseDouble(p.getProperty(key).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": '" + key + "' must be a number of milliseconds, got '"
                        + p.getProperty(key) + "'");
            }
            list.add(new Budget(key.substring(0, dot), stat, limit));
        }
        return new HandoverBudgets(List.copyOf(list));
    }

    /** Loads a budgets file from the class path. */
    public static HandoverBudgets resource(String name) throws IOException {
        try (InputStream in = HandoverBudgets.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("budget file '" + name + "' is not on the class path");
            }
            return load(in, name);
        }
    }

    /** Checks every budget against {@code stats} (by phase name). */
    public List<Check> check(Map<String, PhaseStats> stats) {
        List<Check> r = new ArrayList<>();
        for (Budget b : budgets) {
            PhaseStats s = stats.get(b.phase());
            r.add(s == null || s.count() == 0 ? new Check(b, Double.NaN, 0) : new Check(b, b.measured(s), s.count()));
        }
        return r;
    }

    public static String markdown(List<Check> checks) {
        StringBuilder b = new StringBuilder("| phase | statistic | moves | measured ms | budget ms | |\n"
                + "|---|---|---|---|---|---|\n");
        for (Check c : checks) {
            b.append("| ").append(c.budget().phase()).append(" | ").append(c.budget().statistic()).append(" | ")
                    .append(c.moves()).append(" | ").append(ScenarioRunner.ms(c.measuredMs())).append(" | ")
                    .append(ScenarioRunner.ms(c.budget().limitMs())).append(" | ")
                    .append(c.ok() ? "ok" : "OVER BUDGET").append(" |\n");
        }
        return b.toString();
    }
}
