package org.ntmlab.ntm.stack.tcp;

import java.util.function.IntSupplier;

/**
 * Tunables of one {@link TcpLayer}. Immutable; build with {@link #builder()}. Defaults come
 * from {@link TcpConstants}.
 */
public final class TcpConfig {

    /** NTM header (docs/protocol.md, 20 bytes) plus the AEAD tag (16 bytes). */
    public static final int NTM_OVERHEAD = 20 + 16;

    final int mssV4;
    final int mssV6;
    final int sendBufferSize;
    final int receiveBufferSize;
    final boolean noDelay;
    final boolean windowScaling;
    final long initialRtoNanos;
    final long minRtoNanos;
    final long maxRtoNanos;
    final long delayedAckNanos;
    final long mslNanos;
    final long finWait2TimeoutNanos;
    final int maxRetransmissions;
    final int maxSynRetransmissions;
    final int defaultBacklog;
    final IntSupplier issSupplier;

    private TcpConfig(Builder b) {
        this.mssV4 = b.mssV4;
        this.mssV6 = b.mssV6;
        this.sendBufferSize = b.sendBufferSize;
        this.receiveBufferSize = b.receiveBufferSize;
        this.noDelay = b.noDelay;
        this.windowScaling = b.windowScaling;
        this.initialRtoNanos = b.initialRtoNanos;
        this.minRtoNanos = b.minRtoNanos;
        this.maxRtoNanos = b.maxRtoNanos;
        this.delayedAckNanos = b.delayedAckNanos;
        this.mslNanos = b.mslNanos;
        this.finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        this.maxRetransmissions = b.maxRetransmissions;
        this.maxSynRetransmissions = b.maxSynRetransmissions;
        this.defaultBacklog = b.defaultBacklog;
        this.issSupplier = b.issSupplier;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TcpConfig defaults() {
        return builder().build();
    }

    /**
     * MSS for an inner TCP connection carried in an NTM tunnel: link MTU minus the outer IP
     * header, UDP (8), the NTM header and tag ({@link #NTM_OVERHEAD}), the inner IP header and
     * the TCP header (20).
     */
    public static int mssForTunnel(int linkMtu, boolean outerIpv6, boolean innerIpv6) {
        int mss = linkMtu - (outerIpv6 ? 40 : 20) - 8 - NTM_OVERHEAD - (innerIpv6 ? 40 : 20)
                - TcpConstants.HEADER_LEN;
        if (mss < 64) {
            throw new IllegalArgumentException("link MTU " + linkMtu + " leaves no room for TCP (mss " + mss + ")");
        }
        return mss;
    }

    public int mssV4() {
        return mssV4;
    }

    public int mssV6() {
        return mssV6;
    }

    public int sendBufferSize() {
        return sendBufferSize;
    }

    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    public boolean noDelay() {
        return noDelay;
    }

    public long mslNanos() {
        return mslNanos;
    }

    public static final class Builder {
        private int mssV4 = mssForTunnel(1500, true, false);
        private int mssV6 = mssForTunnel(1500, true, true);
        // larger than the peer's window: a briefly descheduled writer does not drain the queue
        private int sendBufferSize = 1024 * 1024;
        private int receiveBufferSize = 256 * 1024;
        private boolean noDelay = false;
        private boolean windowScaling = true;
        private long initialRtoNanos = TcpConstants.INITIAL_RTO_NANOS;
        private long minRtoNanos = TcpConstants.MIN_RTO_NANOS;
        private long maxRtoNanos = TcpConstants.MAX_RTO_NANOS;
        private long delayedAckNanos = TcpConstants.DELAYED_ACK_NANOS;
        private long mslNanos = TcpConstants.MSL_NANOS;
        private long finWait2TimeoutNanos = TcpConstants.FIN_WAIT_2_TIMEOUT_NANOS;
        private int maxRetransmissions = TcpConstants.MAX_RETRANSMISSIONS;
        private int maxSynRetransmissions = TcpConstants.MAX_SYN_RETRANSMISSIONS;
        private int defaultBacklog = 128;
        private IntSupplier issSupplier;

        /** Sets both MSS values from the real link MTU (worst case: outer IPv6). */
        public Builder tunnelMtu(int linkMtu) {
            return mss(mssForTunnel(linkMtu, true, false), mssForTunnel(linkMtu, true, true));
        }

        /** MSS we announce and the largest segment we send, for inner IPv4 and inner IPv6. */
        public Builder mss(int ipv4, int ipv6) {
            if (ipv4 < 64 || ipv6 < 64 || ipv4 > 65495 || ipv6 > 65475) {
                throw new IllegalArgumentException("mss out of range: " + ipv4 + "/" + ipv6);
            }
            this.mssV4 = ipv4;
            this.mssV6 = ipv6;
            return this;
        }

        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = positive(bytes, "sendBufferSize");
            return this;
        }

        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = positive(bytes, "receiveBufferSize");
            return this;
        }

        /** Default of {@link TcpConnection#setNoDelay(boolean)} for new connections. */
        public Builder noDelay(boolean noDelay) {
            this.noDelay = noDelay;
            return this;
        }

        /** Offer the RFC 7323 window scale option. */
        public Builder windowScaling(boolean on) {
            this.windowScaling = on;
            return this;
        }

        public Builder rto(long initialNanos, long minNanos, long maxNanos) {
            if (minNanos <= 0 || minNanos > maxNanos || initialNanos < minNanos || initialNanos > maxNanos) {
                throw new IllegalArgumentException("rto bounds: initial=" + initialNanos + " min=" + minNanos
                        + " max=" + maxNanos);
            }
            this.initialRtoNanos = initialNanos;
            this.minRtoNanos = minNanos;
            this.maxRtoNanos = maxNanos;
            return this;
        }

        public Builder delayedAckNanos(long nanos) {
            this.delayedAckNanos = nanos;
            return this;
        }

        public Builder mslNanos(long nanos) {
            this.mslNanos = positive(nanos, "msl");
            return this;
        }

        public Builder finWait2TimeoutNanos(long nanos) {
            this.finWait2TimeoutNanos = positive(nanos, "finWait2Timeout");
            return this;
        }

        public Builder maxRetransmissions(int n, int syn) {
            this.maxRetransmissions = positive(n, "maxRetransmissions");
            this.maxSynRetransmissions = positive(syn, "maxSynRetransmissions");
            return this;
        }

        public Builder defaultBacklog(int n) {
            this.defaultBacklog = positive(n, "backlog");
            return this;
        }

        /**
         * Replaces the RFC 6528 initial sequence number generator (tests use it to start near
         * 2^32 and check wrap-around).
         */
        public Builder issSupplier(IntSupplier supplier) {
            this.issSupplier = supplier;
            return this;
        }

        public TcpConfig build() {
            return new TcpConfig(this);
        }

        private static int positive(int v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0: " + v);
            }
            return v;
        }

        private static long positive(long v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0: " + v);
            }
            return v;
        }
    }
}
