package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.Cidr;
import org.ntmlab.lab.topology.Impairment;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.NatType;

class NatProbeTest {

    @Test
    void readsStunClientsVerdict() {
        String out = """
                test I = 1
                test II = 0
                Primary: Independent Mapping, Port Dependent Filter, preserves ports, no hairpin\t
                Return value is 0x000017
                """;
        String primary = NatProbe.primaryLine(out);
        assertThat(primary).isEqualTo("Independent Mapping, Port Dependent Filter, preserves ports, no hairpin");
        assertThat(NatProbe.classify(primary)).contains(NatType.PORT_RESTRICTED_CONE);
        assertThat(NatProbe.classify("Dependent Mapping, random port, no hairpin")).contains(NatType.SYMMETRIC);
        assertThat(NatProbe.classify("Independent Mapping, Independent Filter, preserves ports, no hairpin"))
                .contains(NatType.FULL_CONE);
        assertThat(NatProbe.classify("Independent Mapping, Address Dependent Filter, preserves ports")).isEmpty();
        assertThat(NatProbe.classify("Open")).isEmpty();
        assertThat(NatProbe.primaryLine("Blocked or could not reach STUN server")).isEmpty();
    }

    @Test
    void everyBuildableTypeIsReadBackFromItsLine() {
        for (NatType t : NatType.dockerBuildable()) {
            assertThat(NatProbe.classify(t.stunClassification())).as(t.toString()).contains(t);
            NatProbe.Result r = new NatProbe.Result("r", t, t.stunClassification(), NatProbe.classify(t.stunClassification()));
            assertThat(r.matchesDeclared()).isTrue();
        }
        assertThat(NatProbe.classify("Independent Mapping, Address Dependent Filter, preserves ports, will hairpin"))
                .contains(NatType.CGNAT);
        NatProbe.Result cone = new NatProbe.Result("r1", NatType.RESTRICTED_CONE,
                NatType.FULL_CONE.stunClassification(), NatProbe.classify(NatType.FULL_CONE.stunClassification()));
        assertThat(cone.matchesDeclared()).isFalse();
        assertThat(cone.toString()).isEqualTo("r1: declared restricted-cone, stun-client says 'Independent Mapping,"
                + " Independent Filter, preserves ports, no hairpin' (full-cone)");
        // hairpinning and port preservation count
        assertThat(new NatProbe.Result("r", NatType.CGNAT, "", NatProbe.classify(
                "Independent Mapping, Address Dependent Filter, preserves ports, no hairpin")).matchesDeclared()).isFalse();
        assertThat(NatProbe.classify("Independent Mapping, Port Dependent Filter, random port, no hairpin"))
                .contains(new NatType(NatType.Mapping.ENDPOINT_INDEPENDENT, NatType.Filtering.ADDRESS_AND_PORT_DEPENDENT,
                        false, false));
        assertThat(NatProbe.classify("Firewall")).isEmpty();
        assertThat(NatProbe.classify("Independent Mapping, Odd Filter, preserves ports, no hairpin")).isEmpty();
        assertThat(NatProbe.classify("Dependent Mapping, random port, maybe")).isEmpty();
    }

    @Test
    void oneToOneRulesFilterAndHairpin() {
        Cidr in = Cidr.of("100.64.0.0/24");
        Map<java.net.InetAddress, java.net.InetAddress> map = Map.of(IpLiteral.of("100.64.0.10"),
                IpLiteral.of("198.51.100.100"));
        List<String> cgnat = NatRules.commands(NatType.CGNAT, in, "eth0", "eth1", map);
        assertThat(cgnat).containsSubsequence(
                "iptables -A FORWARD -i eth0 -o eth1 -j SET --add-set ntm-adf src,src,dst --exist",
                "iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT",
                "iptables -A FORWARD -i eth1 -o eth0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "iptables -A FORWARD -i eth1 -o eth0 -m conntrack --ctstate DNAT -m set --match-set ntm-adf dst,dst,src"
                        + " -j ACCEPT",
                "iptables -A FORWARD -i eth1 -o eth0 -j DROP");
        assertThat(cgnat).contains(
                "iptables -A FORWARD -i eth0 -o eth0 -m conntrack --ctstate DNAT -j ACCEPT",
                "iptables -t nat -A PREROUTING -i eth1 -d 198.51.100.100 -j DNAT --to-destination 100.64.0.10",
                "iptables -t nat -A PREROUTING -i eth0 -d 198.51.100.100 -j DNAT --to-destination 100.64.0.10",
                "iptables -t nat -A POSTROUTING -o eth1 -s 100.64.0.10 -j SNAT --to-source 198.51.100.100",
                "iptables -t nat -A POSTROUTING -o eth0 -s 100.64.0.10 -m conntrack --ctstate DNAT -j SNAT --to-source"
                        + " 198.51.100.100");
        assertThat(NatRules.needsAdfSet(NatType.CGNAT)).isTrue();
        assertThat(NatRules.needsAdfSet(NatType.FULL_CONE)).isFalse();
        // a port-restricted cone that hairpins is 1:1 with no filter rule: conntrack alone
        List<String> prcHairpin = NatRules.commands(new NatType(NatType.Mapping.ENDPOINT_INDEPENDENT,
                NatType.Filtering.ADDRESS_AND_PORT_DEPENDENT, true, true), in, "eth0", "eth1", map);
        assertThat(prcHairpin).noneMatch(c -> c.contains("MASQUERADE") || c.contains("ntm-adf")
                || c.contains("-i eth1 -o eth0 -m conntrack --ctstate DNAT"));
        assertThat(prcHairpin).contains("iptables -t nat -A PREROUTING -i eth0 -d 198.51.100.100 -j DNAT"
                + " --to-destination 100.64.0.10");
        // no hairpinning: no rule on the inside interface
        assertThat(NatRules.commands(NatType.FULL_CONE, in, "eth0", "eth1", map)).noneMatch(c -> c.contains("-i eth0 -d")
                || c.contains("-o eth0 -s"));
        assertThat(NatRules.filterTimeoutSeconds(null)).isEqualTo(120);
        assertThat(NatRules.filterTimeoutSeconds(java.time.Duration.ofMillis(300))).isEqualTo(1);
        assertThatThrownBy(() -> NatRules.commands(NatType.of(NatType.Mapping.ADDRESS_DEPENDENT,
                NatType.Filtering.ADDRESS_DEPENDENT), in, "eth0", "eth1", map))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address-dependent mapping");
    }

    @Test
    void natRulesPerType() {
        Cidr in = Cidr.of("192.168.1.0/24");
        assertThat(NatRules.commands(NatType.PORT_RESTRICTED_CONE, in, "eth0", "eth1", Map.of()))
                .contains("iptables -t nat -A POSTROUTING -o eth1 -s 192.168.1.0/24 -j MASQUERADE")
                .contains("iptables -A FORWARD -i eth1 -o eth0 -j DROP");
        assertThat(NatRules.commands(NatType.SYMMETRIC, in, "eth0", "eth1", Map.of()))
                .contains("iptables -t nat -A POSTROUTING -o eth1 -s 192.168.1.0/24 -j MASQUERADE --random-fully");
        assertThat(NatRules.commands(NatType.FULL_CONE, in, "eth0", "eth1",
                Map.of(IpLiteral.of("192.168.1.10"), IpLiteral.of("198.51.100.101"))))
                .contains("iptables -t nat -A PREROUTING -i eth1 -d 198.51.100.101 -j DNAT --to-destination 192.168.1.10",
                        "iptables -t nat -A POSTROUTING -o eth1 -s 192.168.1.10 -j SNAT --to-source 198.51.100.101");
    }

    @Test
    void impairmentCommands() {
        List<String> c = ImpairmentRules.commands(new Impairment("a", "g4", null, null, 2.5, 10_000_000), "eth1",
                true, false, 0);
        assertThat(c).contains(
                "iptables -A OUTPUT -o eth1 -m statistic --mode random --probability 0.025000 -j DROP",
                "ip6tables -A FORWARD -o eth1 -m statistic --mode random --probability 0.025000 -j DROP",
                "tc qdisc add dev eth1 root handle 1: tbf rate 10000000bit burst 25000 latency 200ms");
        List<String> d = ImpairmentRules.commands(new Impairment("a", "g4", java.time.Duration.ofMillis(20),
                java.time.Duration.ofMillis(5), 0, 0), "eth0", false, true, 3);
        assertThat(d).containsExactly("tc qdisc add dev eth0 root handle 1: netem delay 20000us 5000us");
        // without netem: NFQUEUE on the egress, both families on a dual-stack segment, TBF kept
        List<String> e = ImpairmentRules.commands(new Impairment("r", "g6", java.time.Duration.ofMillis(20),
                null, 0, 1_000_000), "eth1", true, false, 3);
        assertThat(e).containsExactly(
                "iptables -t mangle -A POSTROUTING -o eth1 -j NFQUEUE --queue-num 3",
                "ip6tables -t mangle -A POSTROUTING -o eth1 -j NFQUEUE --queue-num 3",
                "tc qdisc add dev eth1 root handle 1: tbf rate 1000000bit burst 3200 latency 200ms");
    }
}
