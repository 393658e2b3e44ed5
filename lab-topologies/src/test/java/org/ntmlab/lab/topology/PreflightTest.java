package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Pre-flight checks: what would only fail after the containers started is refused with file and line. */
class PreflightTest {

    private static String topology(String servers, String extraNodes) {
        return """
                name: pf
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 192.168.1.0/24, behind: r1 }
                  - { name: v6, kind: ipv6-only, ipv6: "2001:db8:6::/64" }
                  - { name: lone, kind: ipv4-private, ipv4: 192.168.9.0/24, behind: r9 }
                routers:
                  - { name: r1, nat: port-restricted-cone, inside: p1, outside: g4 }
                  - { name: r9, nat: port-restricted-cone, inside: lone, outside: g4 }
                servers:
                %s
                nodes:
                  - { name: a, fqdn: a.ntm.example, segment: p1 }
                  - { name: b, fqdn: b.ntm.example, segment: v6 }
                  - { name: c, fqdn: c.ntm.example, segment: lone }
                %s
                """.formatted(servers, extraNodes);
    }

    private static final String ALL_DUAL = """
              - { name: as, role: as, attach: [ { segment: g4 }, { segment: v6 } ] }
              - { name: dc, role: dc, attach: [ { segment: g4 }, { segment: v6 } ] }
              - { name: rs, role: rs, attach: [ { segment: g4 }, { segment: v6 } ] }
            """;

    @Test
    void aSoundTopologyPasses() {
        assertThatCode(() -> TopologyParser.parse("pf.yaml", topology(ALL_DUAL, ""))).doesNotThrowAnyException();
    }

    @Test
    void aNodeThatReachesNoDcOrAsIsNamed() {
        String v4only = """
                  - { name: as, role: as, attach: [ { segment: g4 } ] }
                  - { name: dc, role: dc, attach: [ { segment: g4 } ] }
                  - { name: rs, role: rs, attach: [ { segment: g4 }, { segment: v6 } ] }
                """;
        assertThatThrownBy(() -> TopologyParser.parse("pf.yaml", topology(v4only, "")))
                .hasMessageContaining("pf.yaml:17: nodes[1].segment: node 'b' reaches no AS from [v6] (IPv6 on v6)")
                .hasMessageContaining("pf.yaml:17: nodes[1].segment: node 'b' reaches no DC serving ntm.example");
    }

    @Test
    void aRelayedCellNeedsAnRsBothEndsReach() {
        String v4rs = """
                  - { name: as, role: as, attach: [ { segment: g4 }, { segment: v6 } ] }
                  - { name: dc, role: dc, attach: [ { segment: g4 }, { segment: v6 } ] }
                  - { name: rs, role: rs, attach: [ { segment: g4 } ] }
                """;
        assertThatThrownBy(() -> TopologyParser.parse("pf.yaml", topology(v4rs, "")))
                .hasMessageContaining("matrix: cell a -> b is expected to relay, but no RS is reachable from both"
                        + " (a: IPv4 way out p1 -> g4; b: IPv6 on v6)");
    }

    @Test
    void aDualStackNodeHasOneSegmentPerIpVersion() {
        assertThatCode(() -> TopologyParser.parse("pf.yaml", topology(ALL_DUAL,
                "  - { name: d, fqdn: d.ntm.example, segments: [p1, v6], ipv4: 192.168.1.77, ipv6: \"2001:db8:6::77\" }")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> TopologyParser.parse("pf.yaml", topology(ALL_DUAL,
                "  - { name: d, fqdn: d.ntm.example, segments: [p1, lone] }")))
                .hasMessageContaining("nodes[3].segments: segments 'p1' and 'lone' both have IPv4");
        assertThatThrownBy(() -> TopologyParser.parse("pf.yaml", topology(ALL_DUAL,
                "  - { name: d, fqdn: d.ntm.example, segment: p1, segments: [p1, v6] }")))
                .hasMessageContaining("nodes[3].segments: give 'segment' or 'segments', not both");
        assertThatThrownBy(() -> TopologyParser.parse("pf.yaml", topology(ALL_DUAL,
                "  - { name: d, fqdn: d.ntm.example, segments: [p1, v6], ipv6: \"2001:db8:7::1\" }")))
                .hasMessageContaining("nodes[3].ipv6: 2001:db8:7::1 is not in segment 'v6'");
    }

    @Test
    void aRouterWithNobodyBehindItCannotBeChecked() {
        String yaml = topology(ALL_DUAL, "").replace("  - { name: c, fqdn: c.ntm.example, segment: lone }\n", "");
        // a valid topology (a mobility lab moves a node there later), but the Docker lab's NAT
        // check, which Lab.start refuses before any container, has nobody to run from
        Topology t = TopologyParser.parse("pf.yaml", yaml);
        org.assertj.core.api.Assertions.assertThat(Preflight.uncheckableRouters(t)).extracting(Router::name)
                .containsExactly("r9");
    }
}
