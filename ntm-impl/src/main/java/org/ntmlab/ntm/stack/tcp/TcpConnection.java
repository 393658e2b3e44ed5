package org.ntmlab.ntm.stack.tcp;

import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_RST;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * One TCP connection: the transmission control block (RFC 9293 3.3.1), the state machine
 * and the user calls of RFC 9293 3.10.1-3.10.6 (OPEN, SEND, RECEIVE, CLOSE, ABORT, STATUS).
 * Loop-thread protocol only; the rest of the connection is one class per concern, each
 * working on this TCB on the same thread:
 * <ul>
 *   <li>{@link SegmentArrives}: RFC 9293 3.10.7 SEGMENT ARRIVES, the eight steps of 3.10.7.4
 *       (RFC 5961 challenge ACKs), reassembly and the ACK policy</li>
 *   <li>{@link TcpSender}: what to send now (windows, Nagle, SWS avoidance, FIN, ACKs)</li>
 *   <li>{@link TcpTimers}: RFC 9293 3.10.8 timeouts: retransmission (RFC 6298), persist,
 *       delayed ACK, TIME-WAIT; path resume</li>
 *   <li>{@link NewReno}: RFC 5681 / RFC 6582 congestion control</li>
 *   <li>{@link SocketBuffers}: the send and receive queues and the lock that
 *       {@link NtmSocket}'s application threads share with the loop</li>
 * </ul>
 * The non-blocking methods here ({@link #read}, {@link #write}, {@link #shutdownOutput},
 * {@link #close}) are for code on the loop.
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

    final TcpLayer layer;
    final ConnKey key;
    final byte[] localBytes;
    final byte[] remoteBytes;
    final EventLoop loop;
    final TcpConfig cfg;
    final TcpStats stats;
    TcpListener listener;

    // the parts of the connection (see the class comment)
    final SocketBuffers buffers;
    final NewReno congestion = new NewReno();
    final TcpTimers timers;
    final TcpSender sender;
    final SegmentArrives arrivals;

    TcpState state = TcpState.CLOSED;
    Failure failure;

    // send sequence space (RFC 9293 3.3.1); sndMax is the highest sequence number sent (BSD snd_max)
    int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    long sndWnd;
    int sndWl1;
    int sndWl2;
    long maxSndWnd;
    boolean synUnacked;
    boolean finQueued;
    boolean finAcked;
    boolean probeSent;

    // receive sequence space
    int irs;
    int rcvNxt;
    boolean finReceived;
    /** RCV.NXT + RCV.WND as last advertised; never moved left (RFC 9293 3.8.6.2.2). */
    int lastEdge;

    // options
    final int ourMss;
    int sendMss;
    final int ourShift;
    int sndShift;
    int rcvShift;
    int peerWscale = -1;

    // RTT (RFC 6298) with Karn's algorithm
    final RttEstimator rtt;
    boolean timing;
    int timedSeq;
    long timedAt;
    int retransmitCount;

    // ACK generation (RFC 5681 4.2, RFC 9293 3.8.6.3)
    int segsSinceAck;
    boolean ackNow;

    // application side
    boolean noDelay;
    boolean appClosed;
    private boolean outputShutdown;
    private Runnable callback;
    private boolean accepted;
    private boolean wasEstablished;
    /** The persist timer's SWS override: send what the window allows, even a small segment. */
    boolean forceSend;

    TcpConnection(TcpLayer layer, ConnKey key, TcpListener listener) {
        this.layer = layer;
        this.key = key;
        this.listener = listener;
        this.loop = layer.loop();
        this.cfg = layer.config();
        this.stats = layer.stats();
        this.localBytes = key.localAddr.getAddress();
        this.remoteBytes = key.remoteAddr.getAddress();
        this.ourMss = layer.mssFor(key.remoteAddr);
        this.sendMss = ourMss;
        int shift = 0;
        while (shift < TcpConstants.MAX_WSCALE && (cfg.receiveBufferSize >> shift) > 0xFFFF) {
            shift++;
        }
        this.ourShift = cfg.windowScaling ? shift : -1;
        this.rtt = new RttEstimator(cfg.initialRtoNanos, cfg.minRtoNanos, cfg.maxRtoNanos);
        this.noDelay = cfg.noDelay;
        this.timers = new TcpTimers(this, loop);
        this.sender = new TcpSender(this, loop);
        this.arrivals = new SegmentArrives(this, loop, stats);
        this.buffers = new SocketBuffers(loop, cfg.sendBufferSize, cfg.receiveBufferSize, ourMss, sender::output,
                sender::windowUpdateAfterRead);
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
        return congestion.cwnd();
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
            sender.output();
        }
    }

    /** True once the handshake completed (the connection may since have closed). */
    public boolean isConnected() {
        return wasEstablished;
    }

    /** Bytes that {@link #read} returns without waiting. */
    public int available() {
        return buffers.receiveQueued();
    }

    /** True when the peer's FIN was received and all data before it was read. */
    public boolean atEof() {
        return finReceived && available() == 0;
    }

    /** Room in the send queue. */
    public int writable() {
        return buffers.sendFree();
    }

    /** Bytes queued but not yet acknowledged by the peer. */
    public int unacknowledged() {
        return buffers.sendQueued();
    }

    /**
     * Copies received bytes to {@code dst}. Returns the count, 0 when nothing is there yet,
     * -1 at end of stream; throws when the connection was reset or timed out.
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        int n = buffers.read(dst, off, len);
        if (n > 0) {
            sender.windowUpdateAfterRead();
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
        int n = buffers.write(src, off, len);
        if (n > 0) {
            sender.output();
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
        sender.output();
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
            timers.stateDeadline = loop.nanoTime() + cfg.finWait2TimeoutNanos;
            timers.update();
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
                sender.sendSegment(sndMax, FLAG_RST | FLAG_ACK, 0, 0, false);
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
        return this + " una=" + sndUna + " nxt=" + sndNxt + " max=" + sndMax + " sndWnd=" + sndWnd + " cwnd="
                + congestion.cwnd() + " sendQ=" + buffers.sendQ.size() + " rcvNxt=" + rcvNxt + " avail=" + available()
                + " probeSent=" + probeSent + " persist=" + timers.persistDeadline + " rto=" + timers.rtoDeadline
                + " retx=" + retransmitCount + " inRecovery=" + congestion.inRecovery();
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
     * (the peer's own stack answers its own move notice). Done by {@link TcpTimers}.
     */
    public void pathResumed() {
        timers.pathResumed();
    }

    // ================================================================ opening (RFC 9293 3.10.1 OPEN)

    void openActive() {
        chooseIss();
        setState(TcpState.SYN_SENT);
        sender.sendSynTimed(false);
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
        sender.sendSynTimed(true);
    }

    /** RFC 9293 3.4.1 / RFC 6528: the initial send sequence number; the SYN occupies ISS. */
    private void chooseIss() {
        iss = layer.newIss(localBytes, key.localPort, remoteBytes, key.remotePort);
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        congestion.start(iss);
        synUnacked = true;
    }

    /** The peer's SYN options: send MSS, window scaling (RFC 7323 2.2, both sides or neither), initial cwnd. */
    void takeSynOptions(TcpSegment seg) {
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
        congestion.initialWindow(sendMss);
    }

    void accepted() {
        accepted = true;
        listener = null;
    }

    /** RFC 9293 3.10.7 SEGMENT ARRIVES: see {@link SegmentArrives}. */
    void onSegment(TcpSegment seg) {
        arrivals.onSegment(seg);
    }

    // ================================================================ state

    void setState(TcpState s) {
        state = s;
        if (s.synchronizedState()) {
            wasEstablished = true;
        }
        publishApp();
    }

    void terminate(Failure f) {
        boolean wasHalfOpen = listener != null && state == TcpState.SYN_RECEIVED;
        if (failure == null) {
            failure = f;
        }
        state = TcpState.CLOSED;
        timers.stopAll();
        layer.unregister(this);
        if (wasHalfOpen) {
            listener.halfOpenFailed();
            listener = null;
        }
        publishApp();
    }

    /** Tells the loop-side application (the callback) that something changed. */
    void fire() {
        Runnable cb = callback;
        if (cb != null) {
            cb.run();
        }
    }

    /** Tells waiting application threads what they may do now ({@link SocketBuffers#publish}). */
    void publishApp() {
        boolean writable = state.sendsData() && !outputShutdown && !appClosed && failure == null;
        boolean ended = finReceived || state == TcpState.CLOSED;
        buffers.publish(writable, ended);
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

    /** The exception the blocking API throws for this connection's failure, or null. */
    IOException failureAsException() {
        return failure == null ? null : failureException();
    }
}
