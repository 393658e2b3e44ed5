package org.ntmlab.pcap.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ntmlab.pcap.synth.SyntheticPackets.addr;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.pcap.decode.NtmHeader;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.synth.SyntheticPackets;

class PathClassifierTest {
    static final long T0 = 1_714_550_400_000_000_000L;
    static final long MS = 1_000_000L;
    static final int DATA = 0x2F;

    static final InetSocketAddress MN = sock("198.51.100.11", 40001); // mn's NAT mapping
    static final InetSocketAddress CN = sock("203.0.113.12", 40002);  // cn's NAT mapping
    static final InetSocketAddress RS = sock("203.0.113.50", 7100);
    static final InetSocketAddress RS6 = sock("2001:db8::50", 7100);
    static final InetSocketAddress V6NODE = sock("2001:db8::7", 7200);
    static final InetSocketAddress DC = sock("198.51.100.2", 7000);
    static final InetSocketAddress STRANGER = sock("192.0.2.99", 7200);

    @TempDir
    Path dir;

    static Roles roles() {
        return Roles.parse(List.of(
                "# lab roles",
                "10.0.1.2 = node:mn",
                "198.51.100.11 = nat:mn   # mn's NAT",
                "203.0.113.12 = nat:cn",
                "203.0.113.50 = rs:rs1",
                "2001:db8::50 = rs:rs1",
                "2001:db8::7 = node:v6node",
                "198.51.100.2 = dc:dc1",
                ""), "test");
    }

    private static void data(PcapWriter w, long ms, InetSocketAddress from, InetSocketAddress to, long tunnel, int flags,
                             long ctr) throws Exception {
        w.write(T0 + ms * MS, SyntheticPackets.udpFrame("02:00:00:00:00:01", "02:00:00:00:00:02", from, to,
                SyntheticPackets.ntm(DATA, flags, tunnel, ctr, 48)));
    }

    @Test
    void relayThenDirectAfterRouteOptimisationIsSeenOverTime() throws Exception {
        Path f = dir.resolve("paths.pcap");
        try (PcapWriter w = PcapWriter.create(f, LinkType.ETHERNET)) {
            long ctr = 1;
            // 0..900 ms: relayed through rs1, both legs, both directions.
            for (int t = 0; t < 1000; t += 100) {
                data(w, t, MN, RS, 42, NtmHeader.FLAG_RELAYED | NtmHeader.FLAG_INITIATOR, ctr);
                data(w, t + 1, RS, CN, 42, NtmHeader.FLAG_RELAYED | NtmHeader.FLAG_INITIATOR, ctr++);
                data(w, t + 10, CN, RS, 42, NtmHeader.FLAG_RELAYED, ctr);
                data(w, t + 11, RS, MN, 42, NtmHeader.FLAG_RELAYED, ctr++);
            }
            // Route optimisation probes carry the tunnel id too but are not DATA.
            w.write(T0 + 1000 * MS, SyntheticPackets.udpFrame("02:00:00:00:00:01", "02:00:00:00:00:02", MN, CN,
                    SyntheticPackets.ntm(0x22, 0, 42, 99, 24)));
            // 1100..1900 ms: direct between the NAT mappings.
            for (int t = 1100; t < 2000; t += 100) {
                data(w, t, MN, CN, 42, NtmHeader.FLAG_INITIATOR, ctr++);
                data(w, t + 5, CN, MN, 42, 0, ctr++);
            }
            // An IPv6 node talking to IPv4 mn via the RS: relay only.
            data(w, 50, V6NODE, RS6, 7, NtmHeader.FLAG_RELAYED, 1);
            data(w, 51, RS, MN, 7, NtmHeader.FLAG_RELAYED, 1);
            // Nonsense: DATA sent to the DC.
            data(w, 60, MN, DC, 9, 0, 1);
            // A pair the lab did not name.
            data(w, 70, STRANGER, MN, 11, 0, 1);
        }
        PathReport report = PathClassifier.classify(roles(), List.of(f));

        assertThat(report.tunnels()).extracting(TunnelPath::tunnelId).containsExactly(42L, 7L, 9L, 11L);
        TunnelPath t42 = report.tunnel(42).orElseThrow();
        assertThat(t42.history()).isEqualTo("RELAY -> DIRECT");
        assertThat(t42.initialKind()).isEqualTo(PathKind.RELAY);
        assertThat(t42.finalKind()).isEqualTo(PathKind.DIRECT);
        assertThat(t42.packets()).isEqualTo(40 + 18);
        assertThat(t42.relayedFlag()).isEqualTo(40);
        assertThat(t42.firstNanos()).isEqualTo(T0);
        assertThat(t42.lastNanos()).isEqualTo(T0 + 1905 * MS);
        assertThat(t42.periods()).containsExactly(
                new PathPeriod(PathKind.RELAY, T0, T0 + 911 * MS, 40),
                new PathPeriod(PathKind.DIRECT, T0 + 1100 * MS, T0 + 1905 * MS, 18));
        assertThat(t42.pairs()).hasSize(3);
        PairUsage mnRs = t42.pairs().get(0);
        assertThat(mnRs.a()).isEqualTo(MN);
        assertThat(mnRs.b()).isEqualTo(RS);
        assertThat(mnRs.kind()).isEqualTo(PathKind.RELAY);
        assertThat(mnRs.roleA()).isEqualTo(new Role(Role.Kind.NAT, "mn"));
        assertThat(mnRs.roleB()).isEqualTo(new Role(Role.Kind.RS, "rs1"));
        assertThat(mnRs.packetsAB()).isEqualTo(10);
        assertThat(mnRs.packetsBA()).isEqualTo(10);
        assertThat(mnRs.firstNanos()).isEqualTo(T0);
        assertThat(mnRs.lastNanos()).isEqualTo(T0 + 911 * MS);
        PairUsage direct = t42.pairs().get(2);
        assertThat(direct.kind()).isEqualTo(PathKind.DIRECT);
        assertThat(direct.roleB()).isEqualTo(new Role(Role.Kind.NAT, "cn"));
        assertThat(direct.packetsAB()).isEqualTo(9);
        assertThat(direct.packetsBA()).isEqualTo(9);
        assertThat(direct.relayedFlag()).isZero();

        TunnelPath t7 = report.tunnel(7).orElseThrow();
        assertThat(t7.history()).isEqualTo("RELAY");
        assertThat(t7.pairs()).extracting(PairUsage::kind).containsOnly(PathKind.RELAY);
        assertThat(report.tunnel(9).orElseThrow().finalKind()).isEqualTo(PathKind.OTHER);
        TunnelPath t11 = report.tunnel(11).orElseThrow();
        assertThat(t11.finalKind()).isEqualTo(PathKind.DIRECT);
        assertThat(t11.pairs().get(0).roleA()).isNull();

        assertThat(report.markdown()).contains("| 42 | RELAY -> DIRECT | DIRECT | 58 |");
        assertThat(report.console()).contains("[2001:db8::7]:7200");
        assertThat(report.json()).contains("\"tunnelId\":\"42\"").contains("\"finalPath\":\"DIRECT\"")
                .contains("\"roleB\":\"rs:rs1\"");
    }

    @Test
    void tunnelIdsAboveLongMaxPrintUnsigned() {
        TunnelPath t = new TunnelPath(-1L, 0, 0, 1, 0, List.of(), List.of(new PathPeriod(PathKind.DIRECT, 0, 0, 1)));
        assertThat(t.tunnelIdText()).isEqualTo("18446744073709551615");
    }

    @Test
    void rolesFileAcceptsIpv6AndRejectsBadLinesWithTheirNumber() {
        Roles r = roles();
        assertThat(r.of(addr("2001:db8::50"))).contains(new Role(Role.Kind.RS, "rs1"));
        assertThat(r.of(addr("198.51.100.11")).orElseThrow().isNodeSide()).isTrue();
        assertThat(r.of(addr("192.0.2.1"))).isEmpty();
        assertThat(Roles.parse(List.of("2001\\:db8\\:\\:9 = node:x"), "p").of(addr("2001:db8::9"))).isPresent();
        assertThatThrownBy(() -> Roles.parse(List.of("10.0.0.1 = node:a", "10.0.0.2 node b"), "roles.properties"))
                .hasMessageContaining("roles.properties:2");
        assertThatThrownBy(() -> Roles.parse(List.of("10.0.0.1 = router:r"), "f")).hasMessageContaining("unknown role kind");
        assertThatThrownBy(() -> Roles.parse(List.of("mn.example = node:mn"), "f")).hasMessageContaining("not an IP address");
    }

    @Test
    void classifierKindsFollowTheRules() {
        PathClassifier c = new PathClassifier(roles());
        assertThat(c.kindOf(MN, CN)).isEqualTo(PathKind.DIRECT);
        assertThat(c.kindOf(CN, RS)).isEqualTo(PathKind.RELAY);
        assertThat(c.kindOf(RS6, V6NODE)).isEqualTo(PathKind.RELAY);
        assertThat(c.kindOf(MN, DC)).isEqualTo(PathKind.OTHER);
        assertThat(c.kindOf(STRANGER, MN)).isEqualTo(PathKind.DIRECT);
    }
}
