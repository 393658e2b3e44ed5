package org.ntmlab.pcap.timeline;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of one phase's durations over several moves, in milliseconds. Percentiles
 * interpolate linearly between closest ranks (the usual "type 7" definition, as numpy's default).
 */
public record PhaseStats(String phase, int count, double mean, double p50, double p95, double min, double max) {

    public static PhaseStats of(String phase, List<Double> durationsMs) {
        double[] v = durationsMs.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted()
                .toArray();
        if (v.length == 0) {
            return new PhaseStats(phase, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(v).sum() / v.length;
        return new PhaseStats(phase, v.length, mean, percentile(v, 0.50), percentile(v, 0.95), v[0], v[v.length - 1]);
    }

    /** Linear interpolation between closest ranks on sorted values; q in [0, 1]. */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
