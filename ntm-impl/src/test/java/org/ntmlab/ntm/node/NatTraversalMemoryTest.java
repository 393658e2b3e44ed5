package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.memory.Impairment;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/** Route optimisation against each RFC 4787 NAT behaviour, and the other suites end to end. */
class NatTraversalMemoryTest {

    @Test
    void symmetricNatsStayOnTheRelayAndDataStillFlows() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.SYMMETRIC, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn-p2", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn-p1", lab.p1, "10.1.0.10");
            TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            assertThat(t.path()).isEqualTo("relay");
            Table1MemoryTest.echo(mn, cn.virtualV4(), "via the relay");
            // give route optimisation its full budget of probes, then check it gave up
            Thread.sleep(ProtocolConstants.Node.PROBE_TRIES
                    * TimeUnit.NANOSECONDS.toMillis(ProtocolConstants.Node.PROBE_INTERVAL_NANOS) + 500);
            assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), "relay")).isEqualTo("relay");
            assertThat(mn.counters().get("optimisationFailed")).isEqualTo(1);
            Table1MemoryTest.echo(mn, cn.virtualV4(), "still via the relay");
            Table1MemoryTest.tcpEcho(mn, cn.virtualV6(), 100_000);
            assertThat(lab.rs.counters().get("relayed")).isPositive();
        }
    }

    @Test
    void fullConeAndRestrictedConeNatsAreOptimisedToDirect() throws Exception {
        for (NatBehaviour nat : new NatBehaviour[] {NatBehaviour.FULL_CONE, NatBehaviour.RESTRICTED_CONE}) {
            try (MemoryLab lab = new MemoryLab(nat, CipherSuite.AES_128_GCM)) {
                NtmNode mn = lab.node("mn-p2", lab.p2, "10.2.0.10");
                NtmNode cn = lab.node("cn-p1", lab.p1, "10.1.0.10");
                TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
                assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), "direct")).as(nat.toString())
                        .isEqualTo("direct");
                Table1MemoryTest.echo(mn, cn.virtualV4(), "direct through " + nat);
            }
        }
    }

    @Test
    void paperCompatibleSuiteCarriesTheSameTraffic() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_CBC_HMAC_SHA256)) {
            NtmNode mn = lab.node("mn-p2", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn-v6", lab.global6, "2001:db8::41");
            mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, cn.virtualV6(), "encrypt-then-MAC through the relay");
            Table1MemoryTest.tcpEcho(mn, cn.virtualV4(), 200_000);
        }
    }

    /**
     * The pure-Java ChaCha20-Poly1305 suite end to end: node-DC signalling, DC-RS relay
     * authorisation, a relayed tunnel (IPv4 NAT to global IPv6) and a direct one optimised
     * through cone NATs, UDP and TCP echo over both.
     */
    @Test
    void chaCha20Poly1305SuiteCarriesTheSameTraffic() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.CHACHA20_POLY1305)) {
            NtmNode mn = lab.node("mn-p2", lab.p2, "10.2.0.10");
            NtmNode v6 = lab.node("cn-v6", lab.global6, "2001:db8::41");
            NtmNode p1 = lab.node("cn-p1", lab.p1, "10.1.0.10");
            TunnelInfo relayed = mn.resolve(v6.fqdn()).get(5, TimeUnit.SECONDS);
            assertThat(relayed.path()).isEqualTo("relay");
            Table1MemoryTest.echo(mn, v6.virtualV6(), "ChaCha20-Poly1305 through the relay");
            Table1MemoryTest.tcpEcho(mn, v6.virtualV4(), 200_000);
            TunnelInfo direct = mn.resolve(p1.fqdn()).get(5, TimeUnit.SECONDS);
            assertThat(Table1MemoryTest.awaitPath(mn, direct.tunnelId(), "direct")).isEqualTo("direct");
            Table1MemoryTest.echo(mn, p1.virtualV4(), "ChaCha20-Poly1305 direct");
            Table1MemoryTest.tcpEcho(mn, p1.virtualV6(), 200_000);
            assertThat(lab.rs.counters().get("relayed")).isPositive();
        }
    }

    /** Signalling and TCP survive a lossy, reordering, duplicating and slow path. */
    @Test
    void lossReorderDuplicationAndDelay() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            lab.global4.impair(new Impairment(0.05, 5, 5, 0.05, 0.05));
            NtmNode mn = lab.node("mn-p2", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn-g4", lab.global4, "198.51.100.41");
            TunnelInfo t = mn.resolve(cn.fqdn()).get(10, TimeUnit.SECONDS);
            assertThat(t.path()).isEqualTo("direct");
            Table1MemoryTest.tcpEcho(mn, cn.virtualV4(), 1_000_000);
            assertThat(lab.net.dropped()).isPositive();
        }
    }
}
