package org.ntmlab.pcap.path;

import java.util.List;

/**
 * Everything the capture shows about one tunnel's DATA.
 *
 * @param tunnelId        tunnel id from the NTM header (unsigned 64-bit)
 * @param pairs           endpoint pairs in order of first use
 * @param periods         runs of one path kind, in time order (e.g. RELAY then DIRECT after route optimisation)
 * @param relayedFlag     DATA packets with the relayed bit set
 */
public record TunnelPath(long tunnelId, long firstNanos, long lastNanos, long packets, long relayedFlag,
                         List<PairUsage> pairs, List<PathPeriod> periods) {

    /** The kind of path the tunnel used at the end of the capture. */
    public PathKind finalKind() {
        return periods.get(periods.size() - 1).kind();
    }

    /** The kind of path of the first DATA packet. */
    public PathKind initialKind() {
        return periods.get(0).kind();
    }

    /** True if DATA ever took this kind of path. */
    public boolean used(PathKind kind) {
        return periods.stream().anyMatch(p -> p.kind() == kind);
    }

    public String tunnelIdText() {
        return Long.toUnsignedString(tunnelId);
    }

    /** Periods joined by arrows, e.g. {@code RELAY -> DIRECT}. */
    public String history() {
        StringBuilder s = new StringBuilder();
        for (PathPeriod p : periods) {
            if (s.length() > 0) {
                s.append(" -> ");
            }
            s.append(p.kind());
        }
        return s.toString();
    }
}
