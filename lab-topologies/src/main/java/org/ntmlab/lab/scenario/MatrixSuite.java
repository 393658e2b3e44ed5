package org.ntmlab.lab.scenario;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Topology;

/**
 * The connectivity matrix as a test suite, for any backend: every topology file is one entry
 * (named after the topology) with one test per matrix cell, named
 * {@code <topology> › <mn> → <cn> expect <label>} with the label from {@link PathOracle}; a
 * topology's lab runs once, when its first cell is tested, and every cell then asserts that its
 * measurement found no problem. After each topology the report of all cells measured so far is
 * written ({@link MatrixReport#write(Path, String, List)}), also when the lab failed part way.
 * A file that does not load, or whose topology name another file has, is an entry with the
 * failure instead of cells. Free of JUnit: a test wraps entries and cells in its own dynamic
 * containers and tests ({@code MatrixDockerIT}, {@code MatrixMemoryTest}).
 */
public final class MatrixSuite {

    /** Runs one topology's lab and measures its cells into {@code out}, in matrix order. */
    @FunctionalInterface
    public interface Run {
        void measure(Topology topology, List<MatrixCell> out) throws Exception;
    }

    /** What a test runs. */
    @FunctionalInterface
    public interface Check {
        void run() throws Throwable;
    }

    /** One cell's test. */
    public record CellTest(String name, Check check) {
    }

    /**
     * One topology file: its cells, or (with no cells) the failure that keeps it from running.
     *
     * @param name     the topology's name, or the file's name with what failed
     * @param topology null when the file did not load or its name is taken
     */
    public record Entry(String name, Topology topology, List<CellTest> cells, AssertionError failure) {
    }

    private final String backend;
    private final Path reportDir;
    private final Run run;
    private final List<MatrixCell> measured = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param backend   names the report ({@link MatrixReport#fileName(String)})
     * @param reportDir where the report goes
     * @param run       how this backend runs a topology
     */
    public MatrixSuite(String backend, Path reportDir, Run run) {
        this.backend = backend;
        this.reportDir = reportDir;
        this.run = run;
    }

    /** An entry per file, in order; topology names must be unique across all of them. */
    public List<Entry> entries(List<Path> files) {
        List<Entry> out = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            Topology t;
            try {
                t = Topology.load(file);
            } catch (RuntimeException e) {
                out.add(new Entry(file.getFileName() + " › loads", null, List.of(), new AssertionError(e.getMessage(), e)));
                continue;
            }
            Path other = names.putIfAbsent(t.name(), file);
            if (other != null) {
                // two files with one name would share an artifact folder and a report section
                out.add(new Entry(file.getFileName() + " › name unique", null, List.of(), new AssertionError(
                        file.getFileName() + ": name '" + t.name() + "' is also the name of " + other.getFileName()
                                + " (topology names must be unique across files)")));
                continue;
            }
            Once once = new Once(t);
            out.add(new Entry(t.name(), t, t.matrix().cells().stream().map(c -> new CellTest(
                    t.name() + " › " + c + " expect " + PathOracle.expected(t, c.mn(), c.cn()).label(),
                    () -> once.check(c))).toList(), null));
        }
        return out;
    }

    /** Every cell measured so far, in the order measured. */
    public List<MatrixCell> measured() {
        return List.copyOf(measured);
    }

    /** One topology's lab, run once for all its cells (the first cell's test pays for it). */
    private final class Once {
        private final Topology topology;
        private Map<Matrix.Cell, MatrixCell> results;
        private Throwable failure;

        Once(Topology topology) {
            this.topology = topology;
        }

        void check(Matrix.Cell cell) throws Throwable {
            MatrixCell c = results().get(cell);
            if (c == null) {
                throw new AssertionError("cell " + cell + " was not measured");
            }
            if (!c.problems.isEmpty()) {
                throw new AssertionError(topology.source() + " " + cell + " (expected " + c.expectedLabel()
                        + " by rule " + c.rule + ": " + c.why + "): " + String.join("; ", c.problems));
            }
        }

        private synchronized Map<Matrix.Cell, MatrixCell> results() throws Throwable {
            if (failure != null) {
                throw new AssertionError("the lab of " + topology.source() + " failed before this cell: " + failure,
                        failure);
            }
            if (results == null) {
                try {
                    results = measure(topology);
                } catch (Throwable e) {
                    failure = e;
                    throw e;
                }
            }
            return results;
        }
    }

    private Map<Matrix.Cell, MatrixCell> measure(Topology t) throws Exception {
        List<MatrixCell> mine = new ArrayList<>();
        try {
            run.measure(t, mine);
        } finally {
            measured.addAll(mine);
            writeReport();
        }
        System.out.println(MatrixReport.markdown(backend, mine));
        Map<Matrix.Cell, MatrixCell> byCell = new LinkedHashMap<>();
        mine.forEach(c -> byCell.put(new Matrix.Cell(c.mn, c.cn), c));
        return byCell;
    }

    private void writeReport() throws IOException {
        MatrixReport.write(reportDir, backend, measured());
    }
}
