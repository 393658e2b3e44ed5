package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 12 item 5: both ends of a tunnel agree on one path. Behind a symmetric NAT
 * (address-and-port-dependent mapping) on one side and a cone NAT on the other, only the
 * symmetric side's PROBE gets through, from a fresh mapping the DC never saw; its PROBE_ACK made
 * that side direct while the cone side, whose own PROBEs the symmetric NAT filters, stayed on the
 * RS (split path). Now the cone side answers such a PROBE with a triggered check of its own to the
 * PROBE's source (RFC 8445 section 7.3.1.4), so both switch. Where no PROBE gets through in
 * either direction, both stay on the RS.
 */
class PathAgreementMemoryTest {

    @ParameterizedTest(name = "MN behind {0}, CN behind {1}: {2}")
    @CsvSource({
        "SYMMETRIC, FULL_CONE, direct",
        "FULL_CONE, SYMMETRIC, direct",
        "SYMMETRIC, RESTRICTED_CONE, direct",
        "RESTRICTED_CONE, SYMMETRIC, direct",
        "SYMMETRIC, PORT_RESTRICTED_CONE, relay", // no PROBE passes either way: both stay on the RS
        "PORT_RESTRICTED_CONE, PORT_RESTRICTED_CONE, direct",
        "SYMMETRIC, SYMMETRIC, relay",
    })
    void bothEndsTakeTheSamePath(String mnNat, String cnNat, String expected) throws Exception {
        try (MemoryLab lab = new MemoryLab(nat(cnNat), nat(mnNat), CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", lab.p1, "10.1.0.10");
            TunnelInfo t = resolveAndAwaitPath(mn, cn, expected);
            if (expected.equals("relay")) {
                // give route optimisation its whole budget: neither end may switch alone
                Thread.sleep(1_500);
                assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), "relay")).isEqualTo("relay");
                assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), "relay")).isEqualTo("relay");
                Table1MemoryTest.echo(mn, cn.virtualV4(), "MN -> CN through the RS");
                Table1MemoryTest.echo(cn, mn.virtualV4(), "CN -> MN through the RS");
                return;
            }
            if (mnNat.equals("SYMMETRIC") != cnNat.equals("SYMMETRIC")) {
                // the cone side switched on the PROBE_ACK to its triggered check
                NtmNode cone = mnNat.equals("SYMMETRIC") ? cn : mn;
                assertThat(cone.counters().get("triggeredChecks")).as("triggered checks").isPositive();
            }
            Thread.sleep(200); // anything sent before the switch has left the RS
            long relayed = lab.rs.counters().get("relayed");
            Table1MemoryTest.echo(mn, cn.virtualV4(), "MN -> CN direct");
            Table1MemoryTest.echo(cn, mn.virtualV4(), "CN -> MN direct");
            Table1MemoryTest.tcpEcho(mn, cn.virtualV6(), 50_000);
            Table1MemoryTest.tcpEcho(cn, mn.virtualV4(), 50_000);
            assertThat(lab.rs.counters().get("relayed")).as("datagrams the RS relayed once both ends were direct")
                    .isEqualTo(relayed);
        }
    }

    /** {@code mn} resolves {@code cn}; both ends' tunnel tables must show {@code path} in time. */
    static TunnelInfo resolveAndAwaitPath(NtmNode mn, NtmNode cn, String path) throws Exception {
        TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
        assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), path)).as("%s's path", mn.fqdn()).isEqualTo(path);
        assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), path)).as("%s's path", cn.fqdn()).isEqualTo(path);
        return t;
    }

    static NatBehaviour nat(String name) throws Exception {
        return (NatBehaviour) NatBehaviour.class.getField(name).get(null);
    }
}
