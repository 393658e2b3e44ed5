package org.ntmlab.pcap.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.pcap.SeedCorpus;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the frame decoder behind the capture reader (link,
 * IPv4/IPv6 with extension headers, UDP/TCP/ICMP, then DHCP, DNS and the NTM header). Input
 * byte 0 picks the link type, bit 7 of it marks the frame as snapped (shorter than on the
 * wire); the rest is the frame. {@link PacketDecoder#decode} counts a bad header by layer and
 * moves on; it also catches RuntimeExceptions (counted under {@code decoder}) so that a decoder
 * bug cannot stop a capture from being read, and any such count here is a bug.
 */
class PacketDecoderFuzzTest {

    static final List<Integer> LINK_TYPES = List.of(LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2,
            LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL);

    @FuzzTest
    void frame(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int linkType = LINK_TYPES.get((input[0] & 0x7F) % LINK_TYPES.size());
        byte[] data = Arrays.copyOfRange(input, 1, input.length);
        int original = (input[0] & 0x80) != 0 ? data.length + 100 : data.length;
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = decoder.decode(new CapturedFrame(1, 0, linkType, original, data, 0));
        assertNull(decoder.stats().malformed().get("decoder"), () -> "decoder bug: " + p.malformed());
        assertEquals(1L, decoder.stats().seen("frames", 0));
    }

    static Map<String, byte[]> seeds() {
        InetAddress a4 = SyntheticPackets.addr("192.0.2.10");
        InetAddress b4 = SyntheticPackets.addr("198.51.100.1");
        InetAddress a6 = SyntheticPackets.addr("2001:db8::1");
        InetAddress b6 = SyntheticPackets.addr("2001:db8::2");
        byte[] ntm = new byte[20 + 24];
        ntm[0] = 1;
        ntm[1] = 0x01; // REGISTER
        byte[] register = SyntheticPackets.udp(a4, b4, 40000, 7000, ntm);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("ethernet-udp-ntm", seed(LinkType.ETHERNET,
                SyntheticPackets.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", SyntheticPackets.ip(a4, b4,
                        SyntheticPackets.PROTO_UDP, register))));
        seeds.put("sll2-dns-query", seed(LinkType.LINUX_SLL2, SyntheticPackets.sll2(2, 4, "02:00:00:00:00:01",
                SyntheticPackets.ip(a6, b6, SyntheticPackets.PROTO_UDP, SyntheticPackets.udp(a6, b6, 53000, 53,
                        SyntheticPackets.dnsResponse(7, "bob.ntm.example", 28, b6))))));
        seeds.put("sll-dhcp", seed(LinkType.LINUX_SLL, SyntheticPackets.sll(0, "02:00:00:00:00:01",
                SyntheticPackets.ip(SyntheticPackets.addr("0.0.0.0"), SyntheticPackets.addr("255.255.255.255"),
                        SyntheticPackets.PROTO_UDP, SyntheticPackets.udp(SyntheticPackets.addr("0.0.0.0"),
                                SyntheticPackets.addr("255.255.255.255"), 68, 67, SyntheticPackets.dhcp(1, 1,
                                        0x1234, "02:00:00:00:00:01", null, a4, null))))));
        seeds.put("raw-ipv6-ext-icmp", seed(LinkType.RAW, SyntheticPackets.ipv6(a6, b6, SyntheticPackets.PROTO_ICMPV6,
                SyntheticPackets.icmpEcho(a6, b6, true, 1, 1), SyntheticPackets.EXT_HOP_BY_HOP,
                SyntheticPackets.EXT_DEST_OPTS)));
        seeds.put("ipv4-tcp", seed(LinkType.IPV4, SyntheticPackets.ip(a4, b4, SyntheticPackets.PROTO_TCP,
                SyntheticPackets.tcp(a4, b4, 40000, 80, 1, 0, 0x02, new byte[0]))));
        return seeds;
    }

    private static byte[] seed(int linkType, byte[] frame) {
        byte[] out = new byte[1 + frame.length];
        out[0] = (byte) LINK_TYPES.indexOf(linkType);
        System.arraycopy(frame, 0, out, 1, frame.length);
        return out;
    }

    @Test
    void seedCorpusIsCommitted() {
        SeedCorpus.check(PacketDecoderFuzzTest.class, "frame", seeds());
    }
}
