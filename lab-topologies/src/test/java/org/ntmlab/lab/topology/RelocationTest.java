package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** A topology moved to other prefixes so that a second lab of it runs beside the first (docs/lab.md "Parallel labs"). */
class RelocationTest {

    private static final Path SHIPPED = Path.of("../topologies");

    @Test
    void table1MovesEveryPrefixAndKeepsEveryHostNumber() {
        Topology t = Topology.load(SHIPPED.resolve("table1.yaml"));
        Topology r = t.relocated(1);
        assertThat(r.relocation()).isEqualTo(1);
        assertThat(r.name()).isEqualTo(t.name());
        assertThat(r.segment("g4").orElseThrow().ipv4()).isEqualTo(Cidr.of("198.18.16.0/24"));
        assertThat(r.segment("p1").orElseThrow().ipv4()).isEqualTo(Cidr.of("10.130.0.0/24"));
        assertThat(r.segment("p2").orElseThrow().ipv4()).isEqualTo(Cidr.of("10.130.1.0/24"));
        assertThat(r.segment("v6").orElseThrow().ipv6()).isEqualTo(Cidr.of("2001:db8:f001::/64"));
        assertThat(r.node("g4").orElseThrow().ipv4()).isEqualTo(IpLiteral.of("198.18.16.40"));
        assertThat(r.node("p1").orElseThrow().ipv4()).isEqualTo(IpLiteral.of("10.130.0.10"));
        assertThat(r.node("v6b").orElseThrow().ipv6()).isEqualTo(IpLiteral.of("2001:db8:f001::41"));
        assertThat(r.router("r2").orElseThrow().outsideAddress()).isEqualTo(IpLiteral.of("198.18.16.102"));
        Server dc = r.servers().stream().filter(s -> s.name().equals("dc")).findFirst().orElseThrow();
        assertThat(dc.attach()).extracting(Attachment::ipv4).contains(IpLiteral.of("198.18.16.20"));
        assertThat(dc.attach()).extracting(Attachment::ipv6).contains(IpLiteral.of("2001:db8:f001::20"));
        // addresses the lab allocates (the routers' inside .254) follow, too
        assertThat(r.addresses().of("r1")).extracting(AddressPlan.HostAddress::ipv4).contains(IpLiteral.of("10.130.0.254"));
    }

    /** Whatever a scenario reads besides addresses is the same: roles, NATs, matrix, expected paths. */
    @Test
    void everyShippedTopologyKeepsItsMatrixAndExpectedPaths() throws Exception {
        for (Path file : topologies()) {
            Topology t = Topology.load(file);
            for (int slot : new int[] {1, 2, Relocation.MAX_SLOT}) {
                Topology r = t.relocated(slot);
                assertThat(r.matrix().cells()).as(file + " slot " + slot).isEqualTo(t.matrix().cells());
                for (Matrix.Cell c : t.matrix().cells()) {
                    assertThat(PathOracle.expected(r, c.mn(), c.cn()).label()).as(file + " " + c)
                            .isEqualTo(PathOracle.expected(t, c.mn(), c.cn()).label());
                }
                assertThat(r.routers()).extracting(Router::nat).isEqualTo(t.routers().stream().map(Router::nat).toList());
                assertThat(r.hostNames()).isEqualTo(t.hostNames());
            }
        }
    }

    /** The point of it: no prefix of one slot overlaps the file's own or another slot's. */
    @Test
    void slotsAreDisjointFromTheFileAndFromEachOther() throws Exception {
        for (Path file : topologies()) {
            Topology t = Topology.load(file);
            List<List<Cidr>> labs = new ArrayList<>();
            labs.add(t.addresses().dockerSubnets());
            for (int slot = 1; slot <= Relocation.MAX_SLOT; slot++) {
                labs.add(t.relocated(slot).addresses().dockerSubnets());
            }
            for (int i = 0; i < labs.size(); i++) {
                for (int j = i + 1; j < labs.size(); j++) {
                    for (Cidr a : labs.get(i)) {
                        for (Cidr b : labs.get(j)) {
                            assertThat(a.overlaps(b)).as(file + ": " + a + " (lab " + i + ") vs " + b + " (lab " + j + ")")
                                    .isFalse();
                        }
                    }
                }
            }
        }
    }

    @Test
    void aPrivateAddressStaysPrivateAndAPublicOneStaysPublic() {
        Topology r = Topology.load(SHIPPED.resolve("table1.yaml")).relocated(5);
        for (Segment s : r.segments()) {
            if (s.ipv4() == null) {
                continue;
            }
            boolean privateRange = s.ipv4().within(Cidr.PRIVATE_10) || s.ipv4().within(Cidr.PRIVATE_192_168);
            assertThat(privateRange).as(s.name()).isEqualTo(s.kind() == SegmentKind.IPV4_PRIVATE);
        }
    }

    @Test
    void aSlotOutOfRangeOrAPrefixTooWideIsRefusedWithItsName() {
        Topology t = Topology.load(SHIPPED.resolve("table1.yaml"));
        assertThatThrownBy(() -> t.relocated(0)).hasMessageContaining("slot 0 out of range 1..31");
        assertThatThrownBy(() -> t.relocated(32)).hasMessageContaining("slot 32 out of range");
        Topology wide = Topology.builder("wide").globalSegment("g4", "198.51.100.0/24")
                .privateSegment("big", "10.0.0.0/16", "r1").privateSegment("big2", "10.1.0.0/16", "r2")
                .privateSegment("big3", "10.2.0.0/16", "r3")
                .router("r1", NatType.PORT_RESTRICTED_CONE, "big", "g4").router("r2", NatType.PORT_RESTRICTED_CONE, "big2", "g4")
                .router("r3", NatType.PORT_RESTRICTED_CONE, "big3", "g4")
                .build();
        assertThatThrownBy(() -> wide.relocated(1)).hasMessageContaining("segment big3: 10.2.0.0/16 does not fit"
                + " the relocation pool 10.130.0.0/15");
        assertThat(Relocation.moves(Topology.builder("one").globalSegment("g4", "198.51.100.0/24")
                .privateSegment("big", "10.0.0.0/16", "r1").router("r1", NatType.PORT_RESTRICTED_CONE, "big", "g4")
                .build(), 1)).containsEntry(Cidr.of("10.0.0.0/16"), Cidr.of("10.130.0.0/16"));
    }

    private static List<Path> topologies() throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(SHIPPED, Path.of("src/test/resources/topologies-memory"),
                Path.of("../conformance-tests/src/test/resources/topologies"),
                Path.of("../mobility-scenarios/src/test/resources/topologies"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(out::add);
            }
        }
        assertThat(out).hasSizeGreaterThan(5);
        return out;
    }
}
