package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * Moves across domains (paper section 4.2 with two DCs): the MN is in a.ntm.example, the CN in
 * b.ntm.example. When the CN moves, DC b reports its new position to DC a (DC_POSITION), which
 * decides again and directs the MN itself and the CN through DC b; when the MN moves, DC a
 * decides again with the CN position it has. A TCP stream to the CN's echo service is checked
 * byte by byte across every move, and every path is the paper's.
 */
class InterDomainMobilityMemoryTest {

    static final String A = InterDomainLab.DOMAIN_A;
    static final String B = InterDomainLab.DOMAIN_B;

    record Move(String who, Segment to, String address, String path) {
    }

    /** A fresh pair of domains for each test. */
    private InterDomainLab lab;

    @BeforeEach
    void startLab() throws Exception {
        lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM);
    }

    @AfterEach
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void cnMovesKeepTcpStreamIntact() throws Exception {
        NtmNode mn = lab.node("mn", A, lab.p2, "10.2.0.10");
        NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
        long positionsBefore = lab.dc(A).counters().get("dcPositions");
        movesKeepStream(mn, cn, List.of(
                new Move("cn", lab.p1, "10.1.0.20", "direct"),            // both NATed: relay, then optimised
                new Move("cn", lab.global6, "2001:db8::60", "relay"),     // IPv4 MN <-> IPv6 CN
                new Move("cn", lab.global4, "198.51.100.60", "direct")));
        assertThat(lab.dc(A).counters().get("dcPositions")).as("CN moves reported by DC b to DC a")
                .isGreaterThanOrEqualTo(positionsBefore + 3);
        assertThat(lab.dc(A).counters().get("redirects")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void mnMovesKeepTcpStreamIntact() throws Exception {
        NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
        NtmNode cn = lab.node("cn", B, lab.p1, "10.1.0.10");
        movesKeepStream(mn, cn, List.of(
                new Move("mn", lab.p2, "10.2.0.30", "direct"),            // both NATed: relay, then optimised
                new Move("mn", lab.global6, "2001:db8::50", "relay"),
                new Move("mn", lab.global4, "198.51.100.50", "direct")));
        assertThat(lab.dc(A).counters().get("redirects")).isGreaterThanOrEqualTo(3);
        assertThat(lab.dc(B).counters().get("redirects")).as("DC b decides nothing for DC a's tunnel").isZero();
    }

    /** Both ends move, one after the other, on one stream. */
    @Test
    void bothEndsMoveInTurn() throws Exception {
        NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
        NtmNode cn = lab.node("cn", B, lab.global4, "198.51.100.41");
        movesKeepStream(mn, cn, List.of(
                new Move("cn", lab.p1, "10.1.0.20", "direct"),
                new Move("mn", lab.p2, "10.2.0.30", "direct"),
                new Move("cn", lab.global6, "2001:db8::61", "relay"),
                new Move("mn", lab.global6, "2001:db8::51", "direct")));
    }

    /**
     * Opens the tunnel (direct at first in every case here) and a checked TCP stream over it,
     * then makes each move: UDP must answer again, TCP flow again, and both ends take the
     * move's path.
     */
    private void movesKeepStream(NtmNode mn, NtmNode cn, List<Move> moves) throws Exception {
        InetAddress mnV4 = mn.virtualV4();
        InetAddress cnV4 = cn.virtualV4();
        TunnelInfo t = mn.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS);
        assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), "direct")).isEqualTo("direct");
        CheckedEchoStream stream = CheckedEchoStream.start(mn, cn);
        try (NtmDatagramSocket udp = new NtmDatagramSocket(mn, 0)) {
            udp.setSoTimeout(100);
            for (Move m : moves) {
                long before = stream.received();
                lab.hosts.get(m.who()).moveTo(m.to(), m.address());
                long gapMs = MobilityMemoryTest.udpUntilAnswered(udp, cn, 10_000);
                assertThat(gapMs).as("UDP answered again after %s moved to %s", m.who(), m.to()).isLessThan(10_000);
                assertThat(stream.awaitReceived(before + 20_000)).as("TCP flowing after %s moved to %s", m.who(),
                        m.to()).isGreaterThanOrEqualTo(before + 20_000);
                assertThat(stream.failure()).isNull();
                assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), m.path()))
                        .as("MN's path after %s moved to %s", m.who(), m.to()).isEqualTo(m.path());
                assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), m.path()))
                        .as("CN's path after %s moved to %s", m.who(), m.to()).isEqualTo(m.path());
            }
        } finally {
            stream.stop();
        }
        stream.assertAllEchoed();
        assertThat(mn.virtualV4()).as("virtual addresses kept").isEqualTo(mnV4);
        assertThat(cn.virtualV4()).isEqualTo(cnV4);
        assertThat(mn.tunnels().get(2, TimeUnit.SECONDS)).extracting(TunnelInfo::tunnelId).containsExactly(t.tunnelId());
        stream.close();
    }
}
