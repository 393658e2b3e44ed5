package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The expected-path rule table (docs/topology-format.md, "Expected paths") on many shapes of network. */
class PathOracleTest {

    private static Topology load(String file) {
        return TopologyParser.parse(Path.of(System.getProperty("ntm.topologies", "../topologies")).resolve(file));
    }

    private static Map<String, String> grid(Topology t) {
        Map<String, String> out = new TreeMap<>();
        t.matrix().cells().forEach(c -> out.put(c.toString(), PathOracle.expected(t, c.mn(), c.cn()).label()));
        return out;
    }

    /** The paper's Table 1, as the paper gives it (section 5). */
    @Test
    void table1IsThePapersTable() {
        assertThat(grid(load("table1.yaml"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "g4 → g4b", "direct", "g4 → p1", "direct", "g4 → v6b", "relay",
                "p2 → g4b", "direct", "p2 → p1", "direct(optimised)", "p2 → v6b", "relay",
                "v6 → g4b", "relay", "v6 → p1", "relay", "v6 → v6b", "direct"));
        assertThat(PathOracle.expected(load("table1.yaml"), "p2", "p1").rule()).isEqualTo(PathOracle.Rule.TWO_NATS);
        assertThat(PathOracle.expected(load("table1.yaml"), "v6", "p1").rule())
                .isEqualTo(PathOracle.Rule.NO_COMMON_FAMILY);
    }

    /** The shipped beyond-the-paper file: one NAT shape per cell. */
    @Test
    void natMixHasOneShapePerCell() {
        Map<String, String> g = grid(load("nat-mix.yaml"));
        assertThat(g).containsExactlyInAnyOrderEntriesOf(Map.of(
                "a1 → a2", "direct(optimised)", "s → f", "direct(optimised)", "s → a1", "relay",
                "n → f", "direct(optimised)", "n → a1", "relay", "h1 → h2", "direct(optimised)",
                "h1 → f", "direct(optimised)", "a2 → v", "direct", "v → s", "relay"));
        Topology t = load("nat-mix.yaml");
        assertThat(PathOracle.expected(t, "a1", "a2").rule()).isEqualTo(PathOracle.Rule.SAME_SEGMENT);
        assertThat(PathOracle.expected(t, "h1", "h2").rule()).isEqualTo(PathOracle.Rule.SHARED_NAT);
        assertThat(PathOracle.expected(t, "n", "a1").why()).contains("n maps per destination and ra on a1's side filters");
    }

    // ------------------------------------------------------------------ shapes beyond the paper

    /**
     * g4 (global) with: a1, a2 on p1 behind r1; b on p2 behind r2; a home network h1 behind
     * home1 and h2 behind home2, both on the ISP segment isp behind cgn; c on isp itself; d, e on
     * h1, h2; v on an IPv6-only segment; w on a dual-stack segment.
     */
    private static Topology shapes(String r1, String r2, String cgn) {
        return TopologyParser.parse("shapes.yaml", """
                name: shapes
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 192.168.1.0/24, behind: r1 }
                  - { name: p2, kind: ipv4-private, ipv4: 192.168.2.0/24, behind: r2 }
                  - { name: isp, kind: ipv4-private, ipv4: 10.64.0.0/16, behind: cgn }
                  - { name: h1, kind: ipv4-private, ipv4: 192.168.11.0/24, behind: home1 }
                  - { name: h2, kind: ipv4-private, ipv4: 192.168.12.0/24, behind: home2 }
                  - { name: v6, kind: ipv6-only, ipv6: "2001:db8:6::/64" }
                  - { name: ds, kind: dual-stack, ipv4: 203.0.113.0/24, ipv6: "2001:db8:7::/64" }
                routers:
                  - { name: r1, nat: %s, inside: p1, outside: g4 }
                  - { name: r2, nat: %s, inside: p2, outside: g4 }
                  - { name: cgn, nat: %s, inside: isp, outside: g4 }
                  - { name: home1, nat: port-restricted-cone, inside: h1, outside: isp }
                  - { name: home2, nat: port-restricted-cone, inside: h2, outside: isp }
                nodes:
                  - { name: a1, fqdn: a1.ntm.example, segment: p1 }
                  - { name: a2, fqdn: a2.ntm.example, segment: p1 }
                  - { name: b, fqdn: b.ntm.example, segment: p2 }
                  - { name: c, fqdn: c.ntm.example, segment: isp }
                  - { name: d, fqdn: d.ntm.example, segment: h1 }
                  - { name: e, fqdn: e.ntm.example, segment: h2 }
                  - { name: g, fqdn: g.ntm.example, segment: g4 }
                  - { name: g2, fqdn: g2.ntm.example, segment: g4 }
                  - { name: v, fqdn: v.ntm.example, segment: v6 }
                  - { name: w, fqdn: w.ntm.example, segment: ds }
                  - { name: x, fqdn: x.ntm.example, segments: [p1, v6] }
                """.formatted(r1, r2, cgn));
    }

    private static PathOracle.Expected cell(Topology t, String mn, String cn) {
        return PathOracle.expected(t, mn, cn);
    }

    @Test
    void sameSegment() {
        Topology t = shapes("port-restricted-cone", "port-restricted-cone", "port-restricted-cone");
        // on the Internet: nothing between them
        assertThat(cell(t, "g", "g2")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct", PathOracle.Rule.SAME_SEGMENT);
        // behind one NAT that does not hairpin: the DC sees both NATed; host endpoints go direct
        assertThat(cell(t, "a1", "a2")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct(optimised)", PathOracle.Rule.SAME_SEGMENT);
        // the same NAT type being symmetric changes nothing: no NAT between them
        assertThat(cell(shapes("symmetric", "symmetric", "symmetric"), "a1", "a2").label())
                .isEqualTo("direct(optimised)");
    }

    @Test
    void hostEndpointsStayWithinOneDomain() {
        String yaml = """
                name: two-domains-one-nat
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 192.168.1.0/24, behind: r1 }
                routers:
                  - { name: r1, nat: port-restricted-cone, inside: p1, outside: g4 }
                servers:
                  - { name: dca, role: dc, domain: a.ntm.example, attach: [ { segment: g4 } ] }
                  - { name: dcb, role: dc, domain: b.ntm.example, attach: [ { segment: g4 } ] }
                  - { name: rs, role: rs, attach: [ { segment: g4 } ] }
                nodes:
                  - { name: x, fqdn: x.a.ntm.example, segment: p1 }
                  - { name: y, fqdn: y.b.ntm.example, segment: p1 }
                  - { name: z, fqdn: z.a.ntm.example, segment: p1 }
                """;
        Topology t = TopologyParser.parse("two-domains-one-nat.yaml", yaml);
        assertThat(cell(t, "x", "y").label()).isEqualTo("relay");
        assertThat(cell(t, "x", "y").why()).contains("only within one domain");
        assertThat(cell(t, "x", "z").label()).isEqualTo("direct(optimised)");
    }

    @Test
    void oneEndWithoutNatOfItsOwn() {
        Topology t = shapes("symmetric", "symmetric", "symmetric");
        // a NATed end reaches a global one whatever its NAT: it opens the path
        assertThat(cell(t, "a1", "g").label()).isEqualTo("direct");
        assertThat(cell(t, "d", "g").rule()).isEqualTo(PathOracle.Rule.ONE_SIDE_OPEN);
        // c sits on the ISP segment that d reaches through home1: both behind cgn, so the DC sees
        // both NATed; c's host endpoint answers
        assertThat(cell(t, "d", "c")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct(optimised)", PathOracle.Rule.ONE_SIDE_OPEN);
    }

    @Test
    void twoNatsByTheirRfc4787Behaviours() {
        assertThat(cell(shapes("port-restricted-cone", "port-restricted-cone", "full-cone"), "a1", "b").label())
                .isEqualTo("direct(optimised)");
        assertThat(cell(shapes("symmetric", "symmetric", "full-cone"), "a1", "b").label()).isEqualTo("relay");
        // symmetric against full cone: the PROBE from the new mapping gets in; both ends switch
        assertThat(cell(shapes("symmetric", "full-cone", "full-cone"), "a1", "b").label())
                .isEqualTo("direct(optimised)");
        assertThat(cell(shapes("full-cone", "symmetric", "full-cone"), "a1", "b").label())
                .isEqualTo("direct(optimised)");
        // symmetric against port-restricted: dropped
        PathOracle.Expected e = cell(shapes("symmetric", "port-restricted-cone", "full-cone"), "a1", "b");
        assertThat(e.label()).isEqualTo("relay");
        assertThat(e.why()).contains("r2 on b's side filters by address and port");
    }

    @Test
    void nestedNatsCountAsOneChain() {
        // d: home1 (cone) behind cgn (symmetric) -> the chain maps per destination
        assertThat(cell(shapes("port-restricted-cone", "port-restricted-cone", "symmetric"), "d", "b").label())
                .isEqualTo("relay");
        assertThat(cell(shapes("port-restricted-cone", "full-cone", "symmetric"), "d", "b").label())
                .isEqualTo("direct(optimised)");
        assertThat(cell(shapes("port-restricted-cone", "port-restricted-cone", "port-restricted-cone"), "d", "b")
                .label()).isEqualTo("direct(optimised)");
    }

    @Test
    void twoHomesUnderOneCarrierNatNeedItsHairpin() {
        PathOracle.Expected e = cell(shapes("port-restricted-cone", "port-restricted-cone", "port-restricted-cone"),
                "d", "e");
        assertThat(e.label()).isEqualTo("relay");
        assertThat(e.rule()).isEqualTo(PathOracle.Rule.SHARED_NAT);
        assertThat(e.why()).contains("the shared NAT cgn does not hairpin");
    }

    @Test
    void addressFamilies() {
        Topology t = shapes("port-restricted-cone", "port-restricted-cone", "port-restricted-cone");
        assertThat(cell(t, "v", "x")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct", PathOracle.Rule.IPV6);
        // IPv6 on two segments: the lab routes nothing between segments
        assertThat(cell(t, "v", "w")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("relay", PathOracle.Rule.DISCONNECTED);
        assertThat(cell(t, "v", "a1")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("relay", PathOracle.Rule.NO_COMMON_FAMILY);
        // w's IPv4 is another global network than g4: no IPv4 way between them
        assertThat(cell(t, "w", "g").rule()).isEqualTo(PathOracle.Rule.DISCONNECTED);
    }

    /** x is dual-stack: behind r1 on IPv4 and native on IPv6. */
    @Test
    void aDualStackNodeTakesIpv6WhereItCanAndItsIpv4NatsElsewhere() {
        Topology t = shapes("port-restricted-cone", "symmetric", "port-restricted-cone");
        assertThat(cell(t, "x", "v")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct", PathOracle.Rule.IPV6);
        assertThat(cell(t, "v", "x").label()).isEqualTo("direct");
        assertThat(cell(t, "x", "a1")).extracting(PathOracle.Expected::label, PathOracle.Expected::rule)
                .containsExactly("direct(optimised)", PathOracle.Rule.SAME_SEGMENT);
        assertThat(cell(t, "x", "b").label()).isEqualTo("relay"); // port-restricted x symmetric
        assertThat(cell(t, "x", "g").label()).isEqualTo("direct");
        // its IPv6 segment is not w's: the lab routes no IPv6 between segments, and w's IPv4 is elsewhere
        assertThat(cell(t, "x", "w").rule()).isEqualTo(PathOracle.Rule.DISCONNECTED);
        assertThat(t.addresses().of("x")).hasSize(2);
        assertThat(t.addresses().of("x").get(0).ipv4()).isNotNull();
        assertThat(t.addresses().of("x").get(1).ipv6()).isNotNull();
    }

    @Test
    void chainsFollowNestedNatsOutward() {
        Topology t = shapes("port-restricted-cone", "port-restricted-cone", "port-restricted-cone");
        assertThat(PathOracle.chain(t, "h1")).containsExactly("h1", "isp", "g4");
        assertThat(PathOracle.chain(t, "g4")).containsExactly("g4");
    }
}
