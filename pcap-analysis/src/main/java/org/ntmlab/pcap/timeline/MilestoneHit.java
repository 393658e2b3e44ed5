package org.ntmlab.pcap.timeline;

/**
 * When a milestone was reached and what showed it.
 *
 * @param source {@code capture} or {@code log}
 * @param detail e.g. {@code frame 812 10.0.2.15:7200 > 198.51.100.2:7000} or {@code line 14}
 */
public record MilestoneHit(Milestone milestone, long timestampNanos, String source, String detail) {
}
