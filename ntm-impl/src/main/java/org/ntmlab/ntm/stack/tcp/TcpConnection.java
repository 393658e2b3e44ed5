package org.ntmlab.ntm.stack.tcp;

import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_FIN;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_PSH;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_RST;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_SYN;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * One TCP connection: the transmission control block and state machine of RFC 9293
 * section 3.10, with RFC 7323 window scaling, RFC 6298 retransmission timer, RFC 5681 /
 * RFC 6582 (NewReno) congestion control, delayed ACKs, Nagle, zero-window probing and
 * RFC 5961 challenge ACKs. The state machine runs on the event loop only; the non-blocking
 * methods here ({@link #read}, {@link #write}, {@link #shutdownOutput}, {@link #close}) are
 * for code on the loop. {@link NtmSocket}'s threads copy into the send queue and out of the
 * receive queue themselves under {@link #appLock} (the {@code app*} methods), like Linux's
 * socket lock, so a bulk transfer does not hand every read and write to the loop.
 */
public final class TcpConnection {

    /** Why a connection ended abnormally. */
    public enum Failure {
        /** RST in answer to our SYN (RFC 9293 3.10.7.3). */
        REFUSED,
        /** RST received on an open connection. */
        RESET,
        /** Retransmissions exhausted (RFC 9293 3.8.3 R2). */
        TIMED_OUT,
        /** Aborted locally ({@link #abort()}). */
        ABORTED
    }

    private static final long NEVER = Long.MAX_VALUE;

    final TcpLayer layer;
    final ConnKey key;
    final byte[] localBytes;
    final byte[] remoteBytes;
    private final EventLoop loop;
    private final TcpConfig cfg;
    private final TcpStats stats;
    private TcpListener listener;

    private TcpState state = TcpState.CLOSED;
    private Failure failure;

    // send sequence space (RFC 9293 3.3.1); sndMax is the highest sequence number sent (BSD snd_max)
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private long sndWnd;
    private int sndWl1;
    private int sndWl2;
    private long maxSndWnd;
    private boolean synUnacked;
    private final ByteRing sendQ;
    private boolean finQueued;
    private boolean finAcked;
    private boolean probeSent;

    // receive sequence space
    private int irs;
    private int rcvNxt;
    private final ByteRing recvQ;
    private final Assembler ooo = new Assembler(TcpConstants.MAX_OOO_RANGES);
    private boolean finReceived;
    private boolean pendingFin;
    private int pendingFinSeq;
    /** RCV.NXT + RCV.WND as last advertised; never moved left (RFC 9293 3.8.6.2.2). */
    private int lastEdge;

    // options
    private final int ourMss;
    private int sendMss;
    private final int ourShift;
    private int sndShift;
    private int rcvShift;
    private int peerWscale = -1;

    // congestion control (RFC 5681, RFC 6582)
    private long cwnd;
    private long ssthresh = Integer.MAX_VALUE;
    private int dupAcks;
    private int recover;
    private boolean inRecovery;

    // RTT (RFC 6298) with Karn's algorithm
    private final RttEstimator rtt;
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    private int retransmitCount;

    // ACK generation (RFC 5681 4.2, RFC 9293 3.8.6.3)
    private int segsSinceAck;
    private boolean ackNow;
    private boolean batchAckQueued;
    private final Runnable batchAckTask = this::onBatchEnd;

    // timers: one EventLoop timer covers all deadlines
    private long rtoDeadline = NEVER;
    private long delAckDeadline = NEVER;
    private long persistDeadline = NEVER;
    private long stateDeadline = NEVER;
    private long persistInterval;
    private EventLoop.Timer timer;
    private long armedAt = NEVER;
    private final Runnable timerTask = this::onTimer;

    // application side
    private boolean noDelay;
    private boolean appClosed;
    private boolean outputShutdown;
    private Runnable callback;
    private boolean accepted;
    private boolean wasEstablished;
    private boolean forceSend;
    private boolean notifyListener;

    // application threads (NtmSocket). appLock guards sendQ's and recvQ's indices and the
    // fields below; the loop takes it only around ring operations and to publish state.
    /** Result of {@link #appRead}/{@link #appWrite}: the loop must answer (end of stream, failure, not open). */
    static final int ASK_LOOP = -2;
    final Object appLock = new Object();
    private boolean appWritable;
    private boolean appEnded;
    private boolean readWanted;
    private boolean writeWanted;
    /** lastEdge - rcvNxt as the application sees it: decides whether a read warrants a window update. */
    private long appRoom;
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicBoolean windowQueued = new AtomicBoolean();
    private final Runnable flushTask = () -> {
        flushQueued.set(false);
        output();
    };
    private final Runnable windowTask = () -> {
        windowQueued.set(false);
        windowUpdateAfterRead();
    };

    TcpConnection(TcpLayer layer, ConnKey key, TcpListener listener) {
        this.layer = layer;
        this.key = key;
        this.listener = listener;
        this.loop = layer.loop();
        this.cfg = layer.config();
        this.stats = layer.stats();
        this.localBytes = key.localAddr.getAddress();
        this.remoteBytes = key.remoteAddr.getAddress();
        this.sendQ = new ByteRing(cfg.sendBufferSize);
        this.recvQ = new ByteRing(cfg.receiveBufferSize);
        this.ourMss = layer.mssFor(key.remoteAddr);
        this.sendMss = ourMss;
        int shift = 0;
        while (shift < TcpConstants.MAX_WSCALE && (cfg.receiveBufferSize >> shift) > 0xFFFF) {
            shift++;
        }
        this.ourShift = cfg.windowScaling ? shift : -1;
        this.rtt = new RttEstimator(cfg.initialRtoNanos, cfg.minRtoNanos, cfg.maxRtoNanos);
        this.noDelay = cfg.noDelay;
    }

    // ================================================================ public API (event loop)

    public TcpState state() {
        return state;
    }

    /** Why the connection failed, or null if it did not (yet). */
    public Failure failure() {
        return failure;
    }

    public InetAddress localAddress() {
        return key.localAddr;
    }

    public int localPort() {
        return key.localPort;
    }

    public InetAddress remoteAddress() {
        return key.remoteAddr;
    }

    public int remotePort() {
        return key.remotePort;
    }

    /** Effective send MSS: the smaller of ours and the peer's MSS option. */
    public int mss() {
        return sendMss;
    }

    /** Peer's window in bytes after scaling. */
    public long sendWindow() {
        return sndWnd;
    }

    public long congestionWindow() {
        return cwnd;
    }

    /** Shift we apply to our advertised window (0 when scaling was not negotiated). */
    public int receiveWindowShift() {
        return rcvShift;
    }

    /** Shift the peer applies to its advertised window. */
    public int sendWindowShift() {
        return sndShift;
    }

    public long rtoNanos() {
        return rtt.rto();
    }

    /** Called on the loop whenever something the application may wait for changed. */
    public void setCallback(Runnable callback) {
        this.callback = callback;
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** Nagle's algorithm off (true) or on (RFC 9293 3.7.4, RFC 1122 4.2.3.4). */
    public void setNoDelay(boolean on) {
        this.noDelay = on;
        if (on) {
            output();
        }
    }

    /** True once the handshake completed (the connection may since have closed). */
    public boolean isConnected() {
        return wasEstablished;
    }

    /** Bytes that {@link #read} returns without waiting. */
    public int available() {
        synchronized (appLock) {
            return recvQ.size();
        }
    }

    /** True when the peer's FIN was received and all data before it was read. */
    public boolean atEof() {
        return finReceived && available() == 0;
    }

    /** Room in the send queue. */
    public int writable() {
        synchronized (appLock) {
            return sendQ.free();
        }
    }

    /** Bytes queued but not yet acknowledged by the peer. */
    public int unacknowledged() {
        return sendQueued();
    }

    /**
     * Copies received bytes to {@code dst}. Returns the count, 0 when nothing is there yet,
     * -1 at end of stream; throws when the connection was reset or timed out.
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        int n;
        synchronized (appLock) {
            n = recvQ.read(dst, off, len);
        }
        if (n > 0) {
            windowUpdateAfterRead();
            return n;
        }
        if (finReceived) {
            return -1;
        }
        if (failure != null) {
            throw failureException();
        }
        if (state == TcpState.CLOSED) {
            return -1;
        }
        return 0;
    }

    /**
     * Queues bytes to send. Returns the count accepted (0 when the send queue is full);
     * throws when the output side is shut down or the connection failed.
     */
    public int write(byte[] src, int off, int len) throws IOException {
        if (failure != null) {
            throw failureException();
        }
        if (outputShutdown || appClosed) {
            throw new SocketException("Socket output is shut down");
        }
        if (!state.sendsData()) {
            if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
                return 0;
            }
            throw new SocketException("Connection is " + state);
        }
        int n;
        synchronized (appLock) {
            n = sendQ.write(src, off, len);
        }
        if (n > 0) {
            output();
        }
        return n;
    }

    /** Half-close (RFC 9293 3.10.4): queue our FIN after the data already queued. */
    public void shutdownOutput() {
        if (outputShutdown) {
            return;
        }
        outputShutdown = true;
        publishApp();
        switch (state) {
            case SYN_SENT:
                terminate(null);
                return;
            case SYN_RECEIVED:
                finQueued = true; // FIN-WAIT-1 once the handshake completes
                return;
            case ESTABLISHED:
                finQueued = true;
                setState(TcpState.FIN_WAIT_1);
                break;
            case CLOSE_WAIT:
                finQueued = true;
                setState(TcpState.LAST_ACK);
                break;
            default:
                return;
        }
        output();
    }

    /**
     * Closes for the application: sends FIN (graceful) or, when received data was left
     * unread, RST (RFC 9293 3.10.4 / RFC 2525 2.17 "data loss"). Data that arrives later is
     * acknowledged and discarded.
     */
    public void close() {
        if (appClosed) {
            return;
        }
        if (available() > 0 && state != TcpState.CLOSED) {
            appClosed = true;
            abort();
            return;
        }
        appClosed = true;
        publishApp();
        shutdownOutput();
        if (state == TcpState.FIN_WAIT_2) {
            stateDeadline = loop.nanoTime() + cfg.finWait2TimeoutNanos;
            updateTimer();
        }
    }

    /** Sends RST and drops the connection (RFC 9293 3.10.5 ABORT). */
    public void abort() {
        appClosed = true;
        switch (state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
                sendSegment(sndMax, FLAG_RST | FLAG_ACK, 0, 0, false);
                stats.resetsSent++;
                break;
            default:
                break;
        }
        if (state != TcpState.CLOSED) {
            terminate(Failure.ABORTED);
        }
    }

    @Override
    public String toString() {
        return "tcp " + key + " " + state + (failure != null ? " failure=" + failure : "");
    }

    /** Sequence-space snapshot for diagnostics (loop thread). */
    public String debugState() {
        return this + " una=" + sndUna + " nxt=" + sndNxt + " max=" + sndMax + " sndWnd=" + sndWnd + " cwnd=" + cwnd
                + " sendQ=" + sendQ.size() + " rcvNxt=" + rcvNxt + " avail=" + available() + " probeSent=" + probeSent
                + " persist=" + persistDeadline + " rto=" + rtoDeadline + " retx=" + retransmitCount
                + " inRecovery=" + inRecovery;
    }

    // ================================================================ opening

    void openActive() {
        chooseIss();
        setState(TcpState.SYN_SENT);
        sendSynTimed(false);
    }

    void openPassive(TcpSegment seg) {
        irs = seg.seq;
        rcvNxt = seg.seq + 1;
        lastEdge = rcvNxt;
        takeSynOptions(seg);
        chooseIss();
        sndWnd = seg.window; // never scaled in a SYN (RFC 7323 2.2)
        sndWl1 = seg.seq;
        sndWl2 = iss;
        setState(TcpState.SYN_RECEIVED);
        sendSynTimed(true);
    }

    /** RFC 9293 3.4.1 / RFC 6528: the initial send sequence number; the SYN occupies ISS. */
    private void chooseIss() {
        iss = layer.newIss(localBytes, key.localPort, remoteBytes, key.remotePort);
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        recover = iss;
        synUnacked = true;
    }

    /** Sends our SYN (or SYN-ACK), times it for the first RTT sample and arms the retransmission timer. */
    private void sendSynTimed(boolean ack) {
        sendSyn(ack);
        timing = true;
        timedSeq = iss;
        timedAt = loop.nanoTime();
        rtoDeadline = loop.nanoTime() + rtt.rto();
        updateTimer();
    }

    private void takeSynOptions(TcpSegment seg) {
        int peerMss = seg.mss > 0 ? seg.mss
                : (key.remoteAddr instanceof java.net.Inet4Address ? TcpConstants.DEFAULT_MSS_V4
                : TcpConstants.DEFAULT_MSS_V6);
        sendMss = Math.max(64, Math.min(ourMss, peerMss));
        peerWscale = seg.wscale;
        if (ourShift >= 0 && peerWscale >= 0) {
            sndShift = peerWscale;
            rcvShift = ourShift;
        } else {
            sndShift = 0;
            rcvShift = 0;
        }
        // RFC 6928 initial window, RFC 5681 ssthresh arbitrarily high
        cwnd = Math.min(TcpConstants.INITIAL_WINDOW_SEGMENTS * (long) sendMss, Math.max(2L * sendMss, 14600));
    }

    private void sendSyn(boolean withAck) {
        int wscale = -1;
        if (ourShift >= 0 && (!withAck || peerWscale >= 0)) {
            wscale = ourShift;
        }
        int wnd = (int) Math.min(receiveFree(), 0xFFFF);
        layer.writeAndSend(key.localAddr, key.remoteAddr, localBytes, remoteBytes, key.localPort, key.remotePort,
                iss, withAck ? rcvNxt : 0, FLAG_SYN | (withAck ? FLAG_ACK : 0), wnd, ourMss, wscale, null, 0, 0);
        if (withAck) {
            ackSent(wnd);
        }
    }

    void accepted() {
        accepted = true;
        listener = null;
    }

    // ================================================================ receive (RFC 9293 3.10.7)

    void onSegment(TcpSegment seg) {
        switch (state) {
            case SYN_SENT:
                onSynSentSegment(seg);
                break;
            case CLOSED:
                break;
            default:
                onSynchronizedSegment(seg);
                break;
        }
        if (state != TcpState.CLOSED) {
            output();
        }
        if (notifyListener) {
            notifyListener = false;
            if (listener != null) {
                listener.established(this); // may run application code: keep it last
            }
        }
        fire();
    }

    /** RFC 9293 3.10.7.3. */
    private void onSynSentSegment(TcpSegment seg) {
        boolean ackOk = false;
        if (seg.has(FLAG_ACK)) {
            if (SeqNum.le(seg.ack, iss) || SeqNum.gt(seg.ack, sndMax)) {
                if (!seg.has(FLAG_RST)) {
                    layer.writeAndSend(key.localAddr, key.remoteAddr, localBytes, remoteBytes, key.localPort,
                            key.remotePort, seg.ack, 0, FLAG_RST, 0, -1, -1, null, 0, 0);
                    stats.resetsSent++;
                }
                return;
            }
            ackOk = SeqNum.le(sndUna, seg.ack);
        }
        if (seg.has(FLAG_RST)) {
            if (ackOk) {
                stats.resetsReceived++;
                terminate(Failure.REFUSED);
            }
            return;
        }
        if (!seg.has(FLAG_SYN)) {
            return;
        }
        irs = seg.seq;
        rcvNxt = seg.seq + 1;
        lastEdge = rcvNxt;
        takeSynOptions(seg);
        if (ackOk) {
            // our SYN is acknowledged: ESTABLISHED
            sndWnd = seg.window;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            maxSndWnd = sndWnd;
            ackReceived(seg.ack);
            setState(TcpState.ESTABLISHED);
            ackNow = true;
        } else {
            // simultaneous open (RFC 9293 Figure 8)
            sndWnd = seg.window;
            sndWl1 = seg.seq;
            sndWl2 = sndUna;
            setState(TcpState.SYN_RECEIVED);
            sendSyn(true);
            rtoDeadline = loop.nanoTime() + rtt.rto();
        }
    }

    /** RFC 9293 3.10.7.4: SYN-RECEIVED and all synchronized states. */
    private void onSynchronizedSegment(TcpSegment seg) {
        int seq = seg.seq;
        int payloadPos = seg.payloadPos;
        int payloadLen = seg.payloadLen;
        boolean syn = seg.has(FLAG_SYN);
        boolean fin = seg.has(FLAG_FIN);

        if (syn && seq == irs) {
            if (state == TcpState.SYN_RECEIVED && !seg.has(FLAG_ACK)) {
                // retransmitted SYN: our SYN-ACK was lost
                stats.duplicateSegments++;
                sendSyn(true);
                return;
            }
            if (state == TcpState.SYN_RECEIVED) {
                // the peer's SYN-ACK in a simultaneous open: consume the SYN, keep the ACK
                syn = false;
                seq++;
                ackNow = true;
            }
        }
        int segLen = payloadLen + (syn ? 1 : 0) + (fin ? 1 : 0);

        // first: sequence number acceptable? (RFC 9293 3.10.7.4, table of four cases)
        long rcvWnd = receiveFree();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = rcvWnd == 0 ? seq == rcvNxt : SeqNum.inRange(seq, rcvNxt, (int) (rcvNxt + rcvWnd));
        } else if (rcvWnd == 0) {
            acceptable = false;
        } else {
            int end = (int) (rcvNxt + rcvWnd);
            acceptable = SeqNum.inRange(seq, rcvNxt, end) || SeqNum.inRange(seq + segLen - 1, rcvNxt, end);
        }
        boolean textDropped = false;
        if (!acceptable) {
            if (!seg.has(FLAG_RST)) {
                stats.duplicateSegments++;
                if (state == TcpState.TIME_WAIT && fin) {
                    enterTimeWait(); // RFC 9293: retransmitted FIN restarts the 2 MSL timeout
                }
                ackNow = true;
            }
            // RFC 9293 3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but
            // special allowance should be made to accept valid ACKs". Without it, two ends whose
            // receive windows are both full never learn of each other's progress (echo deadlock).
            if (rcvWnd != 0 || !seg.has(FLAG_ACK) || seg.has(FLAG_RST) || syn) {
                return;
            }
            textDropped = true;
            payloadLen = 0;
            fin = false;
        }

        // second: RST (RFC 9293 3.10.7.4 and RFC 5961 section 3)
        if (seg.has(FLAG_RST)) {
            if (seq == rcvNxt) {
                stats.resetsReceived++;
                if (state == TcpState.SYN_RECEIVED && listener != null) {
                    terminate(null); // back to LISTEN: the listener just forgets it
                } else if (state == TcpState.CLOSING || state == TcpState.LAST_ACK
                        || state == TcpState.TIME_WAIT) {
                    terminate(null);
                } else {
                    terminate(Failure.RESET);
                }
            } else {
                challengeAck();
            }
            return;
        }

        // fourth: SYN in a synchronized state (RFC 5961 section 4)
        if (syn) {
            challengeAck();
            return;
        }

        // fifth: ACK
        if (!seg.has(FLAG_ACK)) {
            return;
        }
        int ack = seg.ack;
        if (state == TcpState.SYN_RECEIVED) {
            if (SeqNum.gt(ack, sndUna) && SeqNum.le(ack, sndMax)) {
                sndWnd = (long) seg.window << sndShift;
                sndWl1 = seq;
                sndWl2 = ack;
                maxSndWnd = sndWnd;
                setState(finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED);
                notifyListener = listener != null; // after this segment is fully processed
            } else {
                layer.writeAndSend(key.localAddr, key.remoteAddr, localBytes, remoteBytes, key.localPort,
                        key.remotePort, ack, 0, FLAG_RST, 0, -1, -1, null, 0, 0);
                stats.resetsSent++;
                return;
            }
        }
        int ackLimit = sndMax;
        if (probeSent && sndMax == sndUna) {
            ackLimit = sndUna + 1; // the zero-window probe byte was accepted
        }
        if (SeqNum.gt(ack, ackLimit)) {
            ackNow = true; // RFC 9293: ACK for something not yet sent
            return;
        }
        long segWnd = (long) seg.window << sndShift;
        if (SeqNum.gt(ack, sndUna)) {
            if (SeqNum.gt(ack, sndMax)) {
                sndMax = ack;
            }
            ackReceived(ack);
        } else if (ack == sndUna && payloadLen == 0 && !fin && !textDropped && segWnd == sndWnd
                && sndMax != sndUna) {
            duplicateAck();
        }
        // window update (RFC 9293 3.10.7.4, SND.WL1/SND.WL2 rule)
        if (SeqNum.lt(sndWl1, seq) || (sndWl1 == seq && SeqNum.le(sndWl2, ack))) {
            sndWnd = segWnd;
            sndWl1 = seq;
            sndWl2 = ack;
            if (sndWnd > maxSndWnd) {
                maxSndWnd = sndWnd;
            }
            if (sndWnd > 0) {
                persistDeadline = NEVER;
                probeSent = false;
            }
        }
        if (state == TcpState.CLOSED) {
            return;
        }
        if (finAcked) {
            switch (state) {
                case FIN_WAIT_1:
                    setState(TcpState.FIN_WAIT_2);
                    if (appClosed) {
                        stateDeadline = loop.nanoTime() + cfg.finWait2TimeoutNanos;
                    }
                    break;
                case CLOSING:
                    enterTimeWait();
                    break;
                case LAST_ACK:
                    terminate(null);
                    return;
                default:
                    break;
            }
        }

        // seventh: segment text
        if (payloadLen > 0 || fin) {
            int skip = rcvNxt - seq; // bytes already received
            if (skip > 0) {
                payloadPos += skip;
                payloadLen -= skip;
                seq = rcvNxt;
                stats.duplicateSegments++;
                ackNow = true;
            }
            int off = seq - rcvNxt;
            int room = receiveFree() - off;
            if (payloadLen > room) {
                payloadLen = Math.max(room, 0);
                fin = false; // FIN was beyond the window
            }
            if (fin && state.receivesData()) {
                pendingFin = true;
                pendingFinSeq = seq + payloadLen;
            }
            if (payloadLen > 0 && state.receivesData()) {
                receiveData(seg, payloadPos, payloadLen, off);
            }
            // eighth: FIN, once everything before it is in
            if (pendingFin && rcvNxt == pendingFinSeq) {
                pendingFin = false;
                receiveFin();
            }
        }
    }

    private void receiveData(TcpSegment seg, int pos, int len, int off) {
        boolean hadHoles = !ooo.isEmpty();
        if (!ooo.add(off, off + len)) {
            ackNow = true; // too many holes: drop it, the peer will retransmit
            return;
        }
        if (off > 0) {
            synchronized (appLock) {
                recvQ.writeAt(off, seg.buf, pos, len);
            }
            stats.outOfOrder++;
            ackNow = true; // RFC 5681 4.2: immediate dup ACK for out-of-order data
            return;
        }
        int n = ooo.popFront();
        synchronized (appLock) {
            recvQ.writeAt(off, seg.buf, pos, len);
            recvQ.commit(n);
            appRoom -= n;
            if (appClosed) {
                recvQ.discard(recvQ.size());
            }
            if (readWanted) { // a reader sleeps on an empty queue: wake it once
                readWanted = false;
                appLock.notifyAll();
            }
        }
        rcvNxt += n;
        if (hadHoles) {
            ackNow = true; // RFC 5681 4.2: ACK at once when a segment fills a hole
        }
        segsSinceAck++;
        if (segsSinceAck >= TcpConstants.ACK_STRETCH_MAX_SEGMENTS || cfg.delayedAckNanos <= 0) {
            ackNow = true;
        } else if (segsSinceAck >= TcpConstants.ACK_EVERY_SEGMENTS) {
            if (!batchAckQueued) { // one cumulative ACK after the datagrams the loop read in this batch
                batchAckQueued = true;
                loop.execute(batchAckTask);
            }
        } else if (delAckDeadline == NEVER) {
            delAckDeadline = loop.nanoTime() + cfg.delayedAckNanos;
        }
    }

    private void receiveFin() {
        rcvNxt++;
        finReceived = true;
        ackNow = true;
        publishApp();
        switch (state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
                setState(TcpState.CLOSE_WAIT);
                break;
            case FIN_WAIT_1:
                setState(TcpState.CLOSING);
                break;
            case FIN_WAIT_2:
                enterTimeWait();
                break;
            default:
                break;
        }
    }

    /** New data acknowledged (SND.UNA < SEG.ACK <= SND.MAX). */
    private void ackReceived(int ack) {
        int acked = ack - sndUna;
        if (synUnacked) {
            synUnacked = false;
            acked--;
        }
        int dataAcked;
        synchronized (appLock) {
            dataAcked = Math.min(acked, sendQ.size());
            sendQ.discard(dataAcked);
            // wake a writer once a third of the queue is free, not for every ACK (like Linux's sk_stream_wspace)
            if (writeWanted && sendQ.free() >= sendQ.capacity() / 3) {
                writeWanted = false;
                appLock.notifyAll();
            }
        }
        if (acked > dataAcked && finQueued) {
            finAcked = true;
        }
        sndUna = ack;
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        long now = loop.nanoTime();
        if (timing && SeqNum.gt(ack, timedSeq)) {
            rtt.sample(now - timedAt);
            timing = false;
        }
        retransmitCount = 0;
        probeSent = false;

        // congestion control
        long flight = (sndMax - sndUna) & 0xFFFFFFFFL;
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                // full ACK (RFC 6582 3.2 step 3)
                cwnd = Math.min(ssthresh, Math.max(flight, sendMss) + sendMss);
                inRecovery = false;
            } else {
                // partial ACK: retransmit the next hole, deflate (RFC 6582 3.2 step 4)
                retransmitFirst();
                cwnd = Math.max(cwnd - dataAcked, sendMss);
                if (dataAcked >= sendMss) {
                    cwnd += sendMss;
                }
            }
        } else if (dataAcked > 0) {
            // byte counting (RFC 3465): an ACK covering a batch counts for all it acknowledges
            if (cwnd < ssthresh) {
                cwnd += Math.min(dataAcked, 2L * sendMss); // slow start (RFC 5681 3.1, RFC 3465 L=2)
            } else {
                cwnd += Math.max(1, (long) sendMss * dataAcked / cwnd); // congestion avoidance
            }
            cwnd = Math.min(cwnd, 1L << 30);
        }
        dupAcks = 0;
        rtoDeadline = sndUna == sndMax ? NEVER : now + rtt.rto(); // RFC 6298 5.2 / 5.3
    }

    /** RFC 5681 3.2 and RFC 6582 3.2 steps 1-2. */
    private void duplicateAck() {
        dupAcks++;
        if (!inRecovery && dupAcks == TcpConstants.DUP_ACK_THRESHOLD) {
            // RFC 6582 3.2 step 2: only if the ACK covers more than the last recovery point
            if (SeqNum.ge(sndUna, recover)) {
                long flight = (sndMax - sndUna) & 0xFFFFFFFFL;
                ssthresh = Math.max(flight / 2, 2L * sendMss);
                recover = sndMax;
                inRecovery = true;
                stats.fastRetransmits++;
                retransmitFirst();
                cwnd = ssthresh + 3L * sendMss;
                rtoDeadline = loop.nanoTime() + rtt.rto();
            }
        } else if (inRecovery) {
            cwnd += sendMss; // inflate for each segment that left the network
        }
    }

    private void challengeAck() {
        stats.challengeAcks++;
        ackNow = true;
    }

    // ================================================================ send

    /** Sends whatever data, FIN and ACK the windows, Nagle and the ACK policy allow. */
    private void output() {
        if (state == TcpState.CLOSED) {
            return;
        }
        long now = loop.nanoTime();
        if (state.synchronizedState()) {
            sendData(now);
        }
        if (ackNow || (delAckDeadline != NEVER && delAckDeadline <= now)) {
            if (state == TcpState.SYN_RECEIVED) {
                sendSyn(true);
            } else {
                sendSegment(sndMax, FLAG_ACK, 0, 0, false);
            }
        }
        updateTimer();
    }

    private void sendData(long now) {
        while (true) {
            int inFlight = sndNxt - sndUna;
            int off = inFlight;
            int queued = sendQueued(); // only grows while we look (application threads append)
            int unsent = queued - off;
            if (unsent < 0) {
                unsent = 0;
            }
            long usable = Math.min(sndWnd, cwnd) - inFlight;
            int len = (int) Math.max(0, Math.min(Math.min(unsent, sendMss), usable));
            boolean retrans = SeqNum.lt(sndNxt, sndMax);
            boolean fin = finQueued && !finAcked && off + len == queued && off <= queued;
            if (len == 0 && !fin) {
                break;
            }
            if (len > 0 && len < sendMss && !retrans && !fin && !forceSend) {
                boolean nagleOk = len == unsent && (noDelay || inFlight == 0);
                boolean swsOk = maxSndWnd > 0 && len >= maxSndWnd / 2;
                if (!nagleOk && !swsOk) {
                    break;
                }
            }
            if (fin && len == 0 && sndNxt != sndUna + queued) {
                break;
            }
            int flags = FLAG_ACK | (fin ? FLAG_FIN : 0) | (len > 0 && off + len == queued ? FLAG_PSH : 0);
            sendSegment(sndNxt, flags, off, len, true);
            forceSend = false;
            if (retrans) {
                stats.retransmissions++;
            } else if (!timing) {
                timing = true;
                timedSeq = sndNxt;
                timedAt = now;
            }
            sndNxt += len + (fin ? 1 : 0);
            if (SeqNum.gt(sndNxt, sndMax)) {
                sndMax = sndNxt;
            }
            if (rtoDeadline == NEVER) {
                rtoDeadline = now + rtt.rto();
            }
            if (fin) {
                break;
            }
        }
        forceSend = false;
        // RFC 9293 3.8.6.1 zero-window probing, and the sender SWS override timeout
        // (3.8.6.2.1): data waiting, nothing in flight, yet nothing could be sent.
        boolean waiting = sendQueued() - (sndNxt - sndUna) > 0;
        if (waiting && sndMax == sndUna) {
            if (persistDeadline == NEVER) {
                persistInterval = Math.max(rtt.rto(), TcpConstants.MIN_PERSIST_NANOS);
                persistDeadline = now + persistInterval;
            }
        } else {
            persistDeadline = NEVER;
        }
    }

    /** Resends the first unacknowledged segment without moving SND.NXT (fast retransmit, partial ACK). */
    private void retransmitFirst() {
        int queued = sendQueued();
        int len = Math.min(queued, sendMss);
        int outstanding = sndMax - sndUna;
        len = Math.min(len, outstanding);
        boolean fin = finQueued && len == queued && outstanding > len;
        if (len == 0 && !fin) {
            return;
        }
        sendSegment(sndUna, FLAG_ACK | (fin ? FLAG_FIN : 0), 0, len, true);
        stats.retransmissions++;
        timing = false; // Karn
        if (SeqNum.lt(sndNxt, sndUna + len + (fin ? 1 : 0))) {
            sndNxt = sndUna + len + (fin ? 1 : 0);
        }
    }

    private void sendSegment(int seq, int flags, int dataOff, int len, boolean withData) {
        long wnd = advertisedWindow();
        layer.writeAndSend(key.localAddr, key.remoteAddr, localBytes, remoteBytes, key.localPort, key.remotePort,
                seq, rcvNxt, flags, (int) (wnd >> rcvShift), -1, -1, withData ? sendQ : null, dataOff, len);
        if ((flags & FLAG_ACK) != 0) {
            ackSent(wnd);
        }
    }

    /**
     * Receive window to advertise. Receiver-side SWS avoidance (RFC 9293 3.8.6.2.2): the
     * right edge only moves once it can move by min(buffer/2, MSS); it never moves left.
     */
    private long advertisedWindow() {
        long free = appClosed ? recvQ.capacity() : receiveFree();
        long current = Math.max(0, lastEdge - rcvNxt);
        long wnd = free - current >= Math.min(recvQ.capacity() / 2, ourMss) ? free : Math.min(current, free);
        long max = 0xFFFFL << rcvShift;
        return (Math.min(wnd, max) >> rcvShift) << rcvShift;
    }

    private void ackSent(long wnd) {
        ackNow = false;
        segsSinceAck = 0;
        delAckDeadline = NEVER;
        int edge = (int) (rcvNxt + wnd);
        if (SeqNum.gt(edge, lastEdge)) {
            lastEdge = edge;
        }
        synchronized (appLock) {
            appRoom = lastEdge - rcvNxt;
        }
    }

    /** Receiver-side SWS avoidance (RFC 9293 3.8.6.2.2): update the window once it grew by min(buffer/2, MSS). */
    private void windowUpdateAfterRead() {
        if (!state.receivesData()) {
            return;
        }
        // Like Linux: announce at once only if the window at least doubles (or was zero),
        // otherwise the next ACK carries it; this keeps delayed ACKs effective.
        long current = Math.max(0, lastEdge - rcvNxt);
        long wnd = advertisedWindow();
        if (SeqNum.gt((int) (rcvNxt + wnd), lastEdge) && wnd >= 2 * current) {
            ackNow = true;
            output();
        }
    }

    /** End of a receive batch: ACK the segments it brought unless an ACK already left. */
    private void onBatchEnd() {
        batchAckQueued = false;
        if (state != TcpState.CLOSED && segsSinceAck >= TcpConstants.ACK_EVERY_SEGMENTS) {
            ackNow = true;
            output();
        }
    }

    // ================================================================ timers

    private void onTimer() {
        timer = null;
        armedAt = NEVER;
        if (state == TcpState.CLOSED) {
            return;
        }
        try {
            long now = loop.nanoTime();
            if (stateDeadline <= now) {
                stateDeadline = NEVER;
                if (state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
                    terminate(null);
                    fire();
                    return;
                }
            }
            if (rtoDeadline <= now) {
                rtoDeadline = NEVER;
                retransmitTimeout(now);
                if (state == TcpState.CLOSED) {
                    fire();
                    return;
                }
            }
            if (persistDeadline <= now) {
                persistDeadline = NEVER;
                zeroWindowProbe(now);
            }
            if (delAckDeadline <= now) {
                ackNow = true;
            }
            output();
        } catch (RuntimeException e) {
            layer.internalError("timer " + key, e);
        }
    }

    /**
     * The path under this connection changed and carries packets again (a move of either end,
     * paper section 4.2; the node calls this when the tunnel is known to work at the new
     * position). Segments sent while the old path was dying were lost, and their retransmission
     * timer may be backed off to seconds: waiting it out would stall the application long after
     * the tunnel is back. As draft-schuetz-tcpm-tcp-rlci ("TCP Response to Lower-Layer
     * Connectivity-Change Indications") proposes, retransmit from SND.UNA now and forget the
     * backoff; the congestion state restarts from the loss window as after a timeout (RFC 5681
     * section 3.1), since the new path's capacity is unknown. Nothing outstanding: nothing to do
     * (the peer's own stack answers its own move notice).
     */
    public void pathResumed() {
        if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
            return;
        }
        try {
            boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
            if (!handshake && sndUna == sndMax) {
                if (persistDeadline != NEVER) { // zero-window probing: probe the new path now
                    persistInterval = TcpConstants.MIN_PERSIST_NANOS;
                    persistDeadline = loop.nanoTime();
                    updateTimer();
                }
                return;
            }
            stats.pathResumes++;
            rtt.clearBackoff();
            retransmitCount = 0; // a fresh start on the new path: the give-up count restarts too
            resendFromUna(loop.nanoTime(), true); // not a timer expiry: no backoff, not a timeout
            output();
        } catch (RuntimeException e) {
            layer.internalError("pathResumed " + key, e);
        }
    }

    /** RFC 6298 section 5 and RFC 5681 section 3.1 (loss window), go-back-N from SND.UNA. */
    private void retransmitTimeout(long now) {
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (!handshake && sndUna == sndMax) {
            return;
        }
        retransmitCount++;
        int limit = handshake ? cfg.maxSynRetransmissions : cfg.maxRetransmissions;
        if (retransmitCount > limit) {
            stats.timeouts++;
            terminate(Failure.TIMED_OUT);
            return;
        }
        stats.timeouts++;
        rtt.backOff();
        resendFromUna(now, retransmitCount == 1);
    }

    /**
     * Resends the SYN, or goes back to SND.UNA with the loss window (RFC 5681 section 3.1), and
     * re-arms the retransmission timer with the current RTO. {@code firstLoss}: halve ssthresh
     * to the flight (RFC 5681 equation 4), done once per loss episode, not per backoff.
     */
    private void resendFromUna(long now, boolean firstLoss) {
        stats.retransmissions++;
        timing = false; // Karn
        if (state == TcpState.SYN_SENT) {
            sendSyn(false);
        } else if (state == TcpState.SYN_RECEIVED) {
            sendSyn(true);
        } else {
            long flight = (sndMax - sndUna) & 0xFFFFFFFFL;
            if (firstLoss) {
                ssthresh = Math.max(flight / 2, 2L * sendMss); // RFC 5681 equation 4
            }
            cwnd = sendMss;
            inRecovery = false;
            dupAcks = 0;
            recover = sndMax; // RFC 6582 section 3.2 step 4 note on timeouts
            sndNxt = sndUna;
            stats.retransmissions--; // counted by retransmitFirst
            retransmitFirst();
        }
        rtoDeadline = now + rtt.rto();
    }

    private void zeroWindowProbe(long now) {
        if (sendQueued() == 0 || sndMax != sndUna) {
            return;
        }
        if (sndWnd > 0) {
            forceSend = true; // SWS override: send what the window allows
            return;
        }
        stats.zeroWindowProbes++;
        sendSegment(sndUna, FLAG_ACK, 0, 1, true);
        probeSent = true;
        persistInterval = Math.min(persistInterval * 2, TcpConstants.MAX_PERSIST_NANOS);
        persistDeadline = now + persistInterval;
    }

    private void enterTimeWait() {
        setState(TcpState.TIME_WAIT);
        rtoDeadline = NEVER;
        persistDeadline = NEVER;
        stateDeadline = loop.nanoTime() + 2 * cfg.mslNanos;
    }

    private void updateTimer() {
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

    // ================================================================ state

    private void setState(TcpState s) {
        state = s;
        if (s.synchronizedState()) {
            wasEstablished = true;
        }
        publishApp();
    }

    private void terminate(Failure f) {
        boolean wasHalfOpen = listener != null && state == TcpState.SYN_RECEIVED;
        if (failure == null) {
            failure = f;
        }
        state = TcpState.CLOSED;
        rtoDeadline = delAckDeadline = persistDeadline = stateDeadline = NEVER;
        if (timer != null) {
            timer.cancel();
            timer = null;
            armedAt = NEVER;
        }
        layer.unregister(this);
        if (wasHalfOpen) {
            listener.halfOpenFailed();
            listener = null;
        }
        publishApp();
    }

    private void fire() {
        Runnable cb = callback;
        if (cb != null) {
            cb.run();
        }
    }

    private IOException failureException() {
        switch (failure) {
            case REFUSED:
                return new ConnectException("Connection refused by " + key.remoteAddr.getHostAddress() + ":"
                        + key.remotePort);
            case TIMED_OUT:
                return new SocketException("Connection timed out (" + key + ")");
            case ABORTED:
                return new SocketException("Socket closed");
            case RESET:
            default:
                return new SocketException("Connection reset");
        }
    }

    // ================================================================ ring access (loop)

    /** Bytes in the send queue; application threads may append meanwhile, never remove. */
    private int sendQueued() {
        synchronized (appLock) {
            return sendQ.size();
        }
    }

    /** Room in the receive queue; application threads may read meanwhile, which only adds room. */
    private int receiveFree() {
        synchronized (appLock) {
            return recvQ.free();
        }
    }

    /** Tells waiting application threads what they may do now; wakes them when it changed. */
    private void publishApp() {
        boolean writable = state.sendsData() && !outputShutdown && !appClosed && failure == null;
        boolean ended = finReceived || state == TcpState.CLOSED;
        synchronized (appLock) {
            if (writable != appWritable || ended != appEnded) {
                appWritable = writable;
                appEnded = ended;
                if (readWanted || writeWanted) {
                    readWanted = false;
                    writeWanted = false;
                    appLock.notifyAll();
                }
            }
        }
    }

    // ================================================================ application threads (NtmSocket)

    /**
     * Application thread, {@link #appLock} held: copies received bytes (count > 0), 0 when
     * none are there yet, {@link #ASK_LOOP} when the stream ended or failed (the loop's
     * {@link #read} says which). Asks the loop for a window update only when the read opened
     * the window enough for {@link #windowUpdateAfterRead} to send one.
     */
    int appRead(byte[] dst, int off, int len) {
        int n = recvQ.read(dst, off, len);
        if (n == 0) {
            return appEnded ? ASK_LOOP : 0;
        }
        long free = recvQ.free();
        long room = Math.max(0, appRoom);
        if (free - room >= Math.min(recvQ.capacity() / 2, ourMss) && free >= 2 * room
                && windowQueued.compareAndSet(false, true)) {
            loop.execute(windowTask);
        }
        return n;
    }

    /** Application thread, {@link #appLock} held: bytes that {@link #appRead} returns at once. */
    int appAvailable() {
        return recvQ.size();
    }

    /**
     * Application thread, {@link #appLock} held: queues bytes (count > 0), 0 when the queue
     * is full, {@link #ASK_LOOP} when the connection takes no data now (the loop's
     * {@link #write} says why). Call {@link #appFlush} after releasing the lock.
     */
    int appWrite(byte[] src, int off, int len) {
        if (!appWritable) {
            return ASK_LOOP;
        }
        return sendQ.write(src, off, len);
    }

    /** Application thread, after {@link #appWrite} queued bytes: one pending output task per connection. */
    void appFlush() {
        if (flushQueued.compareAndSet(false, true)) {
            loop.execute(flushTask);
        }
    }

    /** Application thread, {@link #appLock} held: sleeps until data arrives or the stream ends (0 = no limit). */
    void appAwaitReadable(long millis) throws InterruptedException {
        readWanted = true;
        appLock.wait(millis);
    }

    /** Application thread, {@link #appLock} held: sleeps until a third of the send queue is free or writing ends. */
    void appAwaitWritable() throws InterruptedException {
        writeWanted = true;
        appLock.wait();
    }

    /** Any thread: wakes every application thread sleeping on this connection (socket closed, input shut down). */
    void appWakeAll() {
        synchronized (appLock) {
            appLock.notifyAll();
        }
    }

    /** The exception the blocking API throws for this connection's failure, or null. */
    IOException failureAsException() {
        return failure == null ? null : failureException();
    }
}
