package org.ntmlab.lab.memory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.ntmlab.lab.scenario.MatrixCell;
import org.ntmlab.lab.scenario.MatrixScenario;
import org.ntmlab.lab.scenario.MatrixSuite;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyParser;

/**
 * The connectivity matrix of every topology file on the in-memory backend ({@link InMemoryLab}):
 * the same files, cells, expected paths ({@code PathOracle}) and measurement
 * ({@link MatrixScenario}) as conformance-tests' {@code MatrixDockerIT}, in this JVM in seconds,
 * without captures. The files are those of {@code ntm.topologies} (default the repository's
 * {@code topologies/}, the paper's Table 1) and of {@code ntm.topologies.memory} (default
 * {@code src/test/resources/topologies-memory/}: shapes the shipped files do not have, e.g. nested
 * NAT); topology names must be unique across both. One JUnit test per cell
 * ({@code table1 › p2 → p1 expect direct(optimised)}); a topology's lab runs once, when its first
 * cell is tested. Writes target/ntm-report/matrix-memory.{md,json,html}.
 */
class MatrixMemoryTest {
    static final MatrixSuite SUITE = new MatrixSuite("memory",
            Path.of(System.getProperty("ntm.report", "target/ntm-report")), MatrixMemoryTest::run);

    static List<Path> topologyFiles() {
        return Stream.of(System.getProperty("ntm.topologies", "../topologies"),
                        System.getProperty("ntm.topologies.memory", "src/test/resources/topologies-memory"))
                .flatMap(dir -> TopologyParser.topologyFiles(Path.of(dir)).stream()).toList();
    }

    @TestFactory
    Stream<DynamicNode> matrix() {
        return SUITE.tests(topologyFiles());
    }

    static void run(Topology t, List<MatrixCell> mine) throws Exception {
        long t0 = System.nanoTime();
        try (InMemoryLab lab = InMemoryLab.start(t)) {
            long t1 = System.nanoTime();
            MatrixScenario.measureAll(lab, mine);
            lab.note(String.format(java.util.Locale.ROOT, "timing start=%.0fms matrix=%.0fms cells=%d", (t1 - t0) / 1e6,
                    (System.nanoTime() - t1) / 1e6, mine.size()));
        }
    }
}
