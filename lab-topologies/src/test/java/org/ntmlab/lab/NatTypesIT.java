package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyBuilder;

/**
 * Each NAT type the Docker lab builds is classified as itself by a third-party STUN client, in
 * one lab: a router per buildable type, the carrier NAT of NAT444 with a home NAT below it.
 */
class NatTypesIT {

    /** The address-dependent filter's permissions expire after this (the router's mappingTimeout). */
    static final Duration ADF_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The catalogue lab: {@code r<i>} behind {@code p<i>} with node {@code n<i>} (and {@code m<i>}
     * for a 1:1 router, the second inside host of the hairpin check) for every buildable
     * type but two, which sit in NAT444: {@code cgn} (cgnat) with {@code carrier} 100.64.0.0/24
     * inside, subscriber {@code sub} there, and home router {@code home} (port-restricted-cone)
     * with {@code h1} behind it. {@code peer} is a host on the global segment.
     */
    static Topology catalogue() {
        TopologyBuilder b = Topology.builder("nat-catalogue").globalSegment("g4", "203.0.113.0/24");
        b.privateSegment("carrier", "100.64.0.0/24", "cgn").router("cgn", NatType.CGNAT, "carrier", "g4")
                .node("sub", "sub.ntm.example", "carrier");
        b.privateSegment("home", "192.168.90.0/24", "home")
                .router("home", NatType.PORT_RESTRICTED_CONE, "home", "carrier")
                .node("h1", "h1.ntm.example", "home");
        int i = 0;
        for (NatType type : NatType.dockerBuildable()) {
            if (type.equals(NatType.CGNAT) || type.equals(NatType.PORT_RESTRICTED_CONE)) {
                continue;
            }
            i++;
            b.privateSegment("p" + i, "192.168." + (70 + i) + ".0/24", "r" + i)
                    .router("r" + i, type, type.equals(NatType.RESTRICTED_CONE) ? ADF_TIMEOUT : null, "p" + i, "g4")
                    .node("n" + i, "n" + i + ".ntm.example", "p" + i);
            if (type.dockerOneToOne()) {
                b.node("m" + i, "m" + i + ".ntm.example", "p" + i);
            }
        }
        return b.node("peer", "peer.ntm.example", "g4").build();
    }

    @Test
    void everyBuildableTypeIsClassifiedAsItself() {
        Topology file = catalogue();
        assertThat(file.routers()).extracting(Router::nat).containsExactlyInAnyOrderElementsOf(NatType.dockerBuildable());
        // relocatable: every address below is read from the lab's topology (docs/lab.md "Parallel labs")
        try (Lab lab = Lab.start(file, LabOptions.defaults().withVerifyNat(false).withCapture(false).withRelocation(true))) {
            Topology t = lab.topology();
            List<NatProbe.Result> results = lab.probeNats();
            StringBuilder table = new StringBuilder("\n| router | declared | stun-client Primary |\n|---|---|---|\n");
            results.forEach(r -> table.append("| ").append(r.router()).append(" | ").append(r.declared().yamlName())
                    .append(" | ").append(r.primaryLine()).append(" |\n"));
            System.out.println(table);
            lab.note(table.toString());
            for (NatProbe.Result r : results) {
                assertThat(r.primaryLine()).as(r.toString()).isEqualTo(r.declared().stunClassification());
                assertThat(r.matchesDeclared()).as(r.toString()).isTrue();
            }
            assertThat(results).hasSize(NatType.dockerBuildable().size());

            // Hairpinning from one inside host to another (stun-client only hairpins to itself):
            // delivered from the sender's outside address, or not at all.
            Map<String, String> hairpin = new LinkedHashMap<>();
            for (Router r : t.routers()) {
                var pair = lab.hairpinPair(r);
                if (pair.isEmpty()) {
                    continue;
                }
                String seen = lab.hairpinProbe(r, pair.get().get(0), pair.get().get(1));
                hairpin.put(r.name() + " " + r.nat().yamlName() + " " + pair.get(), seen);
                assertThat(seen).as("hairpin at %s (%s) %s", r.name(), r.nat(), pair.get())
                        .isEqualTo(r.nat().hairpinning() ? lab.hairpinSource(r, pair.get().get(0)) : "");
            }
            System.out.println("hairpin checks: " + hairpin);
            assertThat(hairpin.keySet()).as("checked").anyMatch(k -> k.startsWith("cgn "))
                    .hasSizeGreaterThanOrEqualTo(4);

            addressDependentFilterExpires(lab, t);
            symmetricFiltersByAddressAndPort(lab, t);
        }
    }

    /**
     * stun-client does not test the filtering of a dependent mapping: the symmetric router lets in
     * the endpoint its inside host sent to, and not another port of that address.
     */
    private static void symmetricFiltersByAddressAndPort(Lab lab, Topology t) {
        Router sym = t.routers().stream().filter(r -> r.nat().equals(NatType.SYMMETRIC)).findFirst().orElseThrow();
        String inside = t.nodes().stream().filter(n -> n.segment().equals(sym.inside())).findFirst().orElseThrow()
                .name();
        InetAddress peer = t.addresses().on("peer", "g4").ipv4();
        String[] mapped = lab.udpProbe(inside, 40001, peer, 9998, "peer").split(":");
        assertThat(mapped[0]).isEqualTo(IpLiteral.format(t.addresses().on(sym.name(), sym.outside()).ipv4()));
        InetAddress e = IpLiteral.of(mapped[0]);
        int port = Integer.parseInt(mapped[1]);
        String otherPort = lab.udpProbe("peer", 5557, e, port, inside, 40001);
        String contacted = lab.udpProbe("peer", 9998, e, port, inside, 40001);
        System.out.println("symmetric filter at " + sym.name() + ": mapping " + String.join(":", mapped) + ", from "
                + "another port '" + otherPort + "', from the contacted endpoint '" + contacted + "'");
        assertThat(List.of(otherPort, contacted)).containsExactly("", IpLiteral.format(peer) + ":9998");
    }

    /**
     * The restricted cone lets the contacted address in from another port, until the permission
     * is older than the mapping timeout.
     */
    private static void addressDependentFilterExpires(Lab lab, Topology t) {
        Router rc = t.routers().stream().filter(r -> r.nat().equals(NatType.RESTRICTED_CONE)).findFirst().orElseThrow();
        String inside = t.nodes().stream().filter(n -> n.segment().equals(rc.inside())).findFirst().orElseThrow().name();
        InetAddress peer = t.addresses().on("peer", "g4").ipv4();
        InetAddress mapped = t.addresses().oneToOne(rc.name()).get(t.addresses().on(inside, rc.inside()).ipv4());
        String p = IpLiteral.format(peer);
        List<String> seen = new ArrayList<>();
        seen.add(lab.udpProbe(inside, 40000, peer, 9999, "peer"));
        seen.add(lab.udpProbe("peer", 5555, mapped, 40000, inside));
        sleep(ADF_TIMEOUT.plusSeconds(2));
        seen.add(lab.udpProbe("peer", 5556, mapped, 40000, inside));
        System.out.println("address-dependent filter at " + rc.name() + ": " + seen);
        assertThat(seen).containsExactly(IpLiteral.format(mapped) + ":40000", p + ":5555", "");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"symmetric", "full-cone"})
    void aMislabelledRouterIsCaught(String actualName) {
        NatType actual = NatType.fromYaml(actualName).orElseThrow();
        // Declared cone, but rewired below to another behaviour: verification must say so.
        Topology file = Topology.builder("mislabelled")
                .globalSegment("g4", "203.0.113.0/24")
                .privateSegment("p1", "192.168.78.0/24", "r1")
                .router("r1", NatType.PORT_RESTRICTED_CONE, "p1", "g4")
                .node("p1", "p1.ntm.example", "p1")
                .build();
        try (Lab lab = Lab.start(file, LabOptions.defaults().withVerifyNat(false).withCapture(false).withRelocation(true))) {
            Topology t = lab.topology();
            LabHost r1 = lab.host("r1");
            r1.execOk("iptables -t nat -F POSTROUTING; iptables -F FORWARD; iptables -F INPUT");
            String in = r1.interfaceOn("p1");
            String out = r1.interfaceOn("g4");
            for (String c : NatRules.commands(actual, t.segment("p1").orElseThrow().ipv4(), in, out,
                    t.addresses().oneToOne("r1").isEmpty()
                            ? java.util.Map.of(t.addresses().on("p1", "p1").ipv4(), t.addresses().on("r1", "g4").ipv4())
                            : t.addresses().oneToOne("r1"))) {
                r1.execOk(c);
            }
            NatProbe.Result r = lab.probeNat(t.routers().get(0));
            assertThat(r.matchesDeclared()).as(r.toString()).isFalse();
            assertThat(r.observed()).contains(actual);
        }
    }
}
