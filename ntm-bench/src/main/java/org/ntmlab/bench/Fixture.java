package org.ntmlab.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.stack.VirtualStack;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * The packet the paper's Table 2 times: one 1,024-byte UDP payload from a node's virtual
 * IPv4 address to its peer's, inside one NTM DATA message. Everything here is built once,
 * outside any timed code.
 */
final class Fixture {

    private Fixture() {
    }

    /** UDP payload size of the paper's measurement (section 5.2). */
    static final int PAYLOAD = 1024;
    /** IPv4 (20) + UDP (8) + payload: what the virtual stack hands to the tunnel layer. */
    static final int INNER = 20 + 8 + PAYLOAD;
    /** Large enough for any sealed datagram of the fixture (header + IV room + padding + tag). */
    static final int DATAGRAM_ROOM = 2048;
    /** Packets per invocation in the benchmarks that touch kernel sockets (see {@link KernelPair}). */
    static final int BATCH = 32;

    static final int LOCAL_PORT = 40000;
    static final int PEER_PORT = 5001;
    static final long TUNNEL_ID = 0x5A17_0000_0000_0001L;
    static final int FLAGS = NtmHeader.FLAG_INITIATOR;
    static final int TYPE = MessageType.DATA;
    /** Both ends of the benchmark tunnel derive the same direction key from this. */
    static final String LABEL = "ntm-bench i->r";

    static final InetAddress LOCAL_V4 = address(100, 64, 0, 1);
    static final InetAddress PEER_V4 = address(100, 64, 0, 2);

    /** Fixed so runs are comparable; the values do not change any timing. */
    static byte[] secret() {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (0xA5 ^ i * 7);
        }
        return s;
    }

    static TrafficKey key(CipherSuite suite) {
        return TrafficKey.derive(suite, secret(), LABEL);
    }

    /** A direct buffer holding the 1,024-byte application payload, position 0, limit 1,024. */
    static ByteBuffer payload() {
        ByteBuffer b = ByteBuffer.allocateDirect(PAYLOAD);
        for (int i = 0; i < PAYLOAD; i++) {
            b.put(i, (byte) (i * 31 + 7));
        }
        return b;
    }

    /**
     * The inner IPv4+UDP packet {@code from} sends to {@code to}, built by the real
     * {@link VirtualStack} and copied into its own direct buffer.
     */
    static ByteBuffer innerPacket(InetAddress from, InetAddress to, int srcPort, int dstPort) {
        ByteBuffer[] copy = new ByteBuffer[1];
        VirtualStack stack = new VirtualStack(ip -> {
            ByteBuffer c = ByteBuffer.allocateDirect(ip.remaining());
            c.put(ip).flip();
            copy[0] = c;
        });
        stack.setAddresses(from, null);
        if (!stack.sendUdp(srcPort, to, dstPort, payload())) {
            throw new IllegalStateException("virtual stack refused the fixture packet");
        }
        if (copy[0].remaining() != INNER) {
            throw new IllegalStateException("inner packet is " + copy[0].remaining() + " bytes, expected " + INNER);
        }
        return copy[0];
    }

    /** The inner packet sealed by {@code key} (next counter) into a new direct buffer, position 0. */
    static ByteBuffer sealed(TrafficKey key, ByteBuffer inner) {
        ByteBuffer out = ByteBuffer.allocateDirect(DATAGRAM_ROOM);
        ByteBuffer in = inner.duplicate();
        key.seal(out, TYPE, FLAGS, TUNNEL_ID, in);
        out.flip();
        ByteBuffer exact = ByteBuffer.allocateDirect(out.remaining());
        exact.put(out).flip();
        return exact;
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
