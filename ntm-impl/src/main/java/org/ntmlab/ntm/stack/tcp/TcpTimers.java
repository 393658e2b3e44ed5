package org.ntmlab.ntm.stack.tcp;

import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;

import org.ntmlab.ntm.transport.EventLoop;

/**
 * The timers of one connection (RFC 9293 3.10.8 "Timeouts") and what happens when they
 * expire: the retransmission timer (RFC 6298 section 5, go-back-N from SND.UNA with the RFC
 * 5681 3.1 loss window), the persist timer (zero-window probes, RFC 9293 3.8.6.1, also the
 * sender SWS override timeout of 3.8.6.2.1), the delayed-ACK timer (RFC 9293 3.8.6.3) and
 * the state timer (TIME-WAIT's 2 MSL, the orphaned FIN-WAIT-2 timeout). Each is a deadline
 * ({@link #NEVER} when stopped) that the connection's code sets directly; one
 * {@link EventLoop.Timer}, moved only when a deadline comes earlier ({@link #update}), serves
 * them all. Also the path-resume response (draft-schuetz-tcpm-tcp-rlci), which cuts the
 * retransmission timer short. Event loop only.
 */
final class TcpTimers {

    /** A stopped timer's deadline. */
    static final long NEVER = Long.MAX_VALUE;

    private final TcpConnection c;
    private final EventLoop loop;

    /** Retransmission timer (RFC 6298): armed while data or a SYN/FIN is outstanding. */
    long rtoDeadline = NEVER;
    /** Delayed ACK (RFC 9293 3.8.6.3, 40 ms for a lone segment). */
    long delAckDeadline = NEVER;
    /** Persist timer: zero-window probe or SWS override (RFC 9293 3.8.6.1, 3.8.6.2.1). */
    long persistDeadline = NEVER;
    /** TIME-WAIT (2 MSL) or orphaned FIN-WAIT-2 timeout. */
    long stateDeadline = NEVER;
    /** Current persist interval, doubled per probe up to {@link TcpConstants#MAX_PERSIST_NANOS}. */
    long persistInterval;

    private EventLoop.Timer timer;
    private long armedAt = NEVER;
    private final Runnable timerTask = this::onTimer;

    TcpTimers(TcpConnection c, EventLoop loop) {
        this.c = c;
        this.loop = loop;
    }

    /** Arms the loop timer for the earliest deadline, unless it is already armed at or before it. */
    void update() {
        long d = Math.min(Math.min(rtoDeadline, delAckDeadline), Math.min(persistDeadline, stateDeadline));
        if (d == NEVER || (timer != null && armedAt <= d)) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        armedAt = d;
        timer = loop.schedule(Math.max(0, d - loop.nanoTime()), timerTask);
    }

    /** Connection closed: every timer stops. */
    void stopAll() {
        rtoDeadline = delAckDeadline = persistDeadline = stateDeadline = NEVER;
        if (timer != null) {
            timer.cancel();
            timer = null;
            armedAt = NEVER;
        }
    }

    /** RFC 9293 3.10.7.4: TIME-WAIT for 2 MSL (restarted by a retransmitted FIN); nothing left to retransmit. */
    void enterTimeWait() {
        c.setState(TcpState.TIME_WAIT);
        rtoDeadline = NEVER;
        persistDeadline = NEVER;
        stateDeadline = loop.nanoTime() + 2 * c.cfg.mslNanos;
    }

    /** The one loop timer fired: runs every expired deadline, then sends what is due. */
    private void onTimer() {
        timer = null;
        armedAt = NEVER;
        if (c.state == TcpState.CLOSED) {
            return;
        }
        try {
            long now = loop.nanoTime();
            if (stateDeadline <= now) {
                stateDeadline = NEVER;
                if (c.state == TcpState.TIME_WAIT || c.state == TcpState.FIN_WAIT_2) {
                    c.terminate(null);
                    c.fire();
                    return;
                }
            }
            if (rtoDeadline <= now) {
                rtoDeadline = NEVER;
                retransmitTimeout(now);
                if (c.state == TcpState.CLOSED) {
                    c.fire();
                    return;
                }
            }
            if (persistDeadline <= now) {
                persistDeadline = NEVER;
                zeroWindowProbe(now);
            }
            if (delAckDeadline <= now) {
                c.ackNow = true;
            }
            c.sender.output();
        } catch (RuntimeException e) {
            c.layer.internalError("timer " + c.key, e);
        }
    }

    /** See {@link TcpConnection#pathResumed()}. */
    void pathResumed() {
        if (c.state == TcpState.CLOSED || c.state == TcpState.TIME_WAIT) {
            return;
        }
        try {
            boolean handshake = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
            if (!handshake && c.sndUna == c.sndMax) {
                if (persistDeadline != NEVER) { // zero-window probing: probe the new path now
                    persistInterval = TcpConstants.MIN_PERSIST_NANOS;
                    persistDeadline = loop.nanoTime();
                    update();
                }
                return;
            }
            c.stats.pathResumes++;
            c.rtt.clearBackoff();
            c.retransmitCount = 0; // a fresh start on the new path: the give-up count restarts too
            resendFromUna(loop.nanoTime(), true); // not a timer expiry: no backoff, not a timeout
            c.sender.output();
        } catch (RuntimeException e) {
            c.layer.internalError("pathResumed " + c.key, e);
        }
    }

    /** RFC 9293 3.10.8 RETRANSMISSION TIMEOUT: RFC 6298 section 5 backoff, give up after R2 (RFC 9293 3.8.3). */
    private void retransmitTimeout(long now) {
        boolean handshake = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
        if (!handshake && c.sndUna == c.sndMax) {
            return;
        }
        c.retransmitCount++;
        int limit = handshake ? c.cfg.maxSynRetransmissions : c.cfg.maxRetransmissions;
        if (c.retransmitCount > limit) {
            c.stats.timeouts++;
            c.terminate(TcpConnection.Failure.TIMED_OUT);
            return;
        }
        c.stats.timeouts++;
        c.rtt.backOff();
        resendFromUna(now, c.retransmitCount == 1);
    }

    /**
     * Resends the SYN, or goes back to SND.UNA with the loss window (RFC 5681 section 3.1), and
     * re-arms the retransmission timer with the current RTO. {@code firstLoss}: halve ssthresh
     * to the flight (RFC 5681 equation 4), done once per loss episode, not per backoff.
     */
    private void resendFromUna(long now, boolean firstLoss) {
        c.stats.retransmissions++;
        c.timing = false; // Karn
        if (c.state == TcpState.SYN_SENT) {
            c.sender.sendSyn(false);
        } else if (c.state == TcpState.SYN_RECEIVED) {
            c.sender.sendSyn(true);
        } else {
            long flight = (c.sndMax - c.sndUna) & 0xFFFFFFFFL;
            c.congestion.retransmissionTimeout(flight, firstLoss, c.sndMax, c.sendMss);
            c.sndNxt = c.sndUna;
            c.stats.retransmissions--; // counted by retransmitFirst
            c.sender.retransmitFirst();
        }
        rtoDeadline = now + c.rtt.rto();
    }

    /** Persist timer (RFC 9293 3.8.6.1): one byte of new data into a zero window, with backoff; or the SWS override. */
    private void zeroWindowProbe(long now) {
        if (c.buffers.sendQueued() == 0 || c.sndMax != c.sndUna) {
            return;
        }
        if (c.sndWnd > 0) {
            c.forceSend = true; // SWS override: send what the window allows
            return;
        }
        c.stats.zeroWindowProbes++;
        c.sender.sendSegment(c.sndUna, FLAG_ACK, 0, 1, true);
        c.probeSent = true;
        persistInterval = Math.min(persistInterval * 2, TcpConstants.MAX_PERSIST_NANOS);
        persistDeadline = now + persistInterval;
    }
}
