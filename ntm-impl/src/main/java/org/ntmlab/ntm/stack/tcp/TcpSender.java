package org.ntmlab.ntm.stack.tcp;

import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_FIN;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_PSH;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_SYN;
import static org.ntmlab.ntm.stack.tcp.TcpTimers.NEVER;

import org.ntmlab.ntm.transport.EventLoop;

/**
 * The send side of one connection (BSD's tcp_output): what to transmit now. Data within
 * min(SND.WND, cwnd) with the sender's SWS avoidance and Nagle (RFC 9293 3.7.4, 3.8.6.2.1),
 * the FIN after the last byte, SYN and SYN-ACK, retransmission of the first unacknowledged
 * segment, and ACKs with the receive window we advertise (receiver SWS avoidance, RFC 9293
 * 3.8.6.2.2; delayed and stretch ACKs, RFC 5681 4.2 / RFC 9293 3.8.6.3). Reads and advances
 * the send sequence variables held in {@link TcpConnection}; event loop only.
 */
final class TcpSender {

    private final TcpConnection c;
    private final EventLoop loop;
    private boolean batchAckQueued;
    private final Runnable batchAckTask = this::onBatchEnd;

    TcpSender(TcpConnection c, EventLoop loop) {
        this.c = c;
        this.loop = loop;
    }

    /** Sends whatever data, FIN and ACK the windows, Nagle and the ACK policy allow. */
    void output() {
        if (c.state == TcpState.CLOSED) {
            return;
        }
        long now = loop.nanoTime();
        if (c.state.synchronizedState()) {
            sendData(now);
        }
        TcpTimers timers = c.timers;
        if (c.ackNow || (timers.delAckDeadline != NEVER && timers.delAckDeadline <= now)) {
            if (c.state == TcpState.SYN_RECEIVED) {
                sendSyn(true);
            } else {
                sendSegment(c.sndMax, FLAG_ACK, 0, 0, false);
            }
        }
        timers.update();
    }

    private void sendData(long now) {
        TcpConnection c = this.c;
        TcpTimers timers = c.timers;
        while (true) {
            int inFlight = c.sndNxt - c.sndUna;
            int off = inFlight;
            int queued = c.buffers.sendQueued(); // only grows while we look (application threads append)
            int unsent = queued - off;
            if (unsent < 0) {
                unsent = 0;
            }
            long usable = Math.min(c.sndWnd, c.congestion.cwnd()) - inFlight;
            int len = (int) Math.max(0, Math.min(Math.min(unsent, c.sendMss), usable));
            boolean retrans = SeqNum.lt(c.sndNxt, c.sndMax);
            boolean fin = c.finQueued && !c.finAcked && off + len == queued && off <= queued;
            if (len == 0 && !fin) {
                break;
            }
            if (len > 0 && len < c.sendMss && !retrans && !fin && !c.forceSend) {
                boolean nagleOk = len == unsent && (c.noDelay || inFlight == 0);
                boolean swsOk = c.maxSndWnd > 0 && len >= c.maxSndWnd / 2;
                if (!nagleOk && !swsOk) {
                    break;
                }
            }
            if (fin && len == 0 && c.sndNxt != c.sndUna + queued) {
                break;
            }
            int flags = FLAG_ACK | (fin ? FLAG_FIN : 0) | (len > 0 && off + len == queued ? FLAG_PSH : 0);
            sendSegment(c.sndNxt, flags, off, len, true);
            c.forceSend = false;
            if (retrans) {
                c.stats.retransmissions++;
            } else if (!c.timing) {
                c.timing = true;
                c.timedSeq = c.sndNxt;
                c.timedAt = now;
            }
            c.sndNxt += len + (fin ? 1 : 0);
            if (SeqNum.gt(c.sndNxt, c.sndMax)) {
                c.sndMax = c.sndNxt;
            }
            if (timers.rtoDeadline == NEVER) {
                timers.rtoDeadline = now + c.rtt.rto();
            }
            if (fin) {
                break;
            }
        }
        c.forceSend = false;
        // RFC 9293 3.8.6.1 zero-window probing, and the sender SWS override timeout
        // (3.8.6.2.1): data waiting, nothing in flight, yet nothing could be sent.
        boolean waiting = c.buffers.sendQueued() - (c.sndNxt - c.sndUna) > 0;
        if (waiting && c.sndMax == c.sndUna) {
            if (timers.persistDeadline == NEVER) {
                timers.persistInterval = Math.max(c.rtt.rto(), TcpConstants.MIN_PERSIST_NANOS);
                timers.persistDeadline = now + timers.persistInterval;
            }
        } else {
            timers.persistDeadline = NEVER;
        }
    }

    /** Resends the first unacknowledged segment without moving SND.NXT (fast retransmit, partial ACK). */
    void retransmitFirst() {
        int queued = c.buffers.sendQueued();
        int len = Math.min(queued, c.sendMss);
        int outstanding = c.sndMax - c.sndUna;
        len = Math.min(len, outstanding);
        boolean fin = c.finQueued && len == queued && outstanding > len;
        if (len == 0 && !fin) {
            return;
        }
        sendSegment(c.sndUna, FLAG_ACK | (fin ? FLAG_FIN : 0), 0, len, true);
        c.stats.retransmissions++;
        c.timing = false; // Karn
        if (SeqNum.lt(c.sndNxt, c.sndUna + len + (fin ? 1 : 0))) {
            c.sndNxt = c.sndUna + len + (fin ? 1 : 0);
        }
    }

    /** Sends our SYN (or SYN-ACK), times it for the first RTT sample and arms the retransmission timer. */
    void sendSynTimed(boolean ack) {
        sendSyn(ack);
        c.timing = true;
        c.timedSeq = c.iss;
        c.timedAt = loop.nanoTime();
        c.timers.rtoDeadline = loop.nanoTime() + c.rtt.rto();
        c.timers.update();
    }

    /** SYN (active open) or SYN-ACK with our MSS and, when allowed, window scale (RFC 7323 2.2: SYN windows unscaled). */
    void sendSyn(boolean withAck) {
        int wscale = -1;
        if (c.ourShift >= 0 && (!withAck || c.peerWscale >= 0)) {
            wscale = c.ourShift;
        }
        int wnd = (int) Math.min(c.buffers.receiveFree(), 0xFFFF);
        c.layer.writeAndSend(c.key.localAddr, c.key.remoteAddr, c.localBytes, c.remoteBytes, c.key.localPort,
                c.key.remotePort, c.iss, withAck ? c.rcvNxt : 0, FLAG_SYN | (withAck ? FLAG_ACK : 0), wnd, c.ourMss,
                wscale, null, 0, 0);
        if (withAck) {
            ackSent(wnd);
        }
    }

    /** One segment from the TCB: {@code len} bytes of the send queue from {@code dataOff}, our window, RCV.NXT. */
    void sendSegment(int seq, int flags, int dataOff, int len, boolean withData) {
        long wnd = advertisedWindow();
        c.layer.writeAndSend(c.key.localAddr, c.key.remoteAddr, c.localBytes, c.remoteBytes, c.key.localPort,
                c.key.remotePort, seq, c.rcvNxt, flags, (int) (wnd >> c.rcvShift), -1, -1,
                withData ? c.buffers.sendQ : null, dataOff, len);
        if ((flags & FLAG_ACK) != 0) {
            ackSent(wnd);
        }
    }

    /**
     * Receive window to advertise. Receiver-side SWS avoidance (RFC 9293 3.8.6.2.2): the
     * right edge only moves once it can move by min(buffer/2, MSS); it never moves left.
     */
    private long advertisedWindow() {
        ByteRing recvQ = c.buffers.recvQ;
        long free = c.appClosed ? recvQ.capacity() : c.buffers.receiveFree();
        long current = Math.max(0, c.lastEdge - c.rcvNxt);
        long wnd = free - current >= Math.min(recvQ.capacity() / 2, c.ourMss) ? free : Math.min(current, free);
        long max = 0xFFFFL << c.rcvShift;
        return (Math.min(wnd, max) >> c.rcvShift) << c.rcvShift;
    }

    private void ackSent(long wnd) {
        c.ackNow = false;
        c.segsSinceAck = 0;
        c.timers.delAckDeadline = NEVER;
        int edge = (int) (c.rcvNxt + wnd);
        if (SeqNum.gt(edge, c.lastEdge)) {
            c.lastEdge = edge;
        }
        c.buffers.windowAdvertised(c.lastEdge - c.rcvNxt);
    }

    /** Receiver-side SWS avoidance (RFC 9293 3.8.6.2.2): update the window once it grew by min(buffer/2, MSS). */
    void windowUpdateAfterRead() {
        if (!c.state.receivesData()) {
            return;
        }
        // Like Linux: announce at once only if the window at least doubles (or was zero),
        // otherwise the next ACK carries it; this keeps delayed ACKs effective.
        long current = Math.max(0, c.lastEdge - c.rcvNxt);
        long wnd = advertisedWindow();
        if (SeqNum.gt((int) (c.rcvNxt + wnd), c.lastEdge) && wnd >= 2 * current) {
            c.ackNow = true;
            output();
        }
    }

    /** One cumulative ACK after the datagrams the loop reads in this batch (at most one task queued). */
    void ackAtBatchEnd() {
        if (!batchAckQueued) {
            batchAckQueued = true;
            loop.execute(batchAckTask);
        }
    }

    /** End of a receive batch: ACK the segments it brought unless an ACK already left. */
    private void onBatchEnd() {
        batchAckQueued = false;
        if (c.state != TcpState.CLOSED && c.segsSinceAck >= TcpConstants.ACK_EVERY_SEGMENTS) {
            c.ackNow = true;
            output();
        }
    }
}
