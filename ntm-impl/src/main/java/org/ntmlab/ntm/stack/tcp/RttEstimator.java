package org.ntmlab.ntm.stack.tcp;

/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (alpha 1/8, beta 1/4, K 4),
 * clamped to [min, max], exponential backoff on expiry (section 5.5). Karn's algorithm
 * (section 3) is the caller's job: only sample segments that were not retransmitted.
 */
final class RttEstimator {
    private final long minRto;
    private final long maxRto;
    private long srtt;
    private long rttvar;
    private long rto;
    /** The RTO before any backoff (section 5.5 doubles {@link #rto}, not this). */
    private long baseRto;
    private boolean hasSample;
    private int backoff;

    RttEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = initialRto;
        this.baseRto = initialRto;
    }

    /** RFC 6298 sections 2.2 and 2.3. */
    void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!hasSample) {
            srtt = rtt;
            rttvar = rtt / 2;
            hasSample = true;
        } else {
            long delta = Math.abs(srtt - rtt);
            rttvar = rttvar - (rttvar >> 2) + (delta >> 2);
            srtt = srtt - (srtt >> 3) + (rtt >> 3);
        }
        backoff = 0;
        long v = srtt + Math.max(TcpConstants.CLOCK_GRANULARITY_NANOS, 4 * rttvar);
        rto = clamp(v);
        baseRto = rto;
    }

    /** RFC 6298 section 5.5: double the RTO after the timer expires. */
    void backOff() {
        backoff++;
        rto = clamp(rto * 2);
    }

    /**
     * Undoes the section 5.5 backoff: the path changed (a move), so the doubling that punished
     * the old path says nothing about the new one (draft-schuetz-tcpm-tcp-rlci section 4).
     */
    void clearBackoff() {
        backoff = 0;
        rto = baseRto;
    }

    long rto() {
        return rto;
    }

    long srtt() {
        return srtt;
    }

    long rttvar() {
        return rttvar;
    }

    boolean hasSample() {
        return hasSample;
    }

    int backoffCount() {
        return backoff;
    }

    private long clamp(long v) {
        return Math.max(minRto, Math.min(maxRto, v));
    }
}
