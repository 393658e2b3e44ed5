package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source address (RFC 2697's single-rate idea, one bucket per IP): each
 * source may spend {@code burst} at once and {@code perSecond} more every second. Used where
 * an unauthenticated datagram makes the DC do expensive work (an AS key look-up), so that one
 * source cannot keep that work busy for everybody (issue 11 finding 1). Remembers at most
 * {@code maxSources} sources, least recently seen out first: a flood of spoofed sources only
 * makes the oldest start again with a full bucket, never grows the table. Loop-thread only.
 */
final class SourceRateLimit {

    private final double perNano;
    private final double burst;
    private final Map<InetAddress, double[]> buckets; // {tokens, lastNanos}

    SourceRateLimit(double perSecond, int burst, int maxSources) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
                return size() > maxSources;
            }
        };
    }

    /** Whether {@code source} may spend one token now (and spends it). */
    boolean allow(InetAddress source, long nowNanos) {
        double[] b = buckets.get(source);
        if (b == null) {
            buckets.put(source, new double[] {burst - 1, nowNanos});
            return true;
        }
        b[0] = Math.min(burst, b[0] + (nowNanos - (long) b[1]) * perNano);
        b[1] = nowNanos;
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }

    int sources() {
        return buckets.size();
    }
}
