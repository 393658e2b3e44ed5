package org.ntmlab.pcap.path;

/**
 * A stretch of time during which every DATA packet of a tunnel took the same kind of path.
 * A relayed tunnel's two legs (node-RS, RS-node) form one RELAY period.
 */
public record PathPeriod(PathKind kind, long firstNanos, long lastNanos, long packets) {
    public double durationMs() {
        return (lastNanos - firstNanos) / 1e6;
    }
}
