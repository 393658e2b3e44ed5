package org.ntmlab.lab.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.LabException;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyParser;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/** The in-memory backend's own contract; its matrix runs in {@link MatrixMemoryTest}. */
class InMemoryLabTest {

    private static final String SERVERS_ON_G4 = """
            servers:
              - { name: as, role: as, attach: [ { segment: g4 } ] }
              - { name: dc, role: dc, attach: [ { segment: g4 } ] }
              - { name: rs, role: rs, attach: [ { segment: g4 } ] }
            """;

    private static Topology small(String extra) {
        return TopologyParser.parse("small.yaml", """
                name: small
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 192.168.1.0/24, behind: r1 }
                  - { name: p2, kind: ipv4-private, ipv4: 192.168.2.0/24, behind: r2 }
                routers:
                  - { name: r1, nat: symmetric, inside: p1, outside: g4 }
                  - { name: r2, nat: full-cone, mappingTimeout: 45s, inside: p2, outside: g4 }
                """ + SERVERS_ON_G4 + """
                nodes:
                  - { name: a, fqdn: a.ntm.example, segment: p1 }
                  - { name: b, fqdn: b.ntm.example, segment: p2 }
                  - { name: g, fqdn: g.ntm.example, segment: g4, ipv4: 198.51.100.77 }
                """ + extra);
    }

    @Test
    void natBehaviourComesFromTheRfc4787Accessors() {
        Topology t = small("");
        for (Router r : t.routers()) {
            NatBehaviour b = MemoryNat.behaviour(r);
            assertThat(b.mapping().name()).as(r.name()).isEqualTo(r.nat().mapping().name());
            assertThat(b.filtering().name()).as(r.name()).isEqualTo(r.nat().filtering().name());
            assertThat(b.hairpinning()).as(r.name()).isEqualTo(r.nat().hairpinning());
            assertThat(b.portPreservation()).as(r.name()).isEqualTo(r.nat().portPreservation());
        }
        assertThat(MemoryNat.behaviour(t.router("r1").orElseThrow()).mappingTimeout())
                .isEqualTo(NatBehaviour.DEFAULT_MAPPING_TIMEOUT);
        assertThat(MemoryNat.behaviour(t.router("r2").orElseThrow()).mappingTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void startsAnyTopologyAndAnswersOnTheControlChannel() throws Exception {
        Path dir;
        try (InMemoryLab lab = InMemoryLab.start(small(""))) {
            assertThat(lab.backend()).isEqualTo("memory");
            dir = lab.artifactDir();
            NodeControl g = lab.control("g");
            assertThat(g.send("status").line()).contains("fqdn=g.ntm.example", "registered=true",
                    "198.51.100.77"); // the DC saw the node at the address of the topology
            // b behind the full cone is reached directly: g opens the path through b's mapping
            NodeControl.Resolve r = g.resolve("b.ntm.example");
            assertThat(r.ok()).as(r.reply().line()).isTrue();
            assertThat(g.tunnel("b.ntm.example").orElseThrow().peerEndpoint()).startsWith(
                    lab.topology().addresses().on("r2", "g4").ipv4().getHostAddress() + ":");
            // one reply per line, in order; failures are ERR replies, as on the control socket
            assertThat(g.send("bogus", "resolve nobody.ntm.example", "status")).extracting(NodeControl.Reply::line)
                    .satisfiesExactly(l -> assertThat(l).startsWith("ERR unknown command"),
                            l -> assertThat(l).startsWith("ERR "), l -> assertThat(l).startsWith("OK "));
            assertThatThrownBy(() -> lab.control("nobody")).isInstanceOf(LabException.class)
                    .hasMessageContaining("no node 'nobody'");
        }
        assertThat(Files.readString(dir.resolve("lab.txt"))).contains("backend=memory", "g g4 198.51.100.77",
                "ntm g OK");
    }

    @Test
    void impairmentsAreRefusedNamingTheFile() {
        Topology t = small("""
                impairments:
                  - { host: g, segment: g4, delay: 20ms }
                """);
        assertThatThrownBy(() -> InMemoryLab.start(t)).isInstanceOf(LabException.class)
                .hasMessageContaining("small.yaml").hasMessageContaining("impairments");
    }

    @Test
    void aServerOnTwoSegmentsOfOneFamilyIsRefusedBeforeAnythingStarts() {
        // A DC listens on its first IPv6 address (ds): v, on the IPv6-only segment, would reach it
        // only at its v6 address, where nothing listens (the same in the Docker lab).
        assertThatThrownBy(() -> TopologyParser.parse("unreachable.yaml", """
                name: unreachable
                segments:
                  - { name: ds, kind: dual-stack, ipv4: 203.0.113.0/24, ipv6: "2001:db8:7::/64" }
                  - { name: v6, kind: ipv6-only, ipv6: "2001:db8:6::/64" }
                servers:
                  - { name: as, role: as, attach: [ { segment: ds }, { segment: v6 } ] }
                  - { name: dc, role: dc, attach: [ { segment: ds }, { segment: v6 } ] }
                nodes:
                  - { name: w, fqdn: w.ntm.example, segment: ds }
                  - { name: v, fqdn: v.ntm.example, segment: v6 }
                """)).hasMessageContaining("unreachable.yaml:7: servers[1].attach: DC 'dc' has IPv6 on [ds, v6], but"
                + " listens on one address per IP version");
    }
}
