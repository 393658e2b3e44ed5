package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.pcap.synth.SyntheticPackets.addr;
import static org.ntmlab.pcap.synth.SyntheticPackets.ntm;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;
import static org.ntmlab.pcap.synth.SyntheticPackets.udpFrame;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.scenario.MatrixCell;
import org.ntmlab.lab.scenario.MatrixReport;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.path.PathClassifier;
import org.ntmlab.pcap.path.PathReport;
import org.ntmlab.pcap.path.Role;
import org.ntmlab.pcap.path.Roles;

/**
 * MatrixDockerIT's capture side without Docker: roles from the shipped topology, and the
 * per-cell verdict on synthetic captures at the CN (the IT's vantage point).
 */
class MatrixCapturesTest {
    static final int DATA = 0x2F;
    static final int RELAYED = 0x02;
    final Topology t = Topology.load(Path.of(System.getProperty("ntm.topologies", "../topologies"))
            .resolve("table1.yaml"));

    @Test
    void rolesComeFromTheTopology() {
        Roles r = MatrixDockerIT.roles(t);
        assertThat(r.of(addr("192.168.1.10"))).contains(new Role(Role.Kind.NODE, "p1"));
        assertThat(r.of(addr("2001:db8:6::41"))).contains(new Role(Role.Kind.NODE, "v6b"));
        assertThat(r.of(addr("198.51.100.101"))).contains(new Role(Role.Kind.NAT, "p1"));
        assertThat(r.of(addr("198.51.100.102"))).contains(new Role(Role.Kind.NAT, "p2"));
        assertThat(r.of(addr("192.168.1.254"))).contains(new Role(Role.Kind.OTHER, "r1"));
        assertThat(r.of(addr("198.51.100.30"))).contains(new Role(Role.Kind.RS, "rs"));
        assertThat(r.of(addr("2001:db8:6::30"))).contains(new Role(Role.Kind.RS, "rs"));
        assertThat(r.of(addr("198.51.100.20"))).contains(new Role(Role.Kind.DC, "dc"));
        assertThat(r.of(addr("2001:db8:6::10"))).contains(new Role(Role.Kind.AS, "as"));
        // the text form is what pcap-analysis's CLI reads back
        Roles back = Roles.parse(MatrixDockerIT.rolesText(r).lines().toList(), "roles.txt");
        assertThat(back.all()).isEqualTo(r.all());
    }

    @Test
    void optimisedCellNeedsRelayThenDirectInTheCnCapture(@TempDir Path dir) throws Exception {
        InetSocketAddress p1 = sock("192.168.1.10", 7200);
        InetSocketAddress rs = sock("198.51.100.30", 7100);
        InetSocketAddress p2Mapped = sock("198.51.100.102", 7200);
        long tunnel = 0xfeedbeef01L;
        Path cap = dir.resolve("p1-p1.pcap");
        try (PcapWriter w = PcapWriter.create(cap, 1)) {
            long ts = 1_700_000_000_000_000_000L;
            w.write(ts, frame(rs, p1, ntm(DATA, RELAYED | 1, tunnel, 1, 100)));
            w.write(ts + 1_000_000, frame(p1, rs, ntm(DATA, RELAYED, tunnel, 1, 100)));
            w.write(ts + 2_000_000, frame(p2Mapped, p1, ntm(DATA, 1, tunnel, 2, 100)));
            w.write(ts + 3_000_000, frame(p1, rs, ntm(DATA, RELAYED, tunnel, 2, 100)));
            w.write(ts + 4_000_000, frame(p2Mapped, p1, ntm(DATA, 1, tunnel, 3, 100)));
            w.write(ts + 5_000_000, frame(p1, p2Mapped, ntm(DATA, 0, tunnel, 3, 100)));
        }
        PathReport report = PathClassifier.classify(MatrixDockerIT.roles(t), List.of(cap));

        MatrixCell ok = cell("direct", true, tunnel);
        MatrixDockerIT.classifyCell(ok, report.tunnel(tunnel), cap);
        assertThat(ok.problems).isEmpty();
        assertThat(ok.pcapPath).isEqualTo("direct");
        assertThat(ok.pcapHistory).startsWith("RELAY -> DIRECT");
        assertThat(ok.shortHistory()).isEqualTo("RELAY→DIRECT (ends switched over 3.0 ms: 4 periods)");
        assertThat(ok.pcapPairs).anySatisfy(p -> assertThat(p).contains("198.51.100.30:7100 (rs:rs)"));

        // a cell that must not change path: the same capture fails it
        MatrixCell steady = cell("direct", false, tunnel);
        MatrixDockerIT.classifyCell(steady, report.tunnel(tunnel), cap);
        assertThat(steady.problem()).contains("should not change");

        // the symmetric-NAT cell expects relay: a direct end fails
        MatrixCell relay = cell("relay", false, tunnel);
        MatrixDockerIT.classifyCell(relay, report.tunnel(tunnel), cap);
        assertThat(relay.problem()).contains("final path direct, expected relay");

        MatrixCell missing = cell("direct", false, 0x1234);
        MatrixDockerIT.classifyCell(missing, report.tunnel(0x1234), cap);
        assertThat(missing.problem()).contains("no DATA of tunnel 1234");
    }

    @Test
    void reportsCarryBothClassificationsAndTraffic() {
        MatrixCell c = cell("direct", false, 0xabc);
        c.tablePath = "direct";
        c.state = "up";
        c.setupMs = 42;
        c.pingSent = 3;
        c.pingReceived = 3;
        c.pingRttMsP50 = 0.9;
        c.pcapPath = "direct";
        c.pcapHistory = "DIRECT";
        c.pcapCapture = "target/lab/table1/p1-p1.pcap";
        c.udp4 = NodeControl.UdpEcho.of(new NodeControl.Reply("OK sent=20 received=20 corrupted=0 rttMsP50=1.5"), 20);
        c.udp6 = NodeControl.UdpEcho.of(new NodeControl.Reply("OK sent=20 received=20 corrupted=0 rttMsP50=1.7"), 20);
        c.tcp4 = NodeControl.TcpEcho.of(new NodeControl.Reply("OK bytes=200000 received=200000 intact=true ms=400.0"));
        c.tcp6 = NodeControl.TcpEcho.of(new NodeControl.Reply("ERR connection reset"));
        assertThat(c.tcp4.ok(200_000)).isTrue();
        assertThat(c.tcp4.mbitPerSecond()).isEqualTo(4.0);
        assertThat(c.tcp6.ok(100_000)).isFalse();
        String md = MatrixReport.markdown(List.of(c));
        assertThat(md).contains("◎ direct, pcap ◎ DIRECT, 42 ms setup, RTT 0.9 ms").contains("200 kB 400 ms 4.0 Mbit/s")
                .contains("tunnel table").contains("CN's container");
        assertThat(MatrixReport.json(List.of(c))).contains("\"pcap\":{\"source\":\"target/lab/table1/p1-p1.pcap\"")
                .contains("\"tcpEcho4\":{\"bytes\":200000").contains("\"mbitPerSecond\":4.0");
        assertThat(MatrixReport.html(List.of(c))).contains("<td>200 kB 400 ms 4.0 Mbit/s</td>");
        assertThat(md).contains("◎ direct (TWO_NATS)");
        assertThat(MatrixReport.json(List.of(c))).contains("\"rule\":\"TWO_NATS\"");
    }

    private static MatrixCell cell(String expected, boolean optimisation, long tunnel) {
        MatrixCell c = new MatrixCell("table1", "p2", "p1", "IPv4 private P2", "IPv4 private P1", expected,
                optimisation, "TWO_NATS", "NATs on both sides");
        c.tunnelId = Long.toHexString(tunnel);
        return c;
    }

    private static byte[] frame(InetSocketAddress src, InetSocketAddress dst, byte[] payload) {
        return udpFrame("02:00:00:00:00:01", "02:00:00:00:00:02", src, dst, payload);
    }
}
