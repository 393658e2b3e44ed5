package org.ntmlab.ntm.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transport checksums are skipped only for packets that came out of an authenticated tunnel
 * ({@link VirtualStack#inputFromTunnel}); {@link VirtualStack#input} checks them all.
 */
class VirtualStackTunnelInputTest {

    private static final byte[] US = {100, 64, 0, 1};
    private static final byte[] PEER = {100, 64, 0, 2};

    private final List<Boolean> tcpFlags = new ArrayList<>();
    private final List<Integer> udpDelivered = new ArrayList<>();
    private final VirtualStack stack = new VirtualStack(p -> { });

    VirtualStackTunnelInputTest() throws Exception {
        stack.setAddresses(InetAddress.getByAddress(US), InetAddress.getByName("fd00::1"));
        stack.setTcp((src, dst, seg, verified) -> tcpFlags.add(verified));
        stack.bindUdp(5000, (src, srcPort, dst, payload) -> udpDelivered.add(payload.remaining()));
    }

    /** An IPv4 packet with a transport header whose checksum is wrong. */
    private static ByteBuffer packet(int proto) {
        int l4 = proto == Ip.PROTO_UDP ? 8 + 10 : 20 + 10;
        ByteBuffer b = ByteBuffer.allocate(Ip.V4_HEADER + l4);
        int h = Ip.writeHeader(b, 0, PEER, US, proto, l4, 1);
        if (proto == Ip.PROTO_UDP) {
            b.putShort(h, (short) 4000).putShort(h + 2, (short) 5000).putShort(h + 4, (short) l4)
                    .putShort(h + 6, (short) 0x1234); // not the checksum of this datagram
        } else {
            b.putShort(h + 12, (short) (5 << 12)).putShort(h + 16, (short) 0x1234);
        }
        b.position(0).limit(Ip.V4_HEADER + l4);
        return b;
    }

    @Test
    void tcpChecksumLeftToTcpExceptForTunnelInput() {
        stack.input(packet(Ip.PROTO_TCP));
        stack.inputFromTunnel(packet(Ip.PROTO_TCP));
        assertThat(tcpFlags).containsExactly(false, true);
    }

    @Test
    void badUdpChecksumDroppedExceptForTunnelInput() {
        stack.input(packet(Ip.PROTO_UDP));
        assertThat(stack.counters().rxBadChecksum).isEqualTo(1);
        assertThat(udpDelivered).isEmpty();
        stack.inputFromTunnel(packet(Ip.PROTO_UDP));
        assertThat(udpDelivered).containsExactly(10);
        assertThat(stack.counters().rxBadChecksum).isEqualTo(1);
    }

    @Test
    void ipv4HeaderChecksumStillCheckedForTunnelInput() {
        ByteBuffer p = packet(Ip.PROTO_TCP);
        p.put(10, (byte) (p.get(10) ^ 1));
        stack.inputFromTunnel(p);
        assertThat(stack.counters().rxMalformed).isEqualTo(1);
        assertThat(tcpFlags).isEmpty();
    }
}
