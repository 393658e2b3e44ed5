package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.ntmlab.ntm.stack.InternetChecksum;

/**
 * A hand-driven remote end for smoltcp-style tests: feeds crafted segments into one
 * {@link TcpLayer} and queues whatever the layer sends back.
 */
final class RawPeer {
    static final InetAddress STACK = TestAddresses.v4("100.64.0.1");
    static final InetAddress PEER = TestAddresses.v4("100.64.0.2");

    final VirtualTimeLoop loop = new VirtualTimeLoop();
    final TcpLayer layer;
    final ArrayDeque<Captured> out = new ArrayDeque<>();
    final InetAddress stackAddr;
    final InetAddress peerAddr;

    RawPeer(TcpConfig cfg) {
        this(cfg, STACK, PEER);
    }

    RawPeer(TcpConfig cfg, InetAddress stackAddr, InetAddress peerAddr) {
        this.stackAddr = stackAddr;
        this.peerAddr = peerAddr;
        this.layer = new TcpLayer(loop, cfg, (s, d, seg) -> out.add(new Captured(loop.nanoTime(), s, d, seg)),
                remote -> stackAddr);
    }

    /** Sends a segment from the peer to the stack and runs what is due now. */
    void send(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] payload) {
        send(srcPort, dstPort, seq, ack, flags, window, -1, -1, payload);
    }

    void send(int srcPort, int dstPort, int seq, int ack, int flags, int window, int mss, int wscale,
              byte[] payload) {
        layer.onSegment(peerAddr, stackAddr,
                build(peerAddr, stackAddr, srcPort, dstPort, seq, ack, flags, window, mss, wscale, payload));
        loop.runFor(0);
    }

    /** Next segment the stack sent; fails if none. */
    Captured next() {
        Captured c = out.poll();
        if (c == null) {
            throw new AssertionError("stack sent nothing");
        }
        return c;
    }

    static ByteBuffer build(InetAddress src, InetAddress dst, int srcPort, int dstPort, int seq, int ack, int flags,
                            int window, int mss, int wscale, byte[] payload) {
        int opt = (mss >= 0 ? 4 : 0) + (wscale >= 0 ? 4 : 0);
        int len = 20 + opt + (payload == null ? 0 : payload.length);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        b.putShort((short) ((((20 + opt) / 4) << 12) | flags)).putShort((short) window).putInt(0);
        if (mss >= 0) {
            b.put((byte) 2).put((byte) 4).putShort((short) mss);
        }
        if (wscale >= 0) {
            b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) wscale);
        }
        if (payload != null) {
            b.put(payload);
        }
        long sum = InternetChecksum.pseudoHeader(src.getAddress(), dst.getAddress(), 6, len);
        sum = InternetChecksum.add(sum, b, 0, len);
        b.putShort(16, (short) InternetChecksum.finish(sum));
        b.flip();
        return b;
    }
}
