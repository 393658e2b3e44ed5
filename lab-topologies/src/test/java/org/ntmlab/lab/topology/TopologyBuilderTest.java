package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class TopologyBuilderTest {

    @Test
    void builderGivesTheSameModelAsTheYamlFile() {
        Topology yaml = TopologyParser.parse(TopologyParserTest.topologiesFolder().resolve("table1.yaml"));
        Topology built = Topology.builder("table1")
                .globalSegment("g4", "198.51.100.0/24")
                .privateSegment("p1", "192.168.1.0/24", "r1")
                .privateSegment("p2", "192.168.2.0/24", "r2")
                .ipv6Segment("v6", "2001:db8:6::/64")
                .router(new Router("r1", NatType.PORT_RESTRICTED_CONE, java.time.Duration.ofSeconds(120), "p1", "g4",
                        null, TopologyBuilder.ip("198.51.100.101")))
                .router(new Router("r2", NatType.PORT_RESTRICTED_CONE, java.time.Duration.ofSeconds(120), "p2", "g4",
                        null, TopologyBuilder.ip("198.51.100.102")))
                .server(new Server("as", ServerRole.AS, java.util.List.of(
                        new Attachment("g4", TopologyBuilder.ip("198.51.100.10"), null),
                        new Attachment("v6", null, TopologyBuilder.ip("2001:db8:6::10")))))
                .server(new Server("dc", ServerRole.DC, java.util.List.of(
                        new Attachment("g4", TopologyBuilder.ip("198.51.100.20"), null),
                        new Attachment("v6", null, TopologyBuilder.ip("2001:db8:6::20")))))
                .server(new Server("rs", ServerRole.RS, java.util.List.of(
                        new Attachment("g4", TopologyBuilder.ip("198.51.100.30"), null),
                        new Attachment("v6", null, TopologyBuilder.ip("2001:db8:6::30")))))
                .node(new Node("g4", "g4.ntm.example", "g4", TopologyBuilder.ip("198.51.100.40"), null))
                .node(new Node("g4b", "g4b.ntm.example", "g4", TopologyBuilder.ip("198.51.100.41"), null))
                .node(new Node("p1", "p1.ntm.example", "p1", TopologyBuilder.ip("192.168.1.10"), null))
                .node(new Node("p2", "p2.ntm.example", "p2", TopologyBuilder.ip("192.168.2.10"), null))
                .node(new Node("v6", "v6.ntm.example", "v6", null, TopologyBuilder.ip("2001:db8:6::40")))
                .node(new Node("v6b", "v6b.ntm.example", "v6", null, TopologyBuilder.ip("2001:db8:6::41")))
                .build();
        assertThat(built.segments()).isEqualTo(yaml.segments());
        assertThat(built.routers()).isEqualTo(yaml.routers());
        assertThat(built.servers()).isEqualTo(yaml.servers());
        assertThat(built.nodes()).isEqualTo(yaml.nodes());
        for (String host : yaml.hostNames()) {
            assertThat(built.addresses().of(host)).as(host).isEqualTo(yaml.addresses().of(host));
        }
    }

    @Test
    void builderErrorsNameTheBuilderAndField() {
        assertThatThrownBy(() -> Topology.builder("bad")
                .globalSegment("g4", "198.51.100.0/24")
                .privateSegment("p1", "10.1.0.0/24", "r1")
                .router(new Router("r1", NatType.SYMMETRIC, null, "p1", "g4", TopologyBuilder.ip("10.1.0.1"), null))
                .build())
                .isInstanceOf(TopologyException.class)
                .hasMessage("builder:bad: routers[0].insideAddress: 10.1.0.1 is Docker's bridge address on 'p1';"
                        + " pick another host (routers conventionally use .254)");
    }

    @Test
    void fullConeRouterMapsEachInsideHostToItsOwnOutsideAddress() {
        Topology t = Topology.builder("fc")
                .globalSegment("g4", "203.0.113.0/24")
                .privateSegment("p1", "192.168.7.0/24", "r1")
                .router(new Router("r1", NatType.FULL_CONE, null, "p1", "g4", null,
                        TopologyBuilder.ip("203.0.113.200")))
                .node("a", "a.ntm.example", "p1")
                .node("b", "b.ntm.example", "p1")
                .build();
        var map = t.addresses().oneToOne("r1");
        assertThat(map).containsEntry(TopologyBuilder.ip("192.168.7.10"), TopologyBuilder.ip("203.0.113.200"))
                .containsEntry(TopologyBuilder.ip("192.168.7.11"), TopologyBuilder.ip("203.0.113.10"));
    }

    @Test
    void duplicateAddressesAreRejected() {
        InetAddress same = TopologyBuilder.ip("198.51.100.50");
        assertThatThrownBy(() -> Topology.builder("dup")
                .globalSegment("g4", "198.51.100.0/24")
                .node(new Node("a", "a.ntm.example", "g4", same, null))
                .node(new Node("b", "b.ntm.example", "g4", same, null))
                .build())
                .hasMessage("builder:dup: nodes[1].ipv4: 198.51.100.50 is used twice on segment 'g4'");
    }
}
