package org.ntmlab.lab.topology;

import java.time.Duration;

/**
 * Link impairment on the egress of one host's interface on one segment.
 *
 * @param delay         added one-way delay, null = none
 * @param jitter        +/- variation of the delay, null = none
 * @param lossPercent   random loss in percent (0..100), 0 = none
 * @param rateBitsPerSecond egress rate limit, 0 = none
 */
public record Impairment(String host, String segment, Duration delay, Duration jitter, double lossPercent,
                         long rateBitsPerSecond) {
    public boolean needsDelay() {
        return (delay != null && !delay.isZero()) || (jitter != null && !jitter.isZero());
    }
}
