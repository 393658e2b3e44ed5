package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** A segment seen on a test link, decoded for assertions. */
public final class Captured {
    public final long time;
    public final InetAddress src;
    public final InetAddress dst;
    public final int srcPort;
    public final int dstPort;
    public final int seq;
    public final int ack;
    public final int flags;
    public final int window;
    public final int mss;
    public final int wscale;
    public final byte[] payload;
    /** The whole segment as sent (header + payload). */
    public final byte[] raw;

    Captured(long time, InetAddress src, InetAddress dst, ByteBuffer segment) {
        this.time = time;
        this.src = src;
        this.dst = dst;
        this.raw = new byte[segment.remaining()];
        segment.duplicate().get(raw);
        TcpSegment s = new TcpSegment();
        if (!s.parse(ByteBuffer.wrap(raw))) {
            throw new AssertionError("stack emitted a malformed segment");
        }
        srcPort = s.srcPort;
        dstPort = s.dstPort;
        seq = s.seq;
        ack = s.ack;
        flags = s.flags;
        window = s.window;
        mss = s.mss;
        wscale = s.wscale;
        payload = new byte[s.payloadLen];
        System.arraycopy(raw, s.headerLen, payload, 0, s.payloadLen);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean syn() {
        return has(TcpConstants.FLAG_SYN);
    }

    public boolean fin() {
        return has(TcpConstants.FLAG_FIN);
    }

    public boolean rst() {
        return has(TcpConstants.FLAG_RST);
    }

    public boolean ackFlag() {
        return has(TcpConstants.FLAG_ACK);
    }

    /** Pure ACK: ACK set, no payload, no SYN/FIN/RST. */
    public boolean pureAck() {
        return flags == TcpConstants.FLAG_ACK && payload.length == 0;
    }

    @Override
    public String toString() {
        return "t=" + time / 1_000_000 + "ms " + src.getHostAddress() + ":" + srcPort + ">" + dst.getHostAddress() + ":"
                + dstPort + " " + TcpFlags.describe(flags) + " seq=" + Integer.toUnsignedString(seq) + " ack="
                + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payload.length;
    }
}
