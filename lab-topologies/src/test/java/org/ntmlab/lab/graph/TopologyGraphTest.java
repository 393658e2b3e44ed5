package org.ntmlab.lab.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;
import org.w3c.dom.Document;

/** Drawing any topology: every file of the project, nested NATs, odd names, a report over it. */
class TopologyGraphTest {

    static List<Path> files() throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(Path.of("../topologies"), Path.of("src/test/resources/topologies-memory"),
                Path.of("../conformance-tests/src/test/resources/topologies"),
                Path.of("../mobility-scenarios/src/test/resources/topologies"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyTopologyRendersAsValidSvgNamingEveryHostAndNoBoxesOverlap() throws Exception {
        for (Path f : files()) {
            Topology t = Topology.load(f);
            String svg = TopologyGraph.svg(t, MatrixOverlay.none());
            Document d = parse(svg);
            assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
            String text = d.getDocumentElement().getTextContent();
            t.segments().forEach(s -> assertThat(text).as(f + " segment").contains(s.name()));
            t.hostNames().forEach(h -> assertThat(text).as(f + " host").contains(h));
            List<TopologyGraph.Box> boxes = new ArrayList<>(TopologyGraph.layout(t).boxes().values());
            for (int i = 0; i < boxes.size(); i++) {
                for (int j = i + 1; j < boxes.size(); j++) {
                    assertThat(boxes.get(i).overlaps(boxes.get(j))).as(f + ": " + boxes.get(i) + " / " + boxes.get(j))
                            .isFalse();
                }
            }
            // no wire passes behind another host's box: every box has a column of its own
            assertThat(boxes.stream().map(TopologyGraph.Box::x).distinct().count()).as(f.toString())
                    .isEqualTo(boxes.size());
            assertThat(TopologyGraph.svg(t, MatrixOverlay.none())).as("deterministic").isEqualTo(svg);
        }
    }

    @Test
    void aNetworkBehindANatIsDrawnBelowTheNatsOutsideAndANestedOneFurtherDown() {
        Topology t = Topology.load(Path.of("src/test/resources/topologies-memory/nested-nat.yaml"));
        TopologyGraph.Layout l = TopologyGraph.layout(t);
        assertThat(l.busY("isp")).isGreaterThan(l.busY("g4"));
        assertThat(l.busY("home")).as("home is behind hgw, whose outside is isp").isGreaterThan(l.busY("isp"));
    }

    @Test
    void aReportDrawsEachCellRelayThroughTheRsAndFailuresInRed() throws Exception {
        Topology t = Topology.load(Path.of("../topologies/table1.yaml"));
        MatrixOverlay o = MatrixOverlay.read(Path.of("src/test/resources/graph/matrix.json"), "table1");
        assertThat(o.cells()).hasSize(3);
        assertThat(o.cells().get(2).disagrees()).isTrue();
        String svg = TopologyGraph.svg(t, o, Map.of("r1", "port-restricted-cone"));
        parse(svg);
        TopologyGraph.Layout l = TopologyGraph.layout(t);
        TopologyGraph.Box rs = l.boxes().get(t.servers().stream().filter(s -> s.role() == ServerRole.RS)
                .findFirst().orElseThrow().name());
        assertThat(svg).contains("points=\"" + l.boxes().get("p2").cx() + "," + l.boxes().get("p2").y() + " "
                + rs.cx() + "," + (rs.y() + TopologyGraph.BOX_H) + " ");
        assertThat(svg).contains("stroke=\"#d62728\"").contains("g4 → p1: direct, capture relay, expected direct:"
                + " pcap says relay").contains("stun: port-restricted-cone").contains("relay, through the RS");
        String mermaid = TopologyGraph.mermaid(t, o);
        assertThat(mermaid).contains("-.->|\"relay\"|").contains("-.->|\"direct optimised\"|")
                .contains("-.->|\"direct FAILED\"|");
    }

    @Test
    void mermaidHasOneLinkPerAttachmentAndSafeIdsForOddNames() {
        Topology t = Topology.builder("odd").globalSegment("g-4", "198.51.100.0/24")
                .privateSegment("home-lan", "192.168.5.0/24", "r-1")
                .router("r-1", NatType.PORT_RESTRICTED_CONE, "home-lan", "g-4")
                .node("a-1", "a-1.ntm.example", "home-lan").node("a1", "a1.ntm.example", "g-4").build();
        String m = TopologyGraph.mermaid(t, MatrixOverlay.none());
        assertThat(m).startsWith("flowchart TB\n");
        long links = m.lines().filter(l -> l.contains(" --- ") || l.contains(" ---|")).count();
        assertThat(links).isEqualTo(4); // r-1 on both, a-1 and a1 on one each
        assertThat(TopologyGraph.id("host", "a-1")).isNotEqualTo(TopologyGraph.id("host", "a_1")).matches("[A-Za-z0-9_]+");
        assertThat(m).contains("---|inside|").contains("---|outside|");
        // names are restricted by the validator; free text (the description) is escaped
        String svg = TopologyGraph.svg(Topology.builder("x").description("a <b> & \"c\"").globalSegment("g",
                "198.51.100.0/24").node("n", "n.ntm.example", "g").build(), MatrixOverlay.none());
        assertThat(svg).contains("a &lt;b&gt; &amp; &quot;c&quot;");
    }
}
