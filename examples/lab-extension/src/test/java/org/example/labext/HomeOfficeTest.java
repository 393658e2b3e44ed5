package org.example.labext;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.junit.Host;
import org.ntmlab.lab.junit.NtmLabTest;
import org.ntmlab.lab.scenario.MatrixCell;
import org.ntmlab.lab.scenario.MatrixScenario;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Topology;

/**
 * A project's own test against its own topology: the lab starts once for the class (here in
 * memory; backend = DOCKER runs the same on containers and Linux NATs), and the nodes are
 * parameters.
 */
@NtmLabTest(topology = "classpath:home-office.yaml")
class HomeOfficeTest {

    @Test
    void theLaptopBehindItsNatReachesTheOfficeDirectly(@Host("laptop") NodeControl laptop, Topology t) {
        NodeControl.Resolve r = laptop.resolve("office.ntm.example");
        assertThat(r.ok()).as(r.reply().line()).isTrue();
        assertThat(r.path()).isEqualTo(PathOracle.expected(t, "laptop", "office").path());
        assertThat(laptop.tunnel("office.ntm.example")).isPresent();
    }

    /** The project's matrix cell, measured by ntm-lab's own scenario: echoes, TCP, ping, both tunnel tables. */
    @Test
    void theMatrixCellPasses(NtmLab lab) throws Exception {
        MatrixCell c = MatrixScenario.measure(lab, new Matrix.Cell("laptop", "office"));
        assertThat(c.problems).isEmpty();
    }
}
