package org.ntmlab.lab.scenario;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Topology;

/**
 * The connectivity matrix as JUnit dynamic tests, for any backend ({@code MatrixDockerIT},
 * {@code MatrixMemoryTest}): one container per topology file, named after the topology, with one
 * test per matrix cell named {@code <topology> › <mn> → <cn> expect <label>} (the label from
 * {@link PathOracle}). A topology's lab runs once, when its first cell is tested; each cell then
 * asserts that its measurement found no problem. After each topology the report of every cell
 * measured so far is written ({@link MatrixReport#write(Path, String, List)}), also when the lab
 * failed part way. A file that does not load, or whose topology name another file already has, is
 * one failing test instead.
 *
 * <p>With {@code -Dntm.lab.workers=N} (N &gt; 1) the first cell's test starts every topology's
 * lab, N at a time, and each cell waits for its own topology: labs whose prefixes overlap must then
 * be relocatable (the backend's {@link Run} starts them with {@code LabOptions.withRelocation},
 * docs/lab.md "Parallel labs"). Test names, order and reports are the same as with one worker.
 */
public final class MatrixSuite {

    /** Runs one topology's lab on a backend and measures its cells into {@code out}, in matrix order. */
    @FunctionalInterface
    public interface Run {
        void measure(Topology topology, List<MatrixCell> out) throws Exception;
    }

    private final String backend;
    private final Path reportDir;
    private final Run run;
    private final List<MatrixCell> measured = Collections.synchronizedList(new ArrayList<>());
    private final int workers = Integer.getInteger("ntm.lab.workers", 1);
    /** Every topology of {@link #tests}, for the workers to start at once. */
    private final List<Once> all = new ArrayList<>();
    private java.util.concurrent.ExecutorService pool;

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

    /** The tests of every file, in order; topology names must be unique across all of them. */
    public Stream<DynamicNode> tests(List<Path> files) {
        List<DynamicNode> out = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            Topology t;
            try {
                t = Topology.load(file);
            } catch (RuntimeException e) {
                out.add(dynamicTest(file.getFileName() + " › loads", () -> {
                    throw new AssertionError(e.getMessage(), e);
                }));
                continue;
            }
            Path other = names.putIfAbsent(t.name(), file);
            if (other != null) {
                // two files with one name would share an artifact folder and a report section
                out.add(dynamicTest(file.getFileName() + " › name unique", () -> {
                    throw new AssertionError(file.getFileName() + ": name '" + t.name() + "' is also the name of "
                            + other.getFileName() + " (topology names must be unique across files)");
                }));
                continue;
            }
            Once once = new Once(t);
            all.add(once);
            out.add(dynamicContainer(t.name(), t.matrix().cells().stream().map(c -> dynamicTest(
                    t.name() + " › " + c + " expect " + PathOracle.expected(t, c.mn(), c.cn()).label(),
                    () -> once.check(c)))));
        }
        return out.stream();
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

        private java.util.concurrent.Future<Map<Matrix.Cell, MatrixCell>> future;

        private Map<Matrix.Cell, MatrixCell> results() throws Throwable {
            startAll();
            synchronized (this) {
                if (failure != null) {
                    throw new AssertionError("the lab of " + topology.source() + " failed before this cell: " + failure,
                            failure);
                }
                if (results == null) {
                    try {
                        results = future != null ? awaitFuture() : measure(topology);
                    } catch (Throwable e) {
                        failure = e;
                        throw e;
                    }
                }
                return results;
            }
        }

        private Map<Matrix.Cell, MatrixCell> awaitFuture() throws Throwable {
            try {
                return future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause();
            }
        }
    }

    /** With several workers, the first cell starts every topology's lab (N at a time). */
    private synchronized void startAll() {
        if (workers <= 1 || pool != null) {
            return;
        }
        pool = java.util.concurrent.Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "matrix-worker");
            th.setDaemon(true);
            return th;
        });
        for (Once o : all) {
            java.util.concurrent.Callable<Map<Matrix.Cell, MatrixCell>> job = () -> measure(o.topology);
            o.future = pool.submit(job);
        }
        pool.shutdown();
    }

    private Map<Matrix.Cell, MatrixCell> measure(Topology t) throws Exception {
        List<MatrixCell> mine = new ArrayList<>();
        try {
            run.measure(t, mine);
        } finally {
            synchronized (measured) { // workers finish in any order: one report write at a time
                measured.addAll(mine);
                MatrixReport.write(reportDir, backend, measured());
            }
        }
        System.out.println(MatrixReport.markdown(backend, mine));
        Map<Matrix.Cell, MatrixCell> byCell = new LinkedHashMap<>();
        mine.forEach(c -> byCell.put(new Matrix.Cell(c.mn, c.cn), c));
        return byCell;
    }
}
