package org.ntmlab.ntm.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.SeedCorpus;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.stack.tcp.TcpConfig;
import org.ntmlab.ntm.stack.tcp.TcpLayer;
import org.ntmlab.ntm.stack.tcp.VirtualTimeLoop;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the virtual stack's IPv4/IPv6 input with UDP,
 * ICMP/ICMPv6 echo and TCP (a {@link TcpLayer} listening on port 80) above it, as a node runs
 * it. Input byte 0 says how the packet arrives: bit 0 out of an authenticated tunnel
 * ({@link VirtualStack#inputFromTunnel}, transport checksums not checked) or not; bit 1 with
 * the IPv4 header and transport checksums made right first, so the fuzzer gets past them. The
 * rest is the packet, at most what a tunnel datagram carries. The stack must count and drop
 * what it does not take, never throw; each packet it sends is a well-formed IPv4 or IPv6 packet
 * from our own address of that family, checksums right.
 */
class VirtualStackFuzzTest {

    static final InetAddress US4 = address("100.64.0.1");
    static final InetAddress US6 = address("fd00::1");
    static final InetAddress PEER4 = address("100.64.0.2");
    static final InetAddress PEER6 = address("fd00::2");
    static final int UDP_PORT = 7;
    static final int MAX_PACKET = ProtocolConstants.Node.DATAGRAM_BUFFER_BYTES;

    /** The packet being fed: whatever the stack sends is an answer to its sender. */
    private byte[] current;

    @FuzzTest
    void packet(byte[] input) throws IOException {
        if (input.length == 0 || input.length > MAX_PACKET + 1) {
            return;
        }
        byte[] p = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & 2) != 0) {
            fixChecksums(p);
        }
        current = p;
        // a fresh stack per input: what one input leaves behind (half-open connections) cannot
        // make another input's outcome depend on the order they ran in
        VirtualTimeLoop loop = new VirtualTimeLoop();
        VirtualStack stack = new VirtualStack(this::sent);
        stack.setAddresses(US4, US6);
        TcpLayer tcp = new TcpLayer(loop, TcpConfig.builder().issSupplier(() -> 10_000).build(),
                (src, dst, seg) -> stack.sendTransport(Ip.PROTO_TCP, src, dst, seg), stack::sourceFor);
        stack.setTcp(tcp::onSegment);
        tcp.listen(80);
        // a UDP echo, as the node's own echo service answers
        stack.bindUdp(UDP_PORT, (src, srcPort, dst, payload) -> stack.sendUdp(UDP_PORT, src, srcPort, payload));
        stack.setEchoListener((from, id, seq, data) -> { });
        if ((input[0] & 1) != 0) {
            stack.inputFromTunnel(ByteBuffer.wrap(p));
        } else {
            stack.input(ByteBuffer.wrap(p));
        }
        loop.runFor(0);
        assertEquals(0, tcp.internalErrors(), "internal errors in the TCP layer");
    }

    /** Every packet the stack sends: well-formed, from us, checksums right. */
    private void sent(ByteBuffer packet) {
        int at = packet.position();
        int len = packet.remaining();
        byte[] raw = new byte[len];
        packet.duplicate().get(raw);
        String hex = HexFormat.of().formatHex(raw);
        assertTrue(len >= 1, "empty packet");
        int version = Ip.version(packet, at);
        assertTrue(version == 4 || version == 6, "version " + version + ": " + hex);
        int hl = version == 4 ? Ip.V4_HEADER : Ip.V6_HEADER;
        assertTrue(len >= hl, "shorter than its header: " + hex);
        assertEquals(len, Ip.totalLength(packet, at), "length field: " + hex);
        if (version == 4) {
            assertEquals(0, InternetChecksum.finish(InternetChecksum.add(0, packet, at, hl)), "IPv4 checksum: " + hex);
        }
        byte[] src = new byte[Ip.addressLength(packet, at)];
        packet.get(Ip.srcOffset(packet, at), src);
        assertArrayEquals((version == 4 ? US4 : US6).getAddress(), src, "source address: " + hex);
        ByteBuffer in = ByteBuffer.wrap(current);
        assertEquals(Ip.version(in, 0), version, "answer in another IP version than the packet: " + hex);
        byte[] dst = new byte[src.length];
        packet.get(Ip.dstOffset(packet, at), dst);
        byte[] sender = new byte[src.length];
        in.get(Ip.srcOffset(in, 0), sender);
        assertArrayEquals(sender, dst, "destination is not the packet's sender: " + hex);
        int proto = Ip.protocol(packet, at);
        int l4len = len - hl;
        long sum = proto == Ip.PROTO_ICMP ? 0 : Ip.pseudoHeaderSum(packet, at, proto, l4len);
        assertEquals(0, InternetChecksum.finish(InternetChecksum.add(sum, packet, at + hl, l4len)),
                "protocol " + proto + " checksum: " + hex);
        assertTrue(proto == (version == 4 ? Ip.PROTO_ICMP : Ip.PROTO_ICMPV6) || proto == Ip.PROTO_UDP
                || proto == Ip.PROTO_TCP, "protocol " + proto + " in IPv" + version + ": " + hex);
    }

    /** Writes the IPv4 header checksum and the transport checksum where the lengths allow. */
    static void fixChecksums(byte[] p) {
        if (p.length < 1) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(p);
        int version = Ip.version(b, 0);
        int hl;
        int l4len;
        if (version == 4) {
            hl = (p[0] & 0x0F) * 4;
            if (hl < Ip.V4_HEADER || hl > p.length) {
                return;
            }
            b.putShort(10, (short) 0);
            b.putShort(10, (short) InternetChecksum.finish(InternetChecksum.add(0, b, 0, hl)));
            l4len = Math.min(Ip.totalLength(b, 0), p.length) - hl;
        } else if (version == 6 && p.length >= Ip.V6_HEADER) {
            hl = Ip.V6_HEADER;
            l4len = Math.min(Ip.totalLength(b, 0), p.length) - hl;
        } else {
            return;
        }
        int proto = Ip.protocol(b, 0);
        int at = switch (proto) {
            case Ip.PROTO_UDP -> 6;
            case Ip.PROTO_TCP -> 16;
            case Ip.PROTO_ICMP, Ip.PROTO_ICMPV6 -> 2;
            default -> -1;
        };
        if (at < 0 || l4len < at + 2) {
            return;
        }
        b.putShort(hl + at, (short) 0);
        long sum = proto == Ip.PROTO_ICMP ? 0 : Ip.pseudoHeaderSum(b, 0, proto, l4len);
        b.putShort(hl + at, (short) InternetChecksum.finish(InternetChecksum.add(sum, b, hl, l4len)));
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        seeds.put("udp4-echo", seed(3, PEER4, US4, Ip.PROTO_UDP, udp(4000, UDP_PORT, hello)));
        seeds.put("udp6-echo", seed(3, PEER6, US6, Ip.PROTO_UDP, udp(4000, UDP_PORT, hello)));
        seeds.put("icmp4-echo-request", seed(2, PEER4, US4, Ip.PROTO_ICMP, icmp(8, hello)));
        seeds.put("icmp6-echo-request", seed(2, PEER6, US6, Ip.PROTO_ICMPV6, icmp(128, hello)));
        seeds.put("icmp4-echo-reply", seed(3, PEER4, US4, Ip.PROTO_ICMP, icmp(0, hello)));
        seeds.put("tcp4-syn", seed(2, PEER4, US4, Ip.PROTO_TCP, tcpSyn()));
        seeds.put("tcp6-syn-tunnel", seed(1, PEER6, US6, Ip.PROTO_TCP, tcpSyn()));
        return seeds;
    }

    private static byte[] seed(int mode, InetAddress src, InetAddress dst, int proto, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(1 + Ip.V6_HEADER + l4.length);
        b.put(0, (byte) mode);
        int hl = Ip.writeHeader(b, 1, src.getAddress(), dst.getAddress(), proto, l4.length, 1);
        b.put(1 + hl, l4);
        byte[] out = Arrays.copyOf(b.array(), 1 + hl + l4.length);
        byte[] packet = Arrays.copyOfRange(out, 1, out.length);
        fixChecksums(packet);
        System.arraycopy(packet, 0, out, 1, packet.length);
        return out;
    }

    private static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putShort((short) srcPort).putShort((short) dstPort)
                .putShort((short) (8 + payload.length)).putShort((short) 0).put(payload).array();
    }

    private static byte[] icmp(int type, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).put((byte) type).put((byte) 0).putShort((short) 0)
                .putShort((short) 0x4e54).putShort((short) 1).put(data).array();
    }

    private static byte[] tcpSyn() {
        return ByteBuffer.allocate(24).putShort((short) 4000).putShort((short) 80).putInt(5000).putInt(0)
                .putShort((short) (6 << 12 | 0x02)).putShort((short) 65535).putInt(0)
                .put((byte) 2).put((byte) 4).putShort((short) 1200).array();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void seedCorpusIsCommitted() {
        SeedCorpus.check(VirtualStackFuzzTest.class, "packet", seeds());
    }
}
