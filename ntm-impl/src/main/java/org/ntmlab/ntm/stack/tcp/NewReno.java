package org.ntmlab.ntm.stack.tcp;

/**
 * Congestion control of one connection: RFC 5681 slow start, congestion avoidance, fast
 * retransmit and fast recovery, with the RFC 6582 NewReno changes (partial ACKs retransmit
 * the next hole, {@code recover} guards against repeated recoveries) and RFC 3465 byte
 * counting. Owns cwnd, ssthresh, the duplicate-ACK count and the recovery state; the
 * connection calls it at each event (new data acknowledged, duplicate ACK, retransmission
 * timeout) and sends what it decides. Event loop only, like the rest of the connection.
 */
final class NewReno {

    private long cwnd;
    private long ssthresh = Integer.MAX_VALUE; // RFC 5681 3.1: arbitrarily high at first
    private int dupAcks;
    /** RFC 6582 3.2: highest sequence number sent when the last recovery started. */
    private int recover;
    private boolean inRecovery;

    /** Congestion window in bytes. */
    long cwnd() {
        return cwnd;
    }

    /** True between fast retransmit and the full ACK (or timeout) that ends fast recovery. */
    boolean inRecovery() {
        return inRecovery;
    }

    /** RFC 6582 3.2 step 1: {@code recover} starts at the initial send sequence number. */
    void start(int iss) {
        recover = iss;
    }

    /** RFC 6928 initial window (10 segments, at most 14,600 bytes but at least 2 SMSS), once SMSS is known. */
    void initialWindow(int smss) {
        cwnd = Math.min(TcpConstants.INITIAL_WINDOW_SEGMENTS * (long) smss, Math.max(2L * smss, 14600));
    }

    /**
     * SND.UNA advanced to {@code ack}, acknowledging {@code dataAcked} bytes of data, with
     * {@code flight} bytes still outstanding. Returns true for a partial ACK in fast recovery:
     * the caller retransmits the next hole (RFC 6582 3.2 step 4).
     */
    boolean newDataAcked(int ack, int dataAcked, long flight, int smss) {
        boolean retransmitHole = false;
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                exitRecovery(flight, smss);
            } else {
                // partial ACK: deflate by the data acknowledged, add back one SMSS (RFC 6582 3.2 step 4)
                retransmitHole = true;
                cwnd = Math.max(cwnd - dataAcked, smss);
                if (dataAcked >= smss) {
                    cwnd += smss;
                }
            }
        } else if (dataAcked > 0) {
            // byte counting (RFC 3465): an ACK covering a batch counts for all it acknowledges
            if (cwnd < ssthresh) {
                cwnd += Math.min(dataAcked, 2L * smss); // slow start (RFC 5681 3.1, RFC 3465 L=2)
            } else {
                cwnd += Math.max(1, (long) smss * dataAcked / cwnd); // congestion avoidance
            }
            cwnd = Math.min(cwnd, 1L << 30);
        }
        dupAcks = 0;
        return retransmitHole;
    }

    /** Full ACK (covers {@code recover}): leave fast recovery (RFC 6582 3.2 step 3, first option). */
    private void exitRecovery(long flight, int smss) {
        cwnd = Math.min(ssthresh, Math.max(flight, smss) + smss);
        inRecovery = false;
    }

    /**
     * A duplicate ACK (RFC 5681 section 2) with SND.UNA..SND.MAX outstanding. Returns true
     * when it is the third one and starts fast retransmit (RFC 5681 3.2 steps 2-3, RFC 6582
     * 3.2 step 2: only if SND.UNA passed the last recovery point): the caller retransmits the
     * first unacknowledged segment and restarts the retransmission timer. In fast recovery
     * each further duplicate inflates cwnd by one segment that left the network.
     */
    boolean duplicateAck(int sndUna, int sndMax, int smss) {
        dupAcks++;
        if (!inRecovery && dupAcks == TcpConstants.DUP_ACK_THRESHOLD) {
            if (SeqNum.ge(sndUna, recover)) {
                long flight = (sndMax - sndUna) & 0xFFFFFFFFL;
                ssthresh = Math.max(flight / 2, 2L * smss);
                recover = sndMax;
                inRecovery = true;
                cwnd = ssthresh + 3L * smss;
                return true;
            }
        } else if (inRecovery) {
            cwnd += smss; // inflate for each segment that left the network
        }
        return false;
    }

    /**
     * Retransmission timeout (or path resume): the loss window (RFC 5681 3.1). {@code firstLoss}:
     * halve ssthresh to the flight (RFC 5681 equation 4), once per loss episode, not per backoff.
     * Any fast recovery ends; {@code recover} moves to SND.MAX (RFC 6582 3.2 step 4 note on timeouts).
     */
    void retransmissionTimeout(long flight, boolean firstLoss, int sndMax, int smss) {
        if (firstLoss) {
            ssthresh = Math.max(flight / 2, 2L * smss); // RFC 5681 equation 4
        }
        cwnd = smss;
        inRecovery = false;
        dupAcks = 0;
        recover = sndMax;
    }
}
