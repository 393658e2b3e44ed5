package org.ntmlab.ntm.stack.tcp;

import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_FIN;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_RST;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_SYN;
import static org.ntmlab.ntm.stack.tcp.TcpTimers.NEVER;

import org.ntmlab.ntm.transport.EventLoop;

/**
 * RFC 9293 3.10.7 "SEGMENT ARRIVES" for one connection: the SYN-SENT processing of
 * 3.10.7.3 and, for SYN-RECEIVED and the synchronized states, the eight steps of 3.10.7.4,
 * one method each, named after the step ({@link #firstCheckSequenceNumber} ...
 * {@link #eighthCheckFinBit}), with RFC 5961 challenge ACKs in steps two and four. Also the
 * receiver's side of the data path: reassembly of out-of-order text into the receive queue
 * and the ACK policy (RFC 5681 4.2). The state variables it reads and advances are the
 * TCB's, held in {@link TcpConnection}; what this class owns is the receive-side state no
 * one else uses (out-of-order ranges, a FIN that arrived before the data in front of it)
 * and the segment being processed, as the steps trim it. Event loop only; no allocation
 * per segment.
 */
final class SegmentArrives {

    private final TcpConnection c;
    private final EventLoop loop;
    private final TcpStats stats;

    /** Out-of-order ranges past RCV.NXT stored in the receive queue (RFC 9293 3.10.7.4 seventh step). */
    private final Assembler ooo = new Assembler(TcpConstants.MAX_OOO_RANGES);
    /** A FIN seen at {@link #pendingFinSeq}, processed once RCV.NXT reaches it (eighth step). */
    private boolean pendingFin;
    private int pendingFinSeq;
    /** SYN-RECEIVED -> ESTABLISHED in this segment: tell the listener after it is fully processed. */
    private boolean notifyListener;

    // the segment being processed through the steps of 3.10.7.4 (reused, not per-segment objects)
    private int seq;
    private int payloadPos;
    private int payloadLen;
    private boolean syn;
    private boolean fin;
    /** The first step accepted only the ACK of a segment sent into our zero window. */
    private boolean textDropped;

    SegmentArrives(TcpConnection c, EventLoop loop, TcpStats stats) {
        this.c = c;
        this.loop = loop;
        this.stats = stats;
    }

    /** A segment for this connection: process it, send what it calls for, then tell the application. */
    void onSegment(TcpSegment seg) {
        switch (c.state) {
            case SYN_SENT:
                onSynSentSegment(seg);
                break;
            case CLOSED:
                break;
            default:
                onSynchronizedSegment(seg);
                break;
        }
        if (c.state != TcpState.CLOSED) {
            c.sender.output();
        }
        if (notifyListener) {
            notifyListener = false;
            if (c.listener != null) {
                c.listener.established(c); // may run application code: keep it last
            }
        }
        c.fire();
    }

    /** RFC 9293 3.10.7.3: our SYN is out; the peer's SYN-ACK, SYN (simultaneous open) or RST. */
    private void onSynSentSegment(TcpSegment seg) {
        boolean ackOk = false;
        if (seg.has(FLAG_ACK)) {
            if (SeqNum.le(seg.ack, c.iss) || SeqNum.gt(seg.ack, c.sndMax)) {
                if (!seg.has(FLAG_RST)) {
                    c.layer.writeAndSend(c.key.localAddr, c.key.remoteAddr, c.localBytes, c.remoteBytes,
                            c.key.localPort, c.key.remotePort, seg.ack, 0, FLAG_RST, 0, -1, -1, null, 0, 0);
                    stats.resetsSent++;
                }
                return;
            }
            ackOk = SeqNum.le(c.sndUna, seg.ack);
        }
        if (seg.has(FLAG_RST)) {
            if (ackOk) {
                stats.resetsReceived++;
                c.terminate(TcpConnection.Failure.REFUSED);
            }
            return;
        }
        if (!seg.has(FLAG_SYN)) {
            return;
        }
        c.irs = seg.seq;
        c.rcvNxt = seg.seq + 1;
        c.lastEdge = c.rcvNxt;
        c.takeSynOptions(seg);
        if (ackOk) {
            // our SYN is acknowledged: ESTABLISHED
            c.sndWnd = seg.window;
            c.sndWl1 = seg.seq;
            c.sndWl2 = seg.ack;
            c.maxSndWnd = c.sndWnd;
            ackReceived(seg.ack);
            c.setState(TcpState.ESTABLISHED);
            c.ackNow = true;
        } else {
            // simultaneous open (RFC 9293 Figure 8)
            c.sndWnd = seg.window;
            c.sndWl1 = seg.seq;
            c.sndWl2 = c.sndUna;
            c.setState(TcpState.SYN_RECEIVED);
            c.sender.sendSyn(true);
            c.timers.rtoDeadline = loop.nanoTime() + c.rtt.rto();
        }
    }

    /**
     * RFC 9293 3.10.7.4 "Otherwise" (SYN-RECEIVED and all synchronized states): the steps in
     * the RFC's order. Each returns false when the segment is done with (dropped, or answered
     * by an ACK or RST that {@link #onSegment} or the step sends).
     */
    private void onSynchronizedSegment(TcpSegment seg) {
        seq = seg.seq;
        payloadPos = seg.payloadPos;
        payloadLen = seg.payloadLen;
        syn = seg.has(FLAG_SYN);
        fin = seg.has(FLAG_FIN);
        textDropped = false;

        if (!synAtIrs(seg)) {
            return;
        }
        if (!firstCheckSequenceNumber(seg)) {
            return;
        }
        if (!secondCheckRstBit(seg)) {
            return;
        }
        // third, check security: the IP security/compartment option (RFC 791) is not used on
        // the virtual network, so there is nothing to compare.
        if (!fourthCheckSynBit()) {
            return;
        }
        if (!fifthCheckAckField(seg)) {
            return;
        }
        // sixth, check the URG bit: urgent data is not supported (docs/tcp.md, "Not
        // implemented"); the urgent pointer is ignored and the text delivered in line.
        if (payloadLen == 0 && !fin) {
            return; // no text, no FIN: nothing for steps seven and eight
        }
        seventhProcessSegmentText(seg);
        eighthCheckFinBit();
    }

    /**
     * Before the first step, a SYN at IRS in SYN-RECEIVED: without ACK it is the peer's
     * retransmitted SYN (our SYN-ACK was lost: send it again, done); with ACK it is the
     * peer's SYN-ACK in a simultaneous open (RFC 9293 Figure 8): consume the SYN, keep the ACK.
     */
    private boolean synAtIrs(TcpSegment seg) {
        if (syn && seq == c.irs) {
            if (c.state == TcpState.SYN_RECEIVED && !seg.has(FLAG_ACK)) {
                stats.duplicateSegments++;
                c.sender.sendSyn(true);
                return false;
            }
            if (c.state == TcpState.SYN_RECEIVED) {
                syn = false;
                seq++;
                c.ackNow = true;
            }
        }
        return true;
    }

    /**
     * RFC 9293 3.10.7.4 "first, check sequence number": the four-case acceptability test
     * against RCV.NXT and RCV.WND. An unacceptable segment gets an ACK (unless it is a RST)
     * and is dropped, except the ACK of a segment sent into our zero window, which is still
     * processed without its text. (RFC 7323 PAWS would also go here; timestamps are not
     * implemented.)
     */
    private boolean firstCheckSequenceNumber(TcpSegment seg) {
        int segLen = payloadLen + (syn ? 1 : 0) + (fin ? 1 : 0);
        int rcvNxt = c.rcvNxt;
        long rcvWnd = c.buffers.receiveFree();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = rcvWnd == 0 ? seq == rcvNxt : SeqNum.inRange(seq, rcvNxt, (int) (rcvNxt + rcvWnd));
        } else if (rcvWnd == 0) {
            acceptable = false;
        } else {
            int end = (int) (rcvNxt + rcvWnd);
            acceptable = SeqNum.inRange(seq, rcvNxt, end) || SeqNum.inRange(seq + segLen - 1, rcvNxt, end);
        }
        if (acceptable) {
            return true;
        }
        if (!seg.has(FLAG_RST)) {
            stats.duplicateSegments++;
            if (c.state == TcpState.TIME_WAIT && fin) {
                c.timers.enterTimeWait(); // RFC 9293: retransmitted FIN restarts the 2 MSL timeout
            }
            c.ackNow = true;
        }
        // RFC 9293 3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but
        // special allowance should be made to accept valid ACKs". Without it, two ends whose
        // receive windows are both full never learn of each other's progress (echo deadlock).
        if (rcvWnd != 0 || !seg.has(FLAG_ACK) || seg.has(FLAG_RST) || syn) {
            return false;
        }
        textDropped = true;
        payloadLen = 0;
        fin = false;
        return true;
    }

    /**
     * RFC 9293 3.10.7.4 "second, check the RST bit", with RFC 5961 section 3: a RST exactly
     * at RCV.NXT resets the connection (a half-open one just goes back to LISTEN); one
     * elsewhere in the window gets a challenge ACK.
     */
    private boolean secondCheckRstBit(TcpSegment seg) {
        if (!seg.has(FLAG_RST)) {
            return true;
        }
        if (seq == c.rcvNxt) {
            stats.resetsReceived++;
            if (c.state == TcpState.SYN_RECEIVED && c.listener != null) {
                c.terminate(null); // back to LISTEN: the listener just forgets it
            } else if (c.state == TcpState.CLOSING || c.state == TcpState.LAST_ACK
                    || c.state == TcpState.TIME_WAIT) {
                c.terminate(null);
            } else {
                c.terminate(TcpConnection.Failure.RESET);
            }
        } else {
            challengeAck();
        }
        return false;
    }

    /** RFC 9293 3.10.7.4 "fourth, check the SYN bit", with RFC 5961 section 4: any SYN here gets a challenge ACK. */
    private boolean fourthCheckSynBit() {
        if (syn) {
            challengeAck();
            return false;
        }
        return true;
    }

    /**
     * RFC 9293 3.10.7.4 "fifth, check the ACK field": no ACK, drop; in SYN-RECEIVED the ACK
     * of our SYN completes the handshake; an ACK of something not yet sent gets an ACK; new
     * data acknowledged or a duplicate ACK goes to congestion control; the send window is
     * updated (SND.WL1/SND.WL2 rule); then the per-state steps once our FIN is acknowledged.
     */
    private boolean fifthCheckAckField(TcpSegment seg) {
        if (!seg.has(FLAG_ACK)) {
            return false;
        }
        int ack = seg.ack;
        if (c.state == TcpState.SYN_RECEIVED && !synReceivedAck(seg, ack)) {
            return false;
        }
        int ackLimit = c.sndMax;
        if (c.probeSent && c.sndMax == c.sndUna) {
            ackLimit = c.sndUna + 1; // the zero-window probe byte was accepted
        }
        if (SeqNum.gt(ack, ackLimit)) {
            c.ackNow = true; // RFC 9293: ACK for something not yet sent
            return false;
        }
        long segWnd = (long) seg.window << c.sndShift;
        if (SeqNum.gt(ack, c.sndUna)) {
            if (SeqNum.gt(ack, c.sndMax)) {
                c.sndMax = ack;
            }
            ackReceived(ack);
        } else if (ack == c.sndUna && payloadLen == 0 && !fin && !textDropped && segWnd == c.sndWnd
                && c.sndMax != c.sndUna) {
            duplicateAck(); // RFC 5681 section 2 definition of a duplicate ACK
        }
        updateSendWindow(ack, segWnd);
        if (c.state == TcpState.CLOSED) {
            return false;
        }
        return ourFinAcked();
    }

    /**
     * Fifth step in SYN-RECEIVED: an ACK in SND.UNA < SEG.ACK =< SND.NXT completes the
     * handshake (ESTABLISHED, or FIN-WAIT-1 if the application already closed); any other
     * gets a RST and the segment is dropped.
     */
    private boolean synReceivedAck(TcpSegment seg, int ack) {
        if (SeqNum.gt(ack, c.sndUna) && SeqNum.le(ack, c.sndMax)) {
            c.sndWnd = (long) seg.window << c.sndShift;
            c.sndWl1 = seq;
            c.sndWl2 = ack;
            c.maxSndWnd = c.sndWnd;
            c.setState(c.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED);
            notifyListener = c.listener != null; // after this segment is fully processed
            return true;
        }
        c.layer.writeAndSend(c.key.localAddr, c.key.remoteAddr, c.localBytes, c.remoteBytes, c.key.localPort,
                c.key.remotePort, ack, 0, FLAG_RST, 0, -1, -1, null, 0, 0);
        stats.resetsSent++;
        return false;
    }

    /** Fifth step, ESTABLISHED: window update if the segment is newer (SND.WL1/SND.WL2 rule); a window ends probing. */
    private void updateSendWindow(int ack, long segWnd) {
        if (SeqNum.lt(c.sndWl1, seq) || (c.sndWl1 == seq && SeqNum.le(c.sndWl2, ack))) {
            c.sndWnd = segWnd;
            c.sndWl1 = seq;
            c.sndWl2 = ack;
            if (c.sndWnd > c.maxSndWnd) {
                c.maxSndWnd = c.sndWnd;
            }
            if (c.sndWnd > 0) {
                c.timers.persistDeadline = NEVER;
                c.probeSent = false;
            }
        }
    }

    /**
     * Fifth step, FIN-WAIT-1 / CLOSING / LAST-ACK: once our FIN is acknowledged, go to
     * FIN-WAIT-2 (with the orphan timeout if the application closed), TIME-WAIT, or CLOSED
     * (then the segment is done with).
     */
    private boolean ourFinAcked() {
        if (!c.finAcked) {
            return true;
        }
        switch (c.state) {
            case FIN_WAIT_1:
                c.setState(TcpState.FIN_WAIT_2);
                if (c.appClosed) {
                    c.timers.stateDeadline = loop.nanoTime() + c.cfg.finWait2TimeoutNanos;
                }
                return true;
            case CLOSING:
                c.timers.enterTimeWait();
                return true;
            case LAST_ACK:
                c.terminate(null);
                return false;
            default:
                return true;
        }
    }

    /**
     * RFC 9293 3.10.7.4 "seventh, process the segment text": drops what was already
     * received, trims to the window (a FIN beyond it is dropped too) and stores the rest in
     * the receive queue, in order or out of order.
     */
    private void seventhProcessSegmentText(TcpSegment seg) {
        int skip = c.rcvNxt - seq; // bytes already received
        if (skip > 0) {
            payloadPos += skip;
            payloadLen -= skip;
            seq = c.rcvNxt;
            stats.duplicateSegments++;
            c.ackNow = true;
        }
        int off = seq - c.rcvNxt;
        int room = c.buffers.receiveFree() - off;
        if (payloadLen > room) {
            payloadLen = Math.max(room, 0);
            fin = false; // FIN was beyond the window
        }
        if (payloadLen > 0 && c.state.receivesData()) {
            receiveData(seg, payloadPos, payloadLen, off);
        }
    }

    /**
     * RFC 9293 3.10.7.4 "eighth, check the FIN bit": a FIN is remembered at its sequence
     * number and processed once everything before it is in (it may arrive ahead of a hole).
     */
    private void eighthCheckFinBit() {
        if (fin && c.state.receivesData()) {
            pendingFin = true;
            pendingFinSeq = seq + payloadLen;
        }
        if (pendingFin && c.rcvNxt == pendingFinSeq) {
            pendingFin = false;
            receiveFin();
        }
    }

    /**
     * Text at {@code off} bytes past RCV.NXT into the receive queue. Out of order: store it
     * and send an immediate duplicate ACK; in order: advance RCV.NXT over it and any ranges it
     * joined, and schedule the ACK (delayed, at the end of the batch, or at once; RFC 5681 4.2).
     */
    private void receiveData(TcpSegment seg, int pos, int len, int off) {
        boolean hadHoles = !ooo.isEmpty();
        if (!ooo.add(off, off + len)) {
            c.ackNow = true; // too many holes: drop it, the peer will retransmit
            return;
        }
        if (off > 0) {
            c.buffers.storeOutOfOrder(off, seg.buf, pos, len);
            stats.outOfOrder++;
            c.ackNow = true; // RFC 5681 4.2: immediate dup ACK for out-of-order data
            return;
        }
        int n = ooo.popFront();
        c.buffers.deliverInOrder(seg.buf, pos, len, n, c.appClosed);
        c.rcvNxt += n;
        if (hadHoles) {
            c.ackNow = true; // RFC 5681 4.2: ACK at once when a segment fills a hole
        }
        c.segsSinceAck++;
        if (c.segsSinceAck >= TcpConstants.ACK_STRETCH_MAX_SEGMENTS || c.cfg.delayedAckNanos <= 0) {
            c.ackNow = true;
        } else if (c.segsSinceAck >= TcpConstants.ACK_EVERY_SEGMENTS) {
            c.sender.ackAtBatchEnd();
        } else if (c.timers.delAckDeadline == NEVER) {
            c.timers.delAckDeadline = loop.nanoTime() + c.cfg.delayedAckNanos;
        }
    }

    /** The peer's FIN is in sequence: RCV.NXT covers it, ACK it, and the state moves (RFC 9293 3.10.7.4 eighth). */
    private void receiveFin() {
        c.rcvNxt++;
        c.finReceived = true;
        c.ackNow = true;
        c.publishApp();
        switch (c.state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
                c.setState(TcpState.CLOSE_WAIT);
                break;
            case FIN_WAIT_1:
                c.setState(TcpState.CLOSING);
                break;
            case FIN_WAIT_2:
                c.timers.enterTimeWait();
                break;
            default:
                break;
        }
    }

    /**
     * New data acknowledged (SND.UNA < SEG.ACK =< SND.MAX): drop it from the send queue,
     * advance SND.UNA, take an RTT sample (Karn's algorithm, RFC 6298), tell congestion
     * control, and restart or stop the retransmission timer (RFC 6298 5.2 / 5.3).
     */
    private void ackReceived(int ack) {
        int acked = ack - c.sndUna;
        if (c.synUnacked) {
            c.synUnacked = false;
            acked--;
        }
        int dataAcked = c.buffers.discardAcknowledged(acked);
        if (acked > dataAcked && c.finQueued) {
            c.finAcked = true;
        }
        c.sndUna = ack;
        if (SeqNum.lt(c.sndNxt, c.sndUna)) {
            c.sndNxt = c.sndUna;
        }
        long now = loop.nanoTime();
        if (c.timing && SeqNum.gt(ack, c.timedSeq)) {
            c.rtt.sample(now - c.timedAt);
            c.timing = false;
        }
        c.retransmitCount = 0;
        c.probeSent = false;

        long flight = (c.sndMax - c.sndUna) & 0xFFFFFFFFL;
        if (c.congestion.newDataAcked(ack, dataAcked, flight, c.sendMss)) {
            c.sender.retransmitFirst(); // partial ACK in fast recovery: the next hole
        }
        c.timers.rtoDeadline = c.sndUna == c.sndMax ? NEVER : now + c.rtt.rto(); // RFC 6298 5.2 / 5.3
    }

    /** A duplicate ACK: the third starts fast retransmit (RFC 5681 3.2, RFC 6582 3.2 steps 1-2). */
    private void duplicateAck() {
        if (c.congestion.duplicateAck(c.sndUna, c.sndMax, c.sendMss)) {
            stats.fastRetransmits++;
            c.sender.retransmitFirst();
            c.timers.rtoDeadline = loop.nanoTime() + c.rtt.rto();
        }
    }

    /** RFC 5961 3.2 / 4.2: answer with an ACK for RCV.NXT (no rate limit here). */
    private void challengeAck() {
        stats.challengeAcks++;
        c.ackNow = true;
    }
}
