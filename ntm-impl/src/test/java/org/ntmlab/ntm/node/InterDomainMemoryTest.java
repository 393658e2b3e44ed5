package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Two domains (paper section 3.2: "DCmn looks for DCcn through DNS ... the direction to the CN
 * goes through DCcn"): every MN of a.ntm.example x CN of b.ntm.example cell of Table 1
 * resolves through DC a -> DNS -> DC b, carries UDP and TCP echo over virtual IPv4 and IPv6,
 * and takes the paper's path, on both ends; the MN learns it from DC a, the CN from DC b.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterDomainMemoryTest {

    static final String A = InterDomainLab.DOMAIN_A;
    static final String B = InterDomainLab.DOMAIN_B;
    private InterDomainLab lab;

    @BeforeAll
    void start() throws Exception {
        lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM);
        lab.node("mn-g4", A, lab.global4, "198.51.100.31");
        lab.node("mn-p2", A, lab.p2, "10.2.0.10");
        lab.node("mn-v6", A, lab.global6, "2001:db8::31");
        lab.node("cn-g4", B, lab.global4, "198.51.100.41");
        lab.node("cn-p1", B, lab.p1, "10.1.0.10");
        lab.node("cn-v6", B, lab.global6, "2001:db8::41");
    }

    @AfterAll
    void stop() {
        lab.close();
    }

    @ParameterizedTest(name = "{0}.a -> {1}.b: {2}, then {3}")
    @CsvSource({
        "mn-g4, cn-g4, direct, direct",   // both global
        "mn-g4, cn-p1, direct, direct",   // CN behind NAT: the CN opens
        "mn-g4, cn-v6, relay,  relay",    // IPv4 <-> IPv6
        "mn-p2, cn-g4, direct, direct",   // MN behind NAT, CN global
        "mn-p2, cn-p1, relay,  direct",   // both behind cone NATs: relay, then route optimisation
        "mn-p2, cn-v6, relay,  relay",
        "mn-v6, cn-g4, relay,  relay",
        "mn-v6, cn-p1, relay,  relay",
        "mn-v6, cn-v6, direct, direct",
    })
    void crossDomainCell(String mnName, String cnName, String firstPath, String finalPath) throws Exception {
        NtmNode mn = lab.nodes.get(mnName);
        NtmNode cn = lab.nodes.get(cnName);
        assertThat(mn.fqdn()).endsWith("." + A);
        assertThat(cn.fqdn()).endsWith("." + B);
        TunnelInfo t = mn.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS);
        assertThat(t.isUp()).isTrue();
        assertThat(t.path()).as("first path").isEqualTo(firstPath);
        assertThat(t.peerVirtualV4()).isEqualTo(cn.virtualV4());
        assertThat(t.peerVirtualV6()).isEqualTo(cn.virtualV6());

        Table1MemoryTest.echo(mn, cn.virtualV4(), "UDP over virtual IPv4 " + mnName + "." + A + " -> " + cnName);
        Table1MemoryTest.echo(mn, cn.virtualV6(), "UDP over virtual IPv6 " + mnName + "." + A + " -> " + cnName);
        Table1MemoryTest.tcpEcho(mn, cn.virtualV4(), 200_000);
        Table1MemoryTest.tcpEcho(mn, cn.virtualV6(), 100_000);

        assertThat(Table1MemoryTest.awaitPath(mn, t.tunnelId(), finalPath)).as("MN's path").isEqualTo(finalPath);
        assertThat(Table1MemoryTest.awaitPath(cn, t.tunnelId(), finalPath)).as("CN's path").isEqualTo(finalPath);
        TunnelInfo cnSide = cn.tunnels().get(2, TimeUnit.SECONDS).stream()
                .filter(x -> x.tunnelId() == t.tunnelId()).findFirst().orElseThrow();
        assertThat(cnSide.peerFqdn()).isEqualTo(mn.fqdn());
        assertThat(cnSide.role()).isEqualTo("responder");
        Table1MemoryTest.echo(mn, cn.virtualV4(), "after the path settled");
    }

    /** Each node only talks to its own DC: DC a asked DNS and DC b, DC b handed the CN its direction. */
    @Test
    void eachEndIsDirectedByItsOwnDc() throws Exception {
        NtmNode mn = lab.node("mn-own", A, lab.global4, "198.51.100.32");
        NtmNode cn = lab.node("cn-own", B, lab.global4, "198.51.100.42");
        DirectionCoordinator dcA = lab.dc(A);
        DirectionCoordinator dcB = lab.dc(B);
        long remoteBefore = dcA.counters().get("remoteRequests");
        long answeredBefore = dcB.counters().get("dcQueriesAnswered");
        long foreignBefore = dcB.counters().get("foreignTunnels");
        mn.resolve(cn.fqdn()).get(8, TimeUnit.SECONDS);
        assertThat(dcA.counters().get("remoteRequests")).isEqualTo(remoteBefore + 1);
        assertThat(dcB.counters().get("dcQueriesAnswered")).isGreaterThan(answeredBefore);
        assertThat(dcB.counters().get("foreignTunnels")).isEqualTo(foreignBefore + 1);
        // DC b knows the MN only by the name DC a gave; DC a never registered the CN
        assertThat(dcA.registrations().get(2, TimeUnit.SECONDS)).doesNotContainKey(cn.fqdn());
        assertThat(dcB.registrations().get(2, TimeUnit.SECONDS)).doesNotContainKey(mn.fqdn());
        assertThat(dcA.counters().get("dcBAD_AUTH") + dcB.counters().get("dcBAD_AUTH")).isZero();
    }

    /** The other way round: DC b is DCmn, DC a is DCcn (DC b has no RS, so a direct cell). */
    @Test
    void domainBCanBeTheMnSideToo() throws Exception {
        NtmNode mn = lab.node("mn-b", B, lab.p1, "10.1.0.11");
        NtmNode cn = lab.node("cn-a", A, lab.global4, "198.51.100.33");
        TunnelInfo t = mn.resolve(cn.fqdn() + ".").get(8, TimeUnit.SECONDS); // an absolute name works too
        assertThat(t.path()).isEqualTo("direct");
        Table1MemoryTest.echo(mn, cn.virtualV6(), "from b to a");
        Table1MemoryTest.tcpEcho(mn, cn.virtualV4(), 50_000);
    }

    /** A second resolution of the domain uses the DNS answer cached with its TTL. */
    @Test
    void dnsAnswerIsCached() throws Exception {
        NtmNode mn = lab.node("mn-cache", A, lab.global4, "198.51.100.34");
        NtmNode cn1 = lab.node("cn-cache1", B, lab.global4, "198.51.100.43");
        NtmNode cn2 = lab.node("cn-cache2", B, lab.global4, "198.51.100.44");
        mn.resolve(cn1.fqdn()).get(8, TimeUnit.SECONDS);
        long queries = lab.dc(A).counters().get("dnsQueriesSent");
        long hits = lab.dc(A).counters().get("dnsCacheHits");
        mn.resolve(cn2.fqdn()).get(8, TimeUnit.SECONDS);
        assertThat(lab.dc(A).counters().get("dnsQueriesSent")).isEqualTo(queries);
        assertThat(lab.dc(A).counters().get("dnsCacheHits")).isEqualTo(hits + 1);
    }
}
