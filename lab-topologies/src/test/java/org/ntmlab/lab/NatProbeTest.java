package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

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
