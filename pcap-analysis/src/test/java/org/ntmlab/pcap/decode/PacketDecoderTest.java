package org.ntmlab.pcap.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.pcap.synth.SyntheticPackets.addr;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;

import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.synth.SyntheticPackets;

class PacketDecoderTest {
    static final String MAC_A = "02:00:00:00:00:0a";
    static final String MAC_B = "02:00:00:00:00:0b";
    static final long TS = 1_700_000_000_000_000_000L;

    private final PacketDecoder decoder = new PacketDecoder();

    static CapturedFrame frame(int linkType, byte[] data) {
        return new CapturedFrame(1, TS, linkType, data.length, data, 0);
    }

    static CapturedFrame eth(byte[] ipPacket) {
        return frame(LinkType.ETHERNET, SyntheticPackets.ethernet(MAC_A, MAC_B, ipPacket));
    }

    @Test
    void ntmDataOverEthernetIpv4Udp() {
        byte[] ntm = SyntheticPackets.ntm(0x2F, NtmHeader.FLAG_RELAYED | NtmHeader.FLAG_INITIATOR, 0x8000_0000_0000_0042L, 7, 64);
        DecodedPacket p = decoder.decode(eth(SyntheticPackets.udpPacket(sock("10.0.0.2", 7200), sock("203.0.113.50", 7100), ntm)));
        assertThat(p.malformed()).isEmpty();
        assertThat(p.link().orElseThrow().source()).isEqualTo(MAC_A);
        assertThat(p.link().orElseThrow().dest()).isEqualTo(MAC_B);
        IpHeader ip = p.ip().orElseThrow();
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.source()).isEqualTo(addr("10.0.0.2"));
        assertThat(ip.fragment()).isFalse();
        assertThat(p.source()).isEqualTo(sock("10.0.0.2", 7200));
        assertThat(p.destination()).isEqualTo(sock("203.0.113.50", 7100));
        NtmHeader h = p.ntm().orElseThrow();
        assertThat(h.type()).isEqualTo(NtmMessageType.DATA);
        assertThat(h.typeName()).isEqualTo("DATA");
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.keyOrTunnelId()).isEqualTo(0x8000_0000_0000_0042L);
        assertThat(h.counter()).isEqualTo(7);
        assertThat(h.relayed()).isTrue();
        assertThat(h.initiator()).isTrue();
        assertThat(h.hasTunnelId()).isTrue();
        assertThat(h.bodyLength()).isEqualTo(64);
        assertThat(p.summary()).contains("NTM DATA id=9223372036854775874").contains("relayed");
        assertThat(decoder.stats().seen()).containsEntry("ntm", 1L).containsEntry("ntm-DATA", 1L).containsEntry("udp", 1L);
    }

    @Test
    void everyMessageTypeInTheProtocolTableIsNamed() {
        for (NtmMessageType t : NtmMessageType.values()) {
            byte[] ntm = SyntheticPackets.ntm(t.code(), 0, 5, 1, 16);
            DecodedPacket p = decoder.decode(eth(SyntheticPackets.udpPacket(sock("10.0.0.2", 7200), sock("198.51.100.2", 7000), ntm)));
            assertThat(p.ntm().orElseThrow().type()).isEqualTo(t);
        }
        assertThat(NtmMessageType.of(0x01)).isEqualTo(NtmMessageType.REGISTER);
        assertThat(NtmMessageType.of(0x02)).isEqualTo(NtmMessageType.REGISTER_ACK);
        assertThat(NtmMessageType.of(0x06)).isEqualTo(NtmMessageType.ROUTE_DIRECTION);
        assertThat(NtmMessageType.of(0x2F)).isEqualTo(NtmMessageType.DATA);
        assertThat(NtmMessageType.of(0x09)).isEqualTo(NtmMessageType.REREGISTER);
        assertThat(NtmMessageType.of(0x0A)).isNull();
    }

    @Test
    void ntmIsRecognisedByShapeAndPortOnly() {
        InetSocketAddress a = sock("10.0.0.2", 40000);
        InetSocketAddress b = sock("10.0.0.3", 40001);
        byte[] good = SyntheticPackets.ntm(0x2F, 0, 1, 1, 32);
        // Right shape, but neither port is an NTM port.
        assertThat(decoder.decode(eth(SyntheticPackets.udpPacket(a, b, good))).ntm()).isEmpty();
        // Configured port.
        PacketDecoder custom = new PacketDecoder(NtmDetector.withPorts(40001));
        assertThat(custom.decode(eth(SyntheticPackets.udpPacket(a, b, good))).ntm()).isPresent();
        assertThat(new PacketDecoder(NtmDetector.anyPort()).decode(eth(SyntheticPackets.udpPacket(a, b, good))).ntm()).isPresent();
        InetSocketAddress dc = sock("198.51.100.2", 7000);
        for (int suite = 1; suite <= 3; suite++) { // AES-GCM, CBC-HMAC, ChaCha20-Poly1305
            byte[] p = good.clone();
            p[2] = (byte) suite;
            assertThat(decoder.decode(eth(SyntheticPackets.udpPacket(a, dc, p))).ntm()).as("suite %d", suite).isPresent();
        }
        byte[] badVersion = good.clone();
        badVersion[0] = 2;
        byte[] unknownType = good.clone();
        unknownType[1] = 0x0A;
        byte[] badSuite = good.clone();
        badSuite[2] = 4;
        byte[] undefinedFlag = good.clone();
        undefinedFlag[3] = 0x04;
        byte[] shortPayload = new byte[19];
        for (byte[] bad : new byte[][] {badVersion, unknownType, badSuite, undefinedFlag, shortPayload}) {
            DecodedPacket p = decoder.decode(eth(SyntheticPackets.udpPacket(a, dc, bad)));
            assertThat(p.udp()).isPresent();
            assertThat(p.ntm()).isEmpty();
            assertThat(p.malformed()).isEmpty();
        }
    }

    @Test
    void endpointsSeenInNtmOnKnownPortsAreLearnedForLaterDirectTraffic() {
        InetSocketAddress mnMapped = sock("198.51.100.11", 40001);
        InetSocketAddress cnMapped = sock("203.0.113.12", 40002);
        byte[] data = SyntheticPackets.ntm(0x2F, 0, 42, 1, 32);
        // Before anything is learned the direct datagram is on two unknown ports.
        assertThat(decoder.decode(eth(SyntheticPackets.udpPacket(mnMapped, cnMapped, data))).ntm()).isEmpty();
        decoder.decode(eth(SyntheticPackets.udpPacket(mnMapped, sock("203.0.113.50", 7100), data)));
        assertThat(decoder.decode(eth(SyntheticPackets.udpPacket(mnMapped, cnMapped, data))).ntm()).isPresent();
        // Learning only widens the port test: the shape test still applies.
        assertThat(decoder.decode(eth(SyntheticPackets.udpPacket(cnMapped, mnMapped, new byte[40]))).ntm()).isEmpty();
        // Without learning, and with named addresses instead.
        PacketDecoder plain = new PacketDecoder(NtmDetector.defaults().withoutLearning());
        plain.decode(eth(SyntheticPackets.udpPacket(mnMapped, sock("203.0.113.50", 7100), data)));
        assertThat(plain.decode(eth(SyntheticPackets.udpPacket(mnMapped, cnMapped, data))).ntm()).isEmpty();
        PacketDecoder named = new PacketDecoder(NtmDetector.defaults().withoutLearning()
                .withAddresses(java.util.Set.of(addr("203.0.113.12"))));
        assertThat(named.decode(eth(SyntheticPackets.udpPacket(mnMapped, cnMapped, data))).ntm()).isPresent();
    }

    @Test
    void ipv6WithExtensionHeadersIsSkippedToUdp() {
        byte[] ntm = SyntheticPackets.ntm(0x01, 0, 99, 3, 40);
        byte[] udp = SyntheticPackets.udp(addr("2001:db8::10"), addr("2001:db8::2"), 7200, 7000, ntm);
        byte[] ip = SyntheticPackets.ipv6(addr("2001:db8::10"), addr("2001:db8::2"), SyntheticPackets.PROTO_UDP, udp,
                SyntheticPackets.EXT_HOP_BY_HOP, SyntheticPackets.EXT_ROUTING, SyntheticPackets.EXT_DEST_OPTS);
        DecodedPacket p = decoder.decode(eth(ip));
        assertThat(p.malformed()).isEmpty();
        IpHeader h = p.ip().orElseThrow();
        assertThat(h.version()).isEqualTo(6);
        assertThat(h.protocol()).isEqualTo(IpHeader.PROTO_UDP);
        assertThat(h.headerLength()).isEqualTo(40 + 24);
        assertThat(Endpoints.format(p.source())).isEqualTo("[2001:db8::10]:7200");
        assertThat(p.ntm().orElseThrow().type()).isEqualTo(NtmMessageType.REGISTER);
        assertThat(p.ntm().orElseThrow().keyOrTunnelId()).isEqualTo(99);
    }

    @Test
    void cookedCapturesRawIpAndVlanTagsAllReachTheIpLayer() {
        byte[] ip = SyntheticPackets.udpPacket(sock("10.1.0.5", 7200), sock("10.2.0.9", 7200),
                SyntheticPackets.ntm(0x22, 0, 3, 1, 24));
        DecodedPacket sll = decoder.decode(frame(LinkType.LINUX_SLL, SyntheticPackets.sll(4, MAC_A, ip)));
        DecodedPacket sll2 = decoder.decode(frame(LinkType.LINUX_SLL2, SyntheticPackets.sll2(3, 0, MAC_B, ip)));
        DecodedPacket raw = decoder.decode(frame(LinkType.RAW, ip));
        byte[] vlan = new byte[ip.length + 18];
        System.arraycopy(SyntheticPackets.ethernet(MAC_A, MAC_B, 0x8100, new byte[0]), 0, vlan, 0, 14);
        vlan[14] = 0x00;
        vlan[15] = 0x2a; // VLAN 42
        vlan[16] = 0x08;
        vlan[17] = 0x00;
        System.arraycopy(ip, 0, vlan, 18, ip.length);
        DecodedPacket tagged = decoder.decode(frame(LinkType.ETHERNET, vlan));
        byte[] nul = new byte[ip.length + 4];
        nul[0] = 2; // AF_INET, little-endian writer
        System.arraycopy(ip, 0, nul, 4, ip.length);
        DecodedPacket loop = decoder.decode(frame(LinkType.NULL, nul));
        for (DecodedPacket p : new DecodedPacket[] {sll, sll2, raw, tagged, loop}) {
            assertThat(p.malformed()).isEmpty();
            assertThat(p.ntm().orElseThrow().type()).isEqualTo(NtmMessageType.PROBE);
            assertThat(p.source()).isEqualTo(sock("10.1.0.5", 7200));
        }
        assertThat(sll.link().orElseThrow().kind()).isEqualTo("sll");
        assertThat(sll.link().orElseThrow().source()).isEqualTo(MAC_A);
        assertThat(sll2.link().orElseThrow().kind()).isEqualTo("sll2");
        assertThat(sll2.link().orElseThrow().source()).isEqualTo(MAC_B);
        assertThat(tagged.link().orElseThrow().vlan()).isEqualTo(42);
    }

    @Test
    void dhcpExchangeIsDecoded() {
        long xid = 0xdeadbeefL;
        int[] types = {DhcpMessage.DISCOVER, DhcpMessage.OFFER, DhcpMessage.REQUEST, DhcpMessage.ACK};
        String[] names = {"DISCOVER", "OFFER", "REQUEST", "ACK"};
        for (int i = 0; i < types.length; i++) {
            boolean client = i % 2 == 0;
            byte[] msg = SyntheticPackets.dhcp(client ? 1 : 2, types[i], xid, MAC_A,
                    client ? null : addr("10.0.2.15"), i == 2 ? addr("10.0.2.15") : null, client ? null : addr("10.0.2.1"));
            InetSocketAddress src = client ? sock("0.0.0.0", 68) : sock("10.0.2.1", 67);
            InetSocketAddress dst = client ? sock("255.255.255.255", 67) : sock("255.255.255.255", 68);
            DecodedPacket p = decoder.decode(eth(SyntheticPackets.udpPacket(src, dst, msg)));
            DhcpMessage d = p.dhcp().orElseThrow();
            assertThat(d.messageType()).isEqualTo(types[i]);
            assertThat(d.messageTypeName()).isEqualTo(names[i]);
            assertThat(d.op()).isEqualTo(client ? 1 : 2);
            assertThat(d.xid()).isEqualTo(xid);
            assertThat(d.clientMac()).isEqualTo(MAC_A);
            if (!client) {
                assertThat(d.yourAddress()).isEqualTo(addr("10.0.2.15"));
                assertThat(d.serverId()).isEqualTo(addr("10.0.2.1"));
            }
            if (i == 2) {
                assertThat(d.requestedAddress()).isEqualTo(addr("10.0.2.15"));
            }
        }
        assertThat(decoder.stats().seen()).containsEntry("dhcp", 4L);
    }

    @Test
    void dnsQueryAndResponseWithCompressedAnswers() {
        byte[] q = SyntheticPackets.dnsQuery(0x1234, "cn.ntm.example", DnsMessage.TYPE_AAAA);
        DecodedPacket qp = decoder.decode(eth(SyntheticPackets.udpPacket(sock("10.0.0.2", 5555), sock("198.51.100.2", 53), q)));
        DnsMessage dq = qp.dns().orElseThrow();
        assertThat(dq.id()).isEqualTo(0x1234);
        assertThat(dq.response()).isFalse();
        assertThat(dq.qname()).isEqualTo("cn.ntm.example");
        assertThat(dq.qtype()).isEqualTo(DnsMessage.TYPE_AAAA);

        byte[] r = SyntheticPackets.dnsResponse(0x1234, "cn.ntm.example", DnsMessage.TYPE_A, addr("100.64.0.7"),
                addr("fd00::7"));
        DnsMessage dr = decoder.decode(eth(SyntheticPackets.udpPacket(sock("198.51.100.2", 53), sock("10.0.0.2", 5555), r)))
                .dns().orElseThrow();
        assertThat(dr.response()).isTrue();
        assertThat(dr.answers()).extracting(DnsMessage.Answer::address).containsExactly(addr("100.64.0.7"), addr("fd00::7"));
        assertThat(dr.answers()).extracting(DnsMessage.Answer::name).containsOnly("cn.ntm.example");
        assertThat(dr.answers()).extracting(DnsMessage.Answer::type).containsExactly(DnsMessage.TYPE_A, DnsMessage.TYPE_AAAA);
    }

    @Test
    void tcpAndIcmpHeaders() {
        byte[] seg = SyntheticPackets.tcp(addr("10.0.0.2"), addr("10.0.0.3"), 40000, 7443, 1000, 0, 0x02, new byte[0]);
        TcpHeader t = decoder.decode(eth(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 6, seg))).tcp().orElseThrow();
        assertThat(t.syn()).isTrue();
        assertThat(t.ack()).isFalse();
        assertThat(t.destinationPort()).isEqualTo(7443);
        assertThat(t.sequence()).isEqualTo(1000);
        byte[] echo = SyntheticPackets.icmpEcho(addr("10.0.0.2"), addr("10.0.0.3"), true, 1, 1);
        assertThat(decoder.decode(eth(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 1, echo))).icmp().orElseThrow()
                .typeName()).isEqualTo("echo-request");
        byte[] echo6 = SyntheticPackets.icmpEcho(addr("2001:db8::1"), addr("2001:db8::2"), false, 1, 1);
        IcmpMessage m6 = decoder.decode(eth(SyntheticPackets.ipv6(addr("2001:db8::1"), addr("2001:db8::2"), 58, echo6)))
                .icmp().orElseThrow();
        assertThat(m6.v6()).isTrue();
        assertThat(m6.typeName()).isEqualTo("echo-reply");
    }

    @Test
    void ipv4FragmentsAreFlaggedAndOnlyTheFirstIsDecodedAboveIp() {
        byte[] ntm = SyntheticPackets.ntm(0x2F, 0, 77, 9, 2000);
        byte[] udp = SyntheticPackets.udp(addr("10.0.0.2"), addr("10.0.0.3"), 7200, 7200, ntm);
        byte[] part1 = java.util.Arrays.copyOfRange(udp, 0, 1480);
        byte[] part2 = java.util.Arrays.copyOfRange(udp, 1480, udp.length);
        DecodedPacket first = decoder.decode(eth(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 17, 64, 0x77,
                0, true, part1)));
        DecodedPacket second = decoder.decode(eth(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 17, 64, 0x77,
                1480, false, part2)));
        assertThat(first.malformed()).isEmpty();
        assertThat(first.ip().orElseThrow().fragment()).isTrue();
        assertThat(first.ip().orElseThrow().moreFragments()).isTrue();
        assertThat(first.udp().orElseThrow().length()).isEqualTo(udp.length);
        assertThat(first.ntm().orElseThrow().keyOrTunnelId()).isEqualTo(77);
        assertThat(second.malformed()).isEmpty();
        assertThat(second.ip().orElseThrow().fragment()).isTrue();
        assertThat(second.ip().orElseThrow().fragmentOffset()).isEqualTo(1480);
        assertThat(second.udp()).isEmpty();
        assertThat(decoder.stats().seen()).containsEntry("ip-fragment", 2L);
        assertThat(decoder.stats().malformedTotal()).isZero();
    }

    @Test
    void malformedHeadersAreCountedByLayerAndNeverThrown() {
        byte[] ok = SyntheticPackets.udpPacket(sock("10.0.0.2", 7200), sock("10.0.0.3", 7200), SyntheticPackets.ntm(0x2F, 0, 1, 1, 8));
        // IPv4 total length larger than the frame.
        byte[] longIp = ok.clone();
        longIp[2] = 0x7f;
        // UDP length field larger than the IP payload.
        byte[] longUdp = ok.clone();
        longUdp[20 + 4] = 0x7f;
        // Truncated Ethernet header.
        CapturedFrame shortEth = frame(LinkType.ETHERNET, new byte[10]);
        // DNS name compression pointing at itself.
        byte[] loop = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};
        byte[] dnsLoop = SyntheticPackets.udpPacket(sock("10.0.0.2", 5000), sock("10.0.0.3", 53), loop);
        // DHCP with an impossible op code.
        byte[] dhcp = SyntheticPackets.dhcp(1, 1, 1, MAC_A, null, null, null);
        dhcp[0] = 9;
        byte[] badDhcp = SyntheticPackets.udpPacket(sock("0.0.0.0", 68), sock("255.255.255.255", 67), dhcp);

        assertThat(decoder.decode(eth(longIp)).malformed()).get().asString().startsWith("ipv4:");
        assertThat(decoder.decode(eth(longUdp)).malformed()).get().asString().startsWith("udp:");
        assertThat(decoder.decode(shortEth).malformed()).get().asString().startsWith("ethernet:");
        assertThat(decoder.decode(eth(dnsLoop)).malformed()).get().asString().contains("compression loop");
        DecodedPacket d = decoder.decode(eth(badDhcp));
        assertThat(d.malformed()).get().asString().startsWith("dhcp:");
        assertThat(d.udp()).isPresent(); // lower layers survive
        assertThat(decoder.stats().malformed()).containsEntry("ipv4", 1L).containsEntry("udp", 1L)
                .containsEntry("ethernet", 1L).containsEntry("dns", 1L).containsEntry("dhcp", 1L);
        assertThat(decoder.stats().malformed()).doesNotContainKey("decoder");
    }

    @Test
    void snappedFrameStillYieldsTheNtmHeader() {
        byte[] ip = SyntheticPackets.udpPacket(sock("10.0.0.2", 7200), sock("10.0.0.3", 7200), SyntheticPackets.ntm(0x2F, 0, 5, 6, 1000));
        byte[] full = SyntheticPackets.ethernet(MAC_A, MAC_B, ip);
        byte[] cut = java.util.Arrays.copyOf(full, 96);
        DecodedPacket p = decoder.decode(new CapturedFrame(1, TS, LinkType.ETHERNET, full.length, cut, 0));
        assertThat(p.malformed()).isEmpty();
        assertThat(p.ntm().orElseThrow().counter()).isEqualTo(6);
        assertThat(p.frameLength()).isEqualTo(full.length);
    }

    /** Mutated and random frames may be malformed, but must never reach the catch-all for decoder bugs. */
    @Test
    void fuzzedFramesNeverHitADecoderBug() {
        Random rnd = new Random(20240501);
        byte[][] seeds = {
            SyntheticPackets.ethernet(MAC_A, MAC_B, SyntheticPackets.udpPacket(sock("10.0.0.2", 68), sock("10.0.0.3", 67),
                    SyntheticPackets.dhcp(1, 3, 5, MAC_A, null, addr("10.0.0.9"), addr("10.0.0.1")))),
            SyntheticPackets.ethernet(MAC_A, MAC_B, SyntheticPackets.udpPacket(sock("10.0.0.2", 53), sock("10.0.0.3", 53),
                    SyntheticPackets.dnsResponse(1, "a.b.c", 1, addr("1.2.3.4"), addr("2001:db8::1")))),
            SyntheticPackets.ethernet(MAC_A, MAC_B, SyntheticPackets.ipv6(addr("2001:db8::1"), addr("2001:db8::2"), 17,
                    SyntheticPackets.udp(addr("2001:db8::1"), addr("2001:db8::2"), 7200, 7000, SyntheticPackets.ntm(1, 0, 1, 1, 30)),
                    0, 60)),
        };
        for (int i = 0; i < 20_000; i++) {
            byte[] seed = seeds[i % seeds.length];
            byte[] f = java.util.Arrays.copyOf(seed, rnd.nextInt(seed.length + 1));
            int flips = 1 + rnd.nextInt(6);
            for (int k = 0; k < flips && f.length > 0; k++) {
                f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
            }
            int linkType = new int[] {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW, LinkType.NULL}[rnd.nextInt(5)];
            decoder.decode(new CapturedFrame(i, TS, linkType, seed.length, f, 0));
        }
        assertThat(decoder.stats().seen("frames", 0)).isEqualTo(20_000);
        assertThat(decoder.stats().malformed()).doesNotContainKey("decoder");
        assertThat(decoder.stats().malformedTotal()).isPositive();
    }

    @Test
    void ipv6AddressesPrintInShortForm() {
        assertThat(Endpoints.format(addr("2001:db8:0:0:0:0:0:1"))).isEqualTo("2001:db8::1");
        assertThat(Endpoints.format(addr("fd00:0:0:1:0:0:0:0"))).isEqualTo("fd00:0:0:1::");
        assertThat(Endpoints.format(addr("::1"))).isEqualTo("::1");
        assertThat(Endpoints.format(sock("10.0.0.1", 7000))).isEqualTo("10.0.0.1:7000");
    }
}
