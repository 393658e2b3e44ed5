package org.ntmlab.mobility;

import java.time.Instant;
import java.util.Locale;

/**
 * The one clock of a scenario: epoch nanoseconds from {@link Instant#now()} (microsecond
 * resolution on Linux). The node stamps its events with the same clock, so captures, node
 * events and harness events line up without calibration (docs/pcap-analysis.md: "use the
 * same clock as the capture").
 */
public final class WallClock {

    private WallClock() {
    }

    public static long nanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Epoch seconds with a microsecond fraction, as the node writes {@code ts=}. */
    public static String format(long epochNanos) {
        return String.format(Locale.ROOT, "%d.%06d", Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L) / 1_000);
    }

    public static double ms(long nanos) {
        return nanos / 1e6;
    }
}
