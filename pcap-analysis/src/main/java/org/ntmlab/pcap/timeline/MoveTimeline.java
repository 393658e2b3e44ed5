package org.ntmlab.pcap.timeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One handover: the milestones seen, the phases between them, and the address the node moved to.
 *
 * @param index      1-based move number in time order
 * @param newAddress the node's new address (from address-added, else DHCP yiaddr), or null
 */
public record MoveTimeline(int index, String node, long startNanos, String newAddress,
                           Map<Milestone, MilestoneHit> milestones, List<PhaseSpan> phases, List<String> notes) {

    public Optional<MilestoneHit> milestone(Milestone m) {
        return Optional.ofNullable(milestones.get(m));
    }

    public Optional<PhaseSpan> phase(Milestone end) {
        return phases.stream().filter(p -> p.end() == end).findFirst();
    }

    /** Milliseconds from move start to {@code m}, or NaN if it was not seen. */
    public double msTo(Milestone m) {
        MilestoneHit h = milestones.get(m);
        return h == null ? Double.NaN : (h.timestampNanos() - startNanos) / 1e6;
    }

    /** Move start to application data resumed (or, failing that, first DATA on the new path); NaN if neither. */
    public double totalMs() {
        double t = msTo(Milestone.APP_RESUMED);
        return Double.isNaN(t) ? msTo(Milestone.FIRST_DATA) : t;
    }

    /** The last milestone seen, in milliseconds after the start (chart width). */
    public double endMs() {
        return phases.isEmpty() ? 0 : (phases.get(phases.size() - 1).endNanos() - startNanos) / 1e6;
    }
}
