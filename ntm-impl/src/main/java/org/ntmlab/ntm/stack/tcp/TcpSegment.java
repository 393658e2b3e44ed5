package org.ntmlab.ntm.stack.tcp;

import java.nio.ByteBuffer;

/**
 * A parsed view of one received segment (RFC 9293 section 3.1). One instance per layer is
 * reused for every segment; the payload stays in the caller's buffer.
 */
final class TcpSegment {
    int srcPort;
    int dstPort;
    int seq;
    int ack;
    int flags;
    int window;
    int headerLen;
    ByteBuffer buf;
    int payloadPos;
    int payloadLen;
    /** MSS option value, or -1 when absent. */
    int mss;
    /** Window scale shift, or -1 when absent. */
    int wscale;

    /**
     * Parses {@code segment} (position..limit). Returns false when the header is malformed:
     * shorter than 20 bytes, data offset below 5 or past the end. Options that are
     * malformed are ignored from that point on, as RFC 9293 3.1 asks (MUST-64).
     */
    boolean parse(ByteBuffer segment) {
        int base = segment.position();
        int len = segment.remaining();
        if (len < TcpConstants.HEADER_LEN) {
            return false;
        }
        srcPort = segment.getShort(base) & 0xFFFF;
        dstPort = segment.getShort(base + 2) & 0xFFFF;
        seq = segment.getInt(base + 4);
        ack = segment.getInt(base + 8);
        int offFlags = segment.getShort(base + 12) & 0xFFFF;
        headerLen = (offFlags >>> 12) * 4;
        flags = offFlags & 0x3F;
        window = segment.getShort(base + 14) & 0xFFFF;
        if (headerLen < TcpConstants.HEADER_LEN || headerLen > len) {
            return false;
        }
        buf = segment;
        payloadPos = base + headerLen;
        payloadLen = len - headerLen;
        mss = -1;
        wscale = -1;
        parseOptions(segment, base + TcpConstants.HEADER_LEN, base + headerLen);
        return true;
    }

    private void parseOptions(ByteBuffer b, int i, int end) {
        while (i < end) {
            int kind = b.get(i) & 0xFF;
            if (kind == TcpConstants.OPT_END) {
                return;
            }
            if (kind == TcpConstants.OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return;
            }
            int optLen = b.get(i + 1) & 0xFF;
            if (optLen < 2 || i + optLen > end) {
                return;
            }
            if (kind == TcpConstants.OPT_MSS && optLen == 4) {
                mss = b.getShort(i + 2) & 0xFFFF;
            } else if (kind == TcpConstants.OPT_WSCALE && optLen == 3) {
                // RFC 7323 2.3: shift counts above 14 are used as 14.
                wscale = Math.min(b.get(i + 2) & 0xFF, TcpConstants.MAX_WSCALE);
            }
            i += optLen;
        }
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: payload plus one for SYN and one for FIN. */
    int seqLen() {
        return payloadLen + (has(TcpConstants.FLAG_SYN) ? 1 : 0) + (has(TcpConstants.FLAG_FIN) ? 1 : 0);
    }

    @Override
    public String toString() {
        return TcpFlags.describe(flags) + " " + srcPort + ">" + dstPort + " seq=" + Integer.toUnsignedString(seq)
                + " ack=" + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payloadLen;
    }
}
