package org.ntmlab.ntm.stack.tcp;

import java.util.concurrent.TimeUnit;

/**
 * Every protocol constant of the virtual TCP in one place, with its source. Defaults that a
 * deployment may want to change are copied into {@link TcpConfig}.
 */
public final class TcpConstants {

    private TcpConstants() {
    }

    /** IP protocol number of TCP (RFC 9293 section 3.1), used in the pseudo-header. */
    public static final int PROTOCOL = 6;

    /** Fixed TCP header length without options (RFC 9293 section 3.1). */
    public static final int HEADER_LEN = 20;
    /** Largest header: data offset is 4 bits of 32-bit words. */
    public static final int MAX_HEADER_LEN = 60;

    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;
    public static final int FLAG_URG = 0x20;

    /** Option kinds (RFC 9293 section 3.2, RFC 7323 section 2). */
    static final int OPT_END = 0;
    static final int OPT_NOP = 1;
    static final int OPT_MSS = 2;
    static final int OPT_WSCALE = 3;

    /** MSS assumed when the peer sends no MSS option: IPv4 536, IPv6 1220 (RFC 9293 3.7.1, RFC 8200 8.3). */
    static final int DEFAULT_MSS_V4 = 536;
    static final int DEFAULT_MSS_V6 = 1220;

    /** Largest shift count (RFC 7323 section 2.3). */
    static final int MAX_WSCALE = 14;

    /** Initial RTO before any RTT sample (RFC 6298 section 2.1). */
    public static final long INITIAL_RTO_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Lower bound of the RTO. RFC 6298 (2.4) says SHOULD be 1 s; like Linux we use 200 ms,
     * since the tunnel adds no queueing of its own and a move makes fast recovery matter.
     */
    public static final long MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Upper bound of the backed-off RTO (RFC 6298 section 2.5 allows >= 60 s). */
    public static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Clock granularity G of RFC 6298 section 2.2 (our clock is System.nanoTime). */
    static final long CLOCK_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Retransmissions of one segment before the connection is aborted (RFC 9293 3.8.3 R2, ~ 15 like Linux). */
    public static final int MAX_RETRANSMISSIONS = 15;
    /** SYN retransmissions before connect fails (RFC 9293 3.8.3: R2 for SYN >= 3 min; 1+2+..+64 s = 127 s here, Linux uses 6). */
    public static final int MAX_SYN_RETRANSMISSIONS = 6;

    /** Delayed-ACK timeout (RFC 9293 3.8.6.3 MUST < 0.5 s; RFC 5681 4.2). 40 ms as Linux's quick ack floor. */
    public static final long DELAYED_ACK_NANOS = TimeUnit.MILLISECONDS.toNanos(40);
    /** ACK at least every second full-sized segment (RFC 5681 section 4.2). */
    static final int ACK_EVERY_SEGMENTS = 2;
    /**
     * Segments of one receive batch that one cumulative ACK may cover: the second in-order
     * segment asks for an ACK at the end of the batch (the loop runs it after the datagrams
     * it read), not at once; past this many the ACK goes at once. Like Linux's one ACK per
     * GRO burst; RFC 5681 4.2 lets a receiver delay ACKs, but they must stay prompt.
     */
    static final int ACK_STRETCH_MAX_SEGMENTS = 16;

    /** Maximum segment lifetime. RFC 9293 3.4.2 says 2 min; 30 s (as many stacks) keeps ports free. */
    public static final long MSL_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long an orphaned (closed by the application) FIN-WAIT-2 waits for the peer's FIN, as Linux tcp_fin_timeout. */
    public static final long FIN_WAIT_2_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Persist (zero-window probe) timer bounds (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17). */
    static final long MIN_PERSIST_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long MAX_PERSIST_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Initial congestion window: min(10*MSS, max(2*MSS, 14600)) (RFC 6928). */
    static final int INITIAL_WINDOW_SEGMENTS = 10;
    /** Duplicate ACKs that trigger fast retransmit (RFC 5681 section 3.2). */
    static final int DUP_ACK_THRESHOLD = 3;

    /** Ephemeral port range (RFC 6335 section 6). */
    public static final int EPHEMERAL_LOW = 49152;
    public static final int EPHEMERAL_HIGH = 65535;

    /** Out-of-order ranges kept per connection; more holes than this and the segment is dropped. */
    static final int MAX_OOO_RANGES = 32;

    /** Minimum space the IP layer needs in front of a segment (IPv6 header). */
    public static final int IP_HEADROOM = 40;
}
