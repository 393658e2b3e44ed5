package org.ntmlab.pcap.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.pcap.synth.SyntheticPackets.addr;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.pcap.decode.DecodedPacket;
import org.ntmlab.pcap.decode.DhcpMessage;
import org.ntmlab.pcap.decode.DnsMessage;
import org.ntmlab.pcap.decode.Endpoints;
import org.ntmlab.pcap.decode.NtmHeader;
import org.ntmlab.pcap.decode.PacketDecoder;
import org.ntmlab.pcap.io.CaptureReader;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * Reads captures written by our {@link PcapWriter} with tshark (Wireshark's dissectors,
 * which this project did not write) and compares every frame's fields with our decoder.
 */
class TsharkCrossCheckTest {
    static final long T0 = 1_714_550_400_123_456_789L;
    static final String A = "02:00:00:00:00:0a";
    static final String B = "02:00:00:00:00:0b";

    @TempDir
    Path dir;

    static List<byte[]> mixedIpPackets() {
        List<byte[]> p = new ArrayList<>();
        p.add(SyntheticPackets.udpPacket(sock("10.0.0.2", 7200), sock("198.51.100.2", 7000), SyntheticPackets.ntm(0x01, 0, 0x1111, 1, 80)));
        p.add(SyntheticPackets.udpPacket(sock("198.51.100.2", 7000), sock("10.0.0.2", 7200), SyntheticPackets.ntm(0x02, 0, 0x1111, 1, 60)));
        p.add(SyntheticPackets.ipv6(addr("2001:db8::10"), addr("2001:db8::50"), 17,
                SyntheticPackets.udp(addr("2001:db8::10"), addr("2001:db8::50"), 7200, 7100, SyntheticPackets.ntm(0x2F, 3, 0xfeedL, 77, 100)),
                SyntheticPackets.EXT_HOP_BY_HOP, SyntheticPackets.EXT_DEST_OPTS));
        String mac = A;
        p.add(SyntheticPackets.udpPacket(sock("0.0.0.0", 68), sock("255.255.255.255", 67),
                SyntheticPackets.dhcp(1, 1, 0xdeadbeefL, mac, null, null, null)));
        p.add(SyntheticPackets.udpPacket(sock("10.0.2.1", 67), sock("255.255.255.255", 68),
                SyntheticPackets.dhcp(2, 2, 0xdeadbeefL, mac, addr("10.0.2.15"), null, addr("10.0.2.1"))));
        p.add(SyntheticPackets.udpPacket(sock("0.0.0.0", 68), sock("255.255.255.255", 67),
                SyntheticPackets.dhcp(1, 3, 0xdeadbeefL, mac, null, addr("10.0.2.15"), addr("10.0.2.1"))));
        p.add(SyntheticPackets.udpPacket(sock("10.0.2.1", 67), sock("255.255.255.255", 68),
                SyntheticPackets.dhcp(2, 5, 0xdeadbeefL, mac, addr("10.0.2.15"), null, addr("10.0.2.1"))));
        p.add(SyntheticPackets.udpPacket(sock("10.0.2.15", 40000), sock("198.51.100.2", 53),
                SyntheticPackets.dnsQuery(0x1234, "cn.ntm.example", 1)));
        p.add(SyntheticPackets.udpPacket(sock("198.51.100.2", 53), sock("10.0.2.15", 40000),
                SyntheticPackets.dnsResponse(0x1234, "cn.ntm.example", 1, addr("100.64.0.7"), addr("fd00::7"))));
        p.add(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 6,
                SyntheticPackets.tcp(addr("10.0.0.2"), addr("10.0.0.3"), 40000, 7443, 1, 0, 0x02, new byte[0])));
        p.add(SyntheticPackets.ipv6(addr("2001:db8::1"), addr("2001:db8::2"), 58,
                SyntheticPackets.icmpEcho(addr("2001:db8::1"), addr("2001:db8::2"), true, 7, 1)));
        byte[] big = SyntheticPackets.udp(addr("10.0.0.2"), addr("10.0.0.3"), 7200, 7200, SyntheticPackets.ntm(0x2F, 0, 9, 9, 1600));
        p.add(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 17, 64, 0x55, 0, true, java.util.Arrays.copyOf(big, 1480)));
        p.add(SyntheticPackets.ipv4(addr("10.0.0.2"), addr("10.0.0.3"), 17, 64, 0x55, 1480, false,
                java.util.Arrays.copyOfRange(big, 1480, big.length)));
        return p;
    }

    static final String[] FIELDS = {"frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "ipv6.dst", "udp.srcport",
        "udp.dstport", "udp.payload", "dhcp.option.dhcp", "dhcp.id", "dhcp.ip.your", "dns.id", "dns.flags.response",
        "dns.qry.name", "dns.a", "dns.aaaa", "tcp.dstport", "tcp.flags.syn", "icmpv6.type", "ip.flags.mf", "ip.frag_offset",
        "frame.len"};

    /** Runs tshark -T fields and returns one map per frame. */
    static List<java.util.Map<String, String>> tshark(Path tshark, Path capture) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-n", "-r", capture.toString(),
                "-o", "ip.defragment:FALSE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                "-E", "aggregator=,"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        ExternalTools.Result r = ExternalTools.run(cmd);
        assertThat(r.exit()).as("tshark failed: %s", r.err()).isZero();
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            java.util.Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < FIELDS.length; i++) {
                row.put(FIELDS[i], i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    static boolean truthy(String s) {
        return s.equals("1") || s.equalsIgnoreCase("true");
    }

    @Test
    void tsharkReadsOurEthernetCaptureAndAgreesFieldByField() throws Exception {
        Path tshark = ExternalTools.require("tshark");
        Path f = dir.resolve("mixed.pcap");
        List<byte[]> packets = mixedIpPackets();
        try (PcapWriter w = PcapWriter.create(f, LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN)) {
            for (int i = 0; i < packets.size(); i++) {
                w.write(T0 + i * 1_000_003L, SyntheticPackets.ethernet(A, B, packets.get(i)));
            }
        }
        List<DecodedPacket> ours = PacketDecoder.decodeFile(f);
        List<java.util.Map<String, String>> theirs = tshark(tshark, f);
        assertThat(theirs).hasSameSizeAs(ours).hasSize(packets.size());
        for (int i = 0; i < ours.size(); i++) {
            DecodedPacket p = ours.get(i);
            java.util.Map<String, String> t = theirs.get(i);
            String what = "frame " + (i + 1) + " " + p.summary() + " vs tshark " + t;
            assertThat(p.malformed()).as(what).isEmpty();
            assertThat(Long.parseLong(t.get("frame.number"))).isEqualTo(p.number());
            assertThat(new java.math.BigDecimal(t.get("frame.time_epoch")).movePointRight(9).longValueExact())
                    .as(what).isEqualTo(p.timestampNanos());
            assertThat(Integer.parseInt(t.get("frame.len"))).isEqualTo(p.frameLength());
            var ip = p.ip().orElseThrow();
            if (ip.version() == 4) {
                assertThat(t.get("ip.src")).as(what).isEqualTo(Endpoints.format(ip.source()));
            } else {
                assertThat(t.get("ipv6.src")).as(what).isEqualTo(Endpoints.format(ip.source()));
                assertThat(t.get("ipv6.dst")).as(what).isEqualTo(Endpoints.format(ip.destination()));
            }
            assertThat(truthy(t.get("ip.flags.mf"))).as(what).isEqualTo(ip.version() == 4 && ip.moreFragments());
            if (ip.version() == 4 && !t.get("ip.frag_offset").isEmpty()) {
                // tshark 4.0 reports the field in 8-byte units, as on the wire; we report bytes.
                assertThat(Integer.parseInt(t.get("ip.frag_offset")) * 8).as(what).isEqualTo(ip.fragmentOffset());
            }
            if (p.udp().isPresent()) {
                assertThat(Integer.parseInt(t.get("udp.srcport"))).as(what).isEqualTo(p.udp().get().sourcePort());
                assertThat(Integer.parseInt(t.get("udp.dstport"))).as(what).isEqualTo(p.udp().get().destinationPort());
            } else {
                assertThat(t.get("udp.srcport")).as(what).isEmpty();
            }
            if (p.ntm().isPresent()) {
                // tshark has no NTM dissector: check our header against the raw UDP payload it found.
                byte[] payload = HexFormat.of().parseHex(t.get("udp.payload").replace(":", ""));
                NtmHeader h = p.ntm().get();
                assertThat(payload[0] & 0xff).as(what).isEqualTo(h.version());
                assertThat(payload[1] & 0xff).as(what).isEqualTo(h.typeCode());
                assertThat(payload[3] & 0xff).as(what).isEqualTo(h.flags());
                assertThat(java.nio.ByteBuffer.wrap(payload, 4, 8).getLong()).as(what).isEqualTo(h.keyOrTunnelId());
                assertThat(java.nio.ByteBuffer.wrap(payload, 12, 8).getLong()).as(what).isEqualTo(h.counter());
            }
            if (p.dhcp().isPresent()) {
                DhcpMessage d = p.dhcp().get();
                assertThat(Integer.parseInt(t.get("dhcp.option.dhcp"))).as(what).isEqualTo(d.messageType());
                assertThat(Long.decode(t.get("dhcp.id"))).as(what).isEqualTo(d.xid());
                assertThat(t.get("dhcp.ip.your")).as(what).isEqualTo(Endpoints.format(d.yourAddress()));
            } else {
                assertThat(t.get("dhcp.id")).as(what).isEmpty();
            }
            if (p.dns().isPresent()) {
                DnsMessage d = p.dns().get();
                assertThat(Integer.decode(t.get("dns.id"))).as(what).isEqualTo(d.id());
                assertThat(truthy(t.get("dns.flags.response"))).as(what).isEqualTo(d.response());
                assertThat(t.get("dns.qry.name")).as(what).isEqualTo(d.qname());
                List<String> a = new ArrayList<>();
                List<String> aaaa = new ArrayList<>();
                for (DnsMessage.Answer ans : d.answers()) {
                    (ans.type() == DnsMessage.TYPE_A ? a : aaaa).add(Endpoints.format(ans.address()));
                }
                assertThat(t.get("dns.a")).as(what).isEqualTo(String.join(",", a));
                assertThat(t.get("dns.aaaa")).as(what).isEqualTo(String.join(",", aaaa));
            }
            if (p.tcp().isPresent()) {
                assertThat(Integer.parseInt(t.get("tcp.dstport"))).isEqualTo(p.tcp().get().destinationPort());
                assertThat(truthy(t.get("tcp.flags.syn"))).isEqualTo(p.tcp().get().syn());
            }
            if (p.icmp().isPresent()) {
                assertThat(Integer.parseInt(t.get("icmpv6.type"))).isEqualTo(p.icmp().get().type());
            }
        }
        // The DHCP exchange and DNS answers are really there (guards against comparing empty to empty).
        assertThat(theirs).extracting(m -> m.get("dhcp.option.dhcp")).containsSubsequence("1", "2", "3", "5");
        assertThat(theirs).extracting(m -> m.get("dns.aaaa")).contains("fd00::7");
        assertThat(ours).filteredOn(p -> p.ntm().isPresent()).hasSize(4);
    }

    @Test
    void tsharkReadsOurCookedAndRawCaptures() throws Exception {
        Path tshark = ExternalTools.require("tshark");
        List<byte[]> packets = mixedIpPackets();
        int[] linkTypes = {LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW};
        for (int lt : linkTypes) {
            Path f = dir.resolve("link" + lt + ".pcap");
            try (PcapWriter w = PcapWriter.create(f, lt, false, ByteOrder.LITTLE_ENDIAN)) {
                for (int i = 0; i < packets.size(); i++) {
                    byte[] ip = packets.get(i);
                    byte[] frame = lt == LinkType.LINUX_SLL ? SyntheticPackets.sll(i % 2 == 0 ? 4 : 0, A, ip)
                            : lt == LinkType.LINUX_SLL2 ? SyntheticPackets.sll2(2, 0, A, ip) : ip;
                    w.write(T0 + i * 1000L, frame);
                }
            }
            List<DecodedPacket> ours = PacketDecoder.decodeFile(f);
            List<java.util.Map<String, String>> theirs = tshark(tshark, f);
            assertThat(theirs).as(LinkType.name(lt)).hasSize(ours.size());
            for (int i = 0; i < ours.size(); i++) {
                var ip = ours.get(i).ip().orElseThrow();
                String src = ip.version() == 4 ? theirs.get(i).get("ip.src") : theirs.get(i).get("ipv6.src");
                assertThat(src).as("%s frame %d", LinkType.name(lt), i + 1).isEqualTo(Endpoints.format(ip.source()));
                assertThat(theirs.get(i).get("udp.dstport"))
                        .isEqualTo(ours.get(i).udp().map(u -> String.valueOf(u.destinationPort())).orElse(""));
            }
        }
    }

    /** tshark converts our pcap to pcapng; our pcapng reader must return the same frames. */
    @Test
    void pcapngWrittenByTsharkReadsBackTheSameFrames() throws Exception {
        Path tshark = ExternalTools.require("tshark");
        Path pcap = dir.resolve("in.pcap");
        List<byte[]> packets = mixedIpPackets();
        try (PcapWriter w = PcapWriter.create(pcap, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            for (int i = 0; i < packets.size(); i++) {
                w.write(T0 + i * 777L, SyntheticPackets.ethernet(A, B, packets.get(i)));
            }
        }
        Path ng = dir.resolve("out.pcapng");
        ExternalTools.Result r = ExternalTools.run(List.of(tshark.toString(), "-r", pcap.toString(), "-F", "pcapng",
                "-w", ng.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        List<CapturedFrame> a = CaptureReader.readAll(pcap);
        List<CapturedFrame> b;
        try (CaptureReader reader = CaptureReader.open(ng)) {
            assertThat(reader.getClass().getSimpleName()).isEqualTo("PcapNgReader");
            b = new ArrayList<>();
            reader.forEach(b::add);
            assertThat(reader.stats().problems()).isEmpty();
        }
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).timestampNanos()).isEqualTo(a.get(i).timestampNanos());
            assertThat(b.get(i).data()).isEqualTo(a.get(i).data());
            assertThat(b.get(i).linkType()).isEqualTo(LinkType.ETHERNET);
        }
    }

    @Test
    void tsharkReadsOurPcapngWriterOutput() throws Exception {
        Path tshark = ExternalTools.require("tshark");
        Path ng = dir.resolve("ours.pcapng");
        List<byte[]> packets = mixedIpPackets();
        try (var w = org.ntmlab.pcap.io.PcapNgWriter.create(ng, ByteOrder.BIG_ENDIAN)) {
            int eth = w.addInterface(LinkType.ETHERNET, 65535);
            int raw = w.addInterface(LinkType.RAW, 65535);
            for (int i = 0; i < packets.size(); i++) {
                if (i % 2 == 0) {
                    w.write(eth, T0 + i, SyntheticPackets.ethernet(A, B, packets.get(i)));
                } else {
                    w.write(raw, T0 + i, packets.get(i));
                }
            }
        }
        List<java.util.Map<String, String>> theirs = tshark(tshark, ng);
        List<DecodedPacket> ours = PacketDecoder.decodeFile(ng);
        assertThat(theirs).hasSize(packets.size()).hasSameSizeAs(ours);
        for (int i = 0; i < ours.size(); i++) {
            assertThat(new java.math.BigDecimal(theirs.get(i).get("frame.time_epoch")).movePointRight(9).longValueExact())
                    .isEqualTo(T0 + i);
            assertThat(theirs.get(i).get("udp.srcport"))
                    .isEqualTo(ours.get(i).udp().map(u -> String.valueOf(u.sourcePort())).orElse(""));
        }
        assertThat(String.format(Locale.ROOT, "%d", ours.size())).isEqualTo(String.valueOf(packets.size()));
    }
}
