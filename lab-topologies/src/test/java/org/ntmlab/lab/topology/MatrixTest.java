package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code matrix:} section: roles, cells and overrides, and its errors with file and line. */
class MatrixTest {

    private static final String BASE = """
            name: m
            segments:
              - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
            servers:
              - { name: dc, role: dc, attach: [ { segment: g4 } ] }
              - { name: rs, role: rs, attach: [ { segment: g4 } ] }
            nodes:
              - { name: alpha, fqdn: alpha.ntm.example, segment: g4 }
              - { name: beta, fqdn: beta.ntm.example, segment: g4 }
              - { name: gamma, fqdn: gamma.ntm.example, segment: g4 }
            """;

    @Test
    void withoutMatrixEveryNodeMeetsEveryOther() {
        Topology t = TopologyParser.parse("m.yaml", BASE);
        assertThat(t.matrix().cells()).hasSize(6).contains(new Matrix.Cell("alpha", "beta"),
                new Matrix.Cell("gamma", "alpha")).doesNotContain(new Matrix.Cell("beta", "beta"));
    }

    @Test
    void rolesAndAnOverride() {
        Topology t = TopologyParser.parse("m.yaml", BASE + """
                matrix:
                  mns: [alpha]
                  cns: [beta, gamma]
                  expect:
                    - { mn: alpha, cn: gamma, path: relay, why: "the point of the experiment" }
                """);
        assertThat(t.matrix().cells()).containsExactly(new Matrix.Cell("alpha", "beta"),
                new Matrix.Cell("alpha", "gamma"));
        assertThat(PathOracle.expected(t, "alpha", "beta").label()).isEqualTo("direct");
        PathOracle.Expected e = PathOracle.expected(t, "alpha", "gamma");
        assertThat(e.path()).isEqualTo("relay");
        assertThat(e.rule()).isEqualTo(PathOracle.Rule.FILE);
        assertThat(e.why()).contains("the point of the experiment").contains("rules: direct");
    }

    @Test
    void everyMatrixProblemNamesItsLineAndField() {
        String yaml = BASE + """
                matrix:
                  mns: [alpha, delta, alpha]
                  cns: [beta]
                  expect:
                    - { mn: beta, cn: alpha, path: direct }
                    - { mn: alpha, cn: beta, path: sideways }
                    - { mn: alpha, cn: beta, path: relay, optimised: true }
                  colour: blue
                """;
        assertThatThrownBy(() -> TopologyParser.parse("m.yaml", yaml))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("m.yaml:18: matrix.colour: unknown field 'colour'")
                .hasMessageContaining("m.yaml:12: matrix.mns[1]: no node 'delta' in this topology")
                .hasMessageContaining("m.yaml:12: matrix.mns[2]: node 'alpha' named twice")
                .hasMessageContaining("m.yaml:16: matrix.expect[1].path: unknown path 'sideways' (expected one of"
                        + " direct, relay)")
                .hasMessageContaining("m.yaml:17: matrix.expect[2].optimised: only a direct path can be optimised");
    }

    @Test
    void anOverrideOutsideTheMatrixAndATwiceOverriddenCellAreRefused() {
        String yaml = BASE + """
                matrix:
                  mns: [alpha]
                  cns: [beta]
                  expect:
                    - { mn: beta, cn: alpha, path: direct }
                    - { mn: alpha, cn: beta, path: direct }
                    - { mn: alpha, cn: beta, path: relay }
                """;
        assertThatThrownBy(() -> TopologyParser.parse("m.yaml", yaml))
                .hasMessageContaining("m.yaml:15: matrix.expect[0]: 'beta -> alpha' is not a cell of the matrix")
                .hasMessageContaining("m.yaml:17: matrix.expect[2]: a second expectation for alpha -> beta");
    }

    @Test
    void chosenPairsInsteadOfRowsAndColumns() {
        Topology t = TopologyParser.parse("m.yaml", BASE + """
                matrix:
                  pairs: ["alpha -> beta", "gamma->alpha"]
                """);
        assertThat(t.matrix().cells()).containsExactly(new Matrix.Cell("alpha", "beta"),
                new Matrix.Cell("gamma", "alpha"));
        assertThat(t.matrix().mns()).containsExactly("alpha", "gamma");
        assertThatThrownBy(() -> TopologyParser.parse("m.yaml", BASE + """
                matrix:
                  pairs: ["alpha -> beta", "alpha -> beta", "alpha beta", "alpha -> delta", "beta -> beta"]
                  mns: [alpha]
                """)).hasMessageContaining("matrix.pairs[1]: 'alpha -> beta' is listed twice")
                .hasMessageContaining("matrix.pairs[2]: 'alpha beta' is not a pair such as 'p2 -> p1'")
                .hasMessageContaining("matrix.pairs[3]: no node 'delta' in this topology")
                .hasMessageContaining("matrix.pairs[4]: a node does not talk to itself")
                .hasMessageContaining("matrix.pairs: give 'pairs' or 'mns'/'cns', not both");
    }

    @Test
    void aMatrixWithoutCellsIsRefused() {
        assertThatThrownBy(() -> TopologyParser.parse("m.yaml", BASE + """
                matrix: { mns: [alpha], cns: [alpha] }
                """)).hasMessageContaining("matrix: the matrix has no cell");
    }
}
