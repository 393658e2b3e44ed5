package org.ntmlab.pcap.timeline;

/**
 * One phase of one move, from the previous milestone seen to {@code end}.
 *
 * @param absorbed true when one or more earlier milestones were not seen, so this span
 *                 also covers their phases; such spans are left out of per-phase statistics
 */
public record PhaseSpan(Milestone end, long startNanos, long endNanos, boolean absorbed) {
    public String phase() {
        return end.phase();
    }

    public double durationMs() {
        return (endNanos - startNanos) / 1e6;
    }
}
