package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyParserTest {

    static Path topologiesFolder() {
        return Path.of(System.getProperty("ntm.topologies", "../topologies"));
    }

    private static final String MINIMAL = """
            name: mini
            segments:
              - name: g4
                kind: ipv4-global
                ipv4: 198.51.100.0/24
              - name: p1
                kind: ipv4-private
                ipv4: 10.1.0.0/24
                behind: r1
            routers:
              - name: r1
                nat: port-restricted-cone
                inside: p1
                outside: g4
            nodes:
              - name: n1
                fqdn: n1.ntm.example
                segment: p1
            """;

    /** Replaces one line of MINIMAL (1-based) so the expected line number is obvious. */
    private static String withLine(int line, String replacement) {
        List<String> lines = new java.util.ArrayList<>(List.of(MINIMAL.split("\n")));
        lines.set(line - 1, replacement);
        return String.join("\n", lines) + "\n";
    }

    @Test
    void table1ModelsThePapersTable() {
        Topology t = TopologyParser.parse(topologiesFolder().resolve("table1.yaml"));
        assertThat(t.name()).isEqualTo("table1");
        assertThat(t.source()).isEqualTo("table1.yaml");
        assertThat(t.segments()).extracting(Segment::name).containsExactly("g4", "p1", "p2", "v6");
        assertThat(t.segments()).extracting(Segment::kind).containsExactly(SegmentKind.IPV4_GLOBAL,
                SegmentKind.IPV4_PRIVATE, SegmentKind.IPV4_PRIVATE, SegmentKind.IPV6_ONLY);
        assertThat(t.routers()).extracting(Router::nat)
                .containsExactly(NatType.PORT_RESTRICTED_CONE, NatType.PORT_RESTRICTED_CONE);
        assertThat(t.routers().get(0).mappingTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(t.nodes()).extracting(Node::name).containsExactly("g4", "g4b", "p1", "p2", "v6", "v6b");
        AddressPlan a = t.addresses();
        assertThat(IpLiteral.format(a.on("r1", "p1").ipv4())).isEqualTo("192.168.1.254");
        assertThat(IpLiteral.format(a.on("r1", "g4").ipv4())).isEqualTo("198.51.100.101");
        assertThat(IpLiteral.format(a.on("dc", "v6").ipv6())).isEqualTo("2001:db8:6::20");
        assertThat(a.on("v6", "v6").ipv4()).isNull();
        assertThat(a.dockerIpv4("v6").toString()).isEqualTo("10.255.6.0/24");
        assertThat(t.gatewayOf("p2")).map(Router::name).contains("r2");
    }

    /**
     * Issue 11 finding 15: a 30 MB topology parsed for minutes. A file over 1 MiB is refused
     * before it is read, and a list over 256 entries is named with its line.
     */
    @Test
    void oversizedFilesAndListsAreRefusedBeforeTheWork(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.yaml");
        try (var out = java.nio.file.Files.newBufferedWriter(big)) {
            out.write(MINIMAL);
            String filler = "# " + "x".repeat(1000) + "\n";
            for (int i = 0; i < 31_000; i++) { // about 30 MB of comments
                out.write(filler);
            }
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> TopologyParser.parse(big)).isInstanceOf(TopologyException.class)
                .hasMessageContaining("big.yaml").hasMessageContaining("more than the 1048576 a topology may have");
        assertThat((System.nanoTime() - t0) / 1e9).as("refused, not parsed").isLessThan(2.0);

        StringBuilder many = new StringBuilder(MINIMAL);
        for (int i = 2; i <= TopologyParser.MAX_ENTRIES + 1; i++) {
            many.append("  - name: n").append(i).append("\n    fqdn: n").append(i).append(".ntm.example\n")
                    .append("    segment: p1\n");
        }
        assertThatThrownBy(() -> TopologyParser.parse("many.yaml", many.toString()))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("many.yaml:15: nodes: 257 entries, more than the 256 a topology may have");
    }

    @Test
    void natMixModelsNestedSharedAndDualStackHosts() {
        Topology t = TopologyParser.parse(topologiesFolder().resolve("nat-mix.yaml"));
        assertThat(t.routers()).extracting(r -> r.nat().yamlName()).contains("symmetric", "full-cone", "cgnat",
                "port-restricted-cone");
        assertThat(PathOracle.chain(t, "nnet")).containsExactly("nnet", "carrier", "g4");
        assertThat(t.node("a2").orElseThrow().segments()).containsExactly("lan", "v6");
        assertThat(t.addresses().of("a2")).hasSize(2);
        assertThat(t.matrix().cells()).hasSize(9);
    }

    @Test
    void everyShippedTopologyIsValid() {
        List<Path> files = TopologyParser.topologyFiles(topologiesFolder());
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        for (Path f : files) {
            assertThat(TopologyParser.parse(f).nodes()).as(f.toString()).isNotEmpty();
        }
    }

    @Test
    void minimalFileAllocatesAddresses() {
        Topology t = TopologyParser.parse("mini.yaml", MINIMAL);
        assertThat(IpLiteral.format(t.addresses().on("n1", "p1").ipv4())).isEqualTo("10.1.0.10");
        assertThat(IpLiteral.format(t.addresses().on("r1", "p1").ipv4())).isEqualTo("10.1.0.254");
        assertThat(IpLiteral.format(t.addresses().on("r1", "g4").ipv4())).isEqualTo("198.51.100.10");
    }

    @Test
    void unknownNatTypeNamesFileLineAndField() {
        String yaml = withLine(12, "    nat: foo");
        assertThatThrownBy(() -> TopologyParser.parse("table1.yaml", yaml))
                .isInstanceOf(TopologyException.class)
                .hasMessage("table1.yaml:12: routers[0].nat: unknown NAT type 'foo' (expected one of "
                        + "port-restricted-cone, symmetric, full-cone, restricted-cone, cgnat, or a mapping such as"
                        + " { mapping: endpoint-independent, filtering: address-dependent })");
    }

    @Test
    void natPresetsAndExplicitFields() {
        assertThat(TopologyParser.parse("n.yaml", withLine(12, "    nat: restricted-cone")).routers().get(0).nat())
                .isEqualTo(NatType.RESTRICTED_CONE);
        assertThat(TopologyParser.parse("n.yaml", withLine(12, "    nat: cgnat")).routers().get(0).nat())
                .isEqualTo(NatType.CGNAT);
        // explicit fields equal to a preset are the preset
        NatType sym = TopologyParser.parse("n.yaml", withLine(12, "    nat: { mapping: address-and-port-dependent,"
                + " filtering: address-and-port-dependent }")).routers().get(0).nat();
        assertThat(sym).isEqualTo(NatType.SYMMETRIC);
        assertThat(sym.yamlName()).isEqualTo("symmetric");
        // block style, defaults: no hairpinning, ports kept with an endpoint-independent mapping
        NatType eif = TopologyParser.parse("n.yaml", withLine(12, "    nat:\n      mapping: endpoint-independent\n"
                + "      filtering: endpoint-independent\n      hairpinning: true")).routers().get(0).nat();
        assertThat(eif).isEqualTo(new NatType(NatType.Mapping.ENDPOINT_INDEPENDENT,
                NatType.Filtering.ENDPOINT_INDEPENDENT, true, true));
        assertThat(eif.presetName()).isEmpty();
        assertThat(eif.yamlName()).isEqualTo("{ mapping: endpoint-independent, filtering: endpoint-independent,"
                + " hairpinning: true, portPreservation: true }");
        assertThat(TopologyParser.parse("n.yaml", withLine(12, "    nat: { mapping: endpoint-independent, filtering:"
                + " address-dependent, hairpinning: true }")).routers().get(0).nat().yamlName()).isEqualTo("cgnat");
        // what yamlName writes parses back to the same type
        for (NatType t : NatType.dockerBuildable()) {
            assertThat(TopologyParser.parse("n.yaml", withLine(12, "    nat: " + t.yamlName())).routers().get(0).nat())
                    .isEqualTo(t);
        }
    }

    @Test
    void badNatFieldsNameLineAndField() {
        String yaml = withLine(12, "    nat:\n      mapping: endpoint-independant\n      filtering: adress-dependent\n"
                + "      hairpinning: yes please\n      colour: blue");
        TopologyException e = org.junit.jupiter.api.Assertions.assertThrows(TopologyException.class,
                () -> TopologyParser.parse("n.yaml", yaml));
        assertThat(e.getMessage()).contains(
                "n.yaml:16: routers[0].nat.colour: unknown field 'colour' (expected one of mapping, filtering,"
                        + " hairpinning, portPreservation)",
                "n.yaml:13: routers[0].nat.mapping: unknown mapping behaviour 'endpoint-independant' (expected one of"
                        + " endpoint-independent, address-dependent, address-and-port-dependent)",
                "n.yaml:14: routers[0].nat.filtering: unknown filtering behaviour 'adress-dependent' (expected one of"
                        + " endpoint-independent, address-dependent, address-and-port-dependent)",
                "n.yaml:15: routers[0].nat.hairpinning: 'yes please' is not true or false");
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", withLine(12, "    nat: { mapping: endpoint-independent }")))
                .hasMessage("n.yaml:12: routers[0].nat.filtering: missing (required)");
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", withLine(12, "    nat: [ symmetric ]")))
                .hasMessage("n.yaml:12: routers[0].nat: expected a single value, not a list");
    }

    @Test
    void combinationsLinuxCannotBuildAreRefusedForTheDockerLab() {
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", withLine(12,
                "    nat: { mapping: address-dependent, filtering: address-dependent }")))
                .hasMessageStartingWith("n.yaml:12: routers[0].nat: { mapping: address-dependent, filtering:"
                        + " address-dependent, hairpinning: false, portPreservation: false } is not available in the"
                        + " Docker lab (the in-memory network has it): an address-dependent mapping cannot be built:")
                .hasMessageContaining("the lab image has no nft");
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", withLine(12, "    nat: { mapping:"
                + " address-and-port-dependent, filtering: endpoint-independent, hairpinning: true,"
                + " portPreservation: true }")))
                .hasMessageContaining("an address-and-port-dependent mapping cannot keep ports")
                .hasMessageContaining("endpoint-independent filtering with a dependent mapping cannot be built")
                .hasMessageContaining("hairpinning with a dependent mapping cannot be built");
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", withLine(12, "    nat: { mapping: endpoint-independent,"
                + " filtering: endpoint-independent, portPreservation: false }")))
                .hasMessageContaining("an endpoint-independent mapping without port preservation cannot be built");
        assertThatThrownBy(() -> Topology.builder("b").globalSegment("g4", "198.51.100.0/24")
                .privateSegment("p1", "10.1.0.0/24", "r1")
                .router("r1", NatType.of(NatType.Mapping.ADDRESS_DEPENDENT, NatType.Filtering.ENDPOINT_INDEPENDENT),
                        "p1", "g4").build())
                .hasMessageStartingWith("builder:b: routers[0].nat: { mapping: address-dependent");
    }

    @Test
    void sharedAddressSpaceIsAPrivateRange() {
        Topology t = TopologyParser.parse("c.yaml", MINIMAL.replace("10.1.0.0/24", "100.64.0.0/16"));
        assertThat(IpLiteral.format(t.addresses().on("r1", "p1").ipv4())).isEqualTo("100.64.0.254");
        assertThatThrownBy(() -> TopologyParser.parse("c.yaml", MINIMAL.replace("10.1.0.0/24", "100.128.0.0/24")))
                .hasMessageContaining("c.yaml:8: segments[1].ipv4: 100.128.0.0/24 is not an allowed range (expected"
                        + " 10.0.0.0/8 or 192.168.0.0/16 (RFC 1918), or 100.64.0.0/10 (RFC 6598, the inside of a"
                        + " carrier-grade NAT))");
    }

    @Test
    void nat444ExampleIsValid() {
        Topology t = TopologyParser.parse(Path.of("../docs/examples/nat444.yaml"));
        assertThat(t.routers()).extracting(Router::name, Router::nat).containsExactly(
                org.assertj.core.groups.Tuple.tuple("cgn", NatType.CGNAT),
                org.assertj.core.groups.Tuple.tuple("hr1", NatType.PORT_RESTRICTED_CONE),
                org.assertj.core.groups.Tuple.tuple("hr2", new NatType(NatType.Mapping.ENDPOINT_INDEPENDENT,
                        NatType.Filtering.ADDRESS_AND_PORT_DEPENDENT, true, true)));
        assertThat(t.segment("carrier").orElseThrow().ipv4().within(Cidr.SHARED_100_64)).isTrue();
        assertThat(t.gatewayOf("home1").map(Router::outside)).contains("carrier");
        assertThat(t.gatewayOf("carrier").map(Router::name)).contains("cgn");
        // the carrier NAT maps each of its inside hosts (two home routers, one subscriber) 1:1
        AddressPlan a = t.addresses();
        assertThat(a.oneToOne("cgn")).hasSize(3)
                .containsEntry(a.on("hr1", "carrier").ipv4(), TopologyBuilder.ip("198.51.100.100"))
                .containsKey(a.on("mobile", "carrier").ipv4());
        assertThat(a.oneToOne("hr1")).isEmpty(); // MASQUERADE
        assertThat(a.oneToOne("hr2")).containsOnlyKeys(a.on("h2", "home2").ipv4());
    }

    @Test
    void routerOnDockersBridgeAddressIsRejected() {
        String yaml = MINIMAL.replace("    outside: g4\n", "    outside: g4\n    insideAddress: 10.1.0.1\n");
        assertThatThrownBy(() -> TopologyParser.parse("r.yaml", yaml))
                .hasMessageContaining("r.yaml:15: routers[0].insideAddress: 10.1.0.1 is Docker's bridge address"
                        + " on 'p1'");
    }

    @Test
    void globalSegmentOutsideDocumentationRangeIsRejected() {
        String yaml = withLine(5, "    ipv4: 8.8.8.0/24");
        assertThatThrownBy(() -> TopologyParser.parse("g.yaml", yaml))
                .hasMessageContaining("g.yaml:5: segments[0].ipv4: 8.8.8.0/24 is not an allowed range"
                        + " (expected 198.51.100.0/24 or 203.0.113.0/24 (RFC 5737), or 198.18.0.0/15 (RFC 2544, where"
                        + " parallel labs are relocated))");
    }

    @Test
    void privateSegmentMustBePrivateRange() {
        String yaml = withLine(8, "    ipv4: 172.16.0.0/24");
        assertThatThrownBy(() -> TopologyParser.parse("p.yaml", yaml))
                .hasMessageContaining("p.yaml:8: segments[1].ipv4: 172.16.0.0/24 is not an allowed range");
    }

    @Test
    void unknownFieldIsNamed() {
        String yaml = withLine(17, "    fqdn: n1.ntm.example\n    colour: blue");
        assertThatThrownBy(() -> TopologyParser.parse("u.yaml", yaml))
                .hasMessage("u.yaml:18: nodes[0].colour: unknown field 'colour' (expected one of name, fqdn,"
                        + " segment, segments, ipv4, ipv6)");
    }

    @Test
    void referenceToMissingSegmentListsTheKnownOnes() {
        String yaml = withLine(18, "    segment: p9");
        assertThatThrownBy(() -> TopologyParser.parse("m.yaml", yaml))
                .hasMessage("m.yaml:18: nodes[0].segment: no segment named 'p9' (segments: [g4, p1])");
    }

    @Test
    void missingRequiredFieldIsReported() {
        String yaml = MINIMAL.replace("    nat: port-restricted-cone\n", "");
        assertThatThrownBy(() -> TopologyParser.parse("n.yaml", yaml))
                .hasMessage("n.yaml:11: routers[0].nat: missing (required)");
    }

    @Test
    void behindMustMatchTheRoutersInside() {
        String yaml = withLine(9, "    behind: r7");
        assertThatThrownBy(() -> TopologyParser.parse("b.yaml", yaml))
                .hasMessageContaining("b.yaml:9: segments[1].behind: no router named 'r7' (routers: [r1])")
                .hasMessageContaining("b.yaml:13: routers[0].inside: segment 'p1' says it is behind 'r7'");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String yaml = withLine(12, "    nat: cone").replace("fqdn: n1.ntm.example", "fqdn: N1");
        TopologyException e = org.junit.jupiter.api.Assertions.assertThrows(TopologyException.class,
                () -> TopologyParser.parse("all.yaml", yaml));
        assertThat(e.problems()).extracting(TopologyException.Problem::path)
                .containsExactly("routers[0].nat", "nodes[0].fqdn");
        assertThat(e.problems()).extracting(TopologyException.Problem::line).containsExactly(12, 17);
    }

    @Test
    void overlappingSegmentsAreRejected() {
        String yaml = MINIMAL.replace("routers:\n", """
                  - name: p0
                    kind: ipv4-private
                    ipv4: 10.1.0.0/16
                    behind: r0
                routers:
                  - { name: r0, nat: symmetric, inside: p0, outside: g4 }
                """);
        assertThatThrownBy(() -> TopologyParser.parse("o.yaml", yaml))
                .hasMessage("o.yaml:12: segments[2].ipv4: 10.1.0.0/16 overlaps segment 'p1' (10.1.0.0/24)");
    }

    @Test
    void duplicateKeyNamesBothLines() {
        String yaml = withLine(14, "    outside: g4\n    outside: p1");
        assertThatThrownBy(() -> TopologyParser.parse("d.yaml", yaml))
                .hasMessage("d.yaml:15: (file): duplicate key 'outside' (first on line 14)");
    }

    @Test
    void yamlSyntaxErrorHasALine() {
        String yaml = withLine(6, "  - name: [p1");
        assertThatThrownBy(() -> TopologyParser.parse("s.yaml", yaml))
                .isInstanceOf(TopologyException.class)
                .hasMessageStartingWith("s.yaml:")
                .hasMessageContaining("(file): YAML syntax error");
    }

    @Test
    void addressMustBeALiteralInsideTheSegment() {
        String yaml = withLine(18, "    segment: p1\n    ipv4: 10.2.0.5");
        assertThatThrownBy(() -> TopologyParser.parse("a.yaml", yaml))
                .hasMessage("a.yaml:19: nodes[0].ipv4: 10.2.0.5 is not in segment 'p1' (10.1.0.0/24)");
        String name = withLine(18, "    segment: p1\n    ipv4: example.org");
        assertThatThrownBy(() -> TopologyParser.parse("a.yaml", name))
                .hasMessage("a.yaml:19: nodes[0].ipv4: 'example.org' is not an IPv4 or IPv6 address literal");
    }

    @Test
    void impairmentValuesAreChecked() {
        String yaml = MINIMAL + """
                impairments:
                  - host: r1
                    segment: g4
                    delay: 10ms
                    jitter: 20ms
                    loss: 150%
                  - host: n1
                    segment: g4
                    rate: fast
                """;
        TopologyException e = org.junit.jupiter.api.Assertions.assertThrows(TopologyException.class,
                () -> TopologyParser.parse("i.yaml", yaml));
        assertThat(e.getMessage()).contains(
                "i.yaml:27: impairments[1].rate: 'fast' is not a rate such as 512kbit, 10mbit or 1gbit",
                "i.yaml:23: impairments[0].jitter: jitter 20ms exceeds delay 10ms",
                "i.yaml:24: impairments[0].loss: must be between 0% and 100% (is 150.0%)",
                "i.yaml:26: impairments[1].segment: 'n1' is not attached to segment 'g4' (it is on [p1])");
    }

    @Test
    void severalDcsEachNameTheirDomainAndEveryNodeHasOne() {
        String yaml = MINIMAL + """
                servers:
                  - name: dca
                    role: dc
                    domain: a.ntm.example
                    attach: [ { segment: g4 } ]
                  - name: dcb
                    role: dc
                    attach: [ { segment: g4 } ]
                  - name: dcc
                    role: dc
                    domain: a.ntm.example
                    attach: [ { segment: g4 } ]
                  - name: rs
                    role: rs
                    domain: Not_A.Domain
                    attach: [ { segment: g4 } ]
                """;
        TopologyException e = org.junit.jupiter.api.Assertions.assertThrows(TopologyException.class,
                () -> TopologyParser.parse("d.yaml", yaml));
        assertThat(e.getMessage()).contains(
                "d.yaml:24: servers[1].domain: required: with several DCs each must name the domain it serves",
                "d.yaml:29: servers[2].domain: domain 'a.ntm.example' is already served by DC 'dca'",
                "d.yaml:33: servers[3].domain: only a DC serves a domain (this is an rs)",
                "d.yaml:17: nodes[0].fqdn: no DC serves domain 'ntm.example' (DCs serve [a.ntm.example])");
    }

    @Test
    void twoDomainsParse() {
        Topology t = TopologyParser.parse("d.yaml", MINIMAL.replace("fqdn: n1.ntm.example", "fqdn: n1.b.ntm.example")
                + """
                servers:
                  - { name: dca, role: dc, domain: a.ntm.example, attach: [ { segment: g4 } ] }
                  - { name: dcb, role: dc, domain: b.ntm.example, attach: [ { segment: g4 } ] }
                """);
        assertThat(t.servers()).extracting(Server::domain).containsExactly("a.ntm.example", "b.ntm.example");
        assertThat(t.nodes().get(0).domain()).isEqualTo("b.ntm.example");
    }

    @Test
    void impairmentUnitsAreParsed() {
        Topology t = TopologyParser.parse("i.yaml", MINIMAL + """
                impairments:
                  - { host: r1, segment: g4, delay: 1.5s, jitter: 250ms, loss: 0.5%, rate: 2.5mbit }
                """);
        Impairment i = t.impairments().get(0);
        assertThat(i.delay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(i.jitter()).isEqualTo(Duration.ofMillis(250));
        assertThat(i.lossPercent()).isEqualTo(0.5);
        assertThat(i.rateBitsPerSecond()).isEqualTo(2_500_000L);
    }

    @Test
    void ipv6OnlySegmentRejectsIpv4AndNonDocumentationPrefixes() {
        Topology ok = TopologyParser.parse("v.yaml", MINIMAL.replace("segments:\n",
                "segments:\n  - { name: v6, kind: ipv6-only, ipv6: \"2001:db8:6::/64\" }\n"));
        assertThat(ok.segment("v6")).isPresent();
        String bad = MINIMAL.replace("segments:\n",
                "segments:\n  - { name: v6, kind: ipv6-only, ipv6: \"2001:db9::/64\", ipv4: 198.51.100.0/24 }\n");
        assertThatThrownBy(() -> TopologyParser.parse("v.yaml", bad))
                .hasMessageContaining("v.yaml:3: segments[0].ipv4: an ipv6-only segment has no IPv4")
                .hasMessageContaining("v.yaml:3: segments[0].ipv6: 2001:db9::/64 is not an allowed range");
    }
}
