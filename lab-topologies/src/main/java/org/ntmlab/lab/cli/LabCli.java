package org.ntmlab.lab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.LabException;
import org.ntmlab.lab.LabOptions;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.memory.InMemoryLab;
import org.ntmlab.lab.scenario.MatrixCell;
import org.ntmlab.lab.scenario.MatrixReport;
import org.ntmlab.lab.scenario.MatrixScenario;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Matrix;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Preflight;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyException;

/**
 * {@code ./ntm-lab validate|up|inspect|down|run}: a topology from the shell, without writing a
 * test (issue 14; docs/lab.md "The lab from the shell"). Exit codes: 0 done, 1 failed (a
 * problem in a file, a lab that did not start, a cell that did not pass), 2 usage.
 *
 * <p>Commands that start a lab need the Docker engine and image of scripts/lab-host-setup.sh
 * (docker backend) and the ntm jar; {@code validate} needs neither.
 */
public final class LabCli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: ntm-lab COMMAND [ARGS]   (ntm-lab COMMAND --help for one command)
              validate FILE...                       check topology files; every problem as file:line: field: message
              up FILE [--backend docker|memory] [--keep] [--no-nat-check] [--no-ntm]
                                                     start a lab and print its hosts, addresses and NAT verdicts
              inspect [--json]                       the Docker labs running now (kept or not)
              down RUN|TOPOLOGY|--all                remove Docker labs (also what a crashed run left)
              run FILE [--backend docker|memory] [--cell MN:CN] [--report DIR]
                                                     run the connectivity matrix (or one cell) and report it
              rerun DIR                              repeat the run whose manifest.json is in DIR
              graph FILE [--report DIR] [-o OUT.svg] [--mermaid]
                                                     draw the topology (SVG, or Mermaid text), observed paths over it
            common options: --jar PATH (the ntm jar), --artifacts DIR, -v (the lab's log on stderr)""";

    private static final Map<String, String> HELP = Map.of(
            "validate", """
                    usage: ntm-lab validate FILE...
                    Parses and checks each topology file (docs/topology-format.md) without Docker, and
                    that names are unique across the files. Prints every problem as
                    file:line: field: message, or 'FILE: ok' with what the file declares.
                    Exit 0 when every file is valid, 1 otherwise, 2 for no file.
                    example: ntm-lab validate topologies/*.yaml""",
            "up", """
                    usage: ntm-lab up FILE [--backend docker|memory] [--keep] [--no-nat-check] [--no-ntm]
                    Starts the topology's lab (Docker by default), starts AS/DC/RS and every node unless
                    --no-ntm, checks each router's NAT type with stun-client unless --no-nat-check, and
                    prints hosts, segments, addresses and NAT verdicts.
                    Without --keep it waits for Enter (or Ctrl-C) and then removes the lab.
                    With --keep (docker only) it returns and leaves the lab running: look at it with
                    docker exec / ntm-lab inspect, captures grow in the artifact folder; ntm-lab down
                    RUN removes it. A lab whose prefixes are taken moves to a relocation slot.
                    example: ntm-lab up topologies/table1.yaml --keep""",
            "inspect", """
                    usage: ntm-lab inspect [--json]
                    Lists the Docker labs running now, by their labels: run, topology, owner process
                    (alive or not), kept or not, and every host with its role, state and addresses.
                    example: ntm-lab inspect --json | jq '.[].hosts[].name'""",
            "down", """
                    usage: ntm-lab down RUN|TOPOLOGY|--all
                    Removes the containers and networks of the lab with that run id, of every lab of
                    that topology name, or of every lab (--all). Safe after a crash: labs are found by
                    their Docker labels. Exit 1 when nothing matched.
                    example: ntm-lab down table1""",
            "run", """
                    usage: ntm-lab run FILE [--backend docker|memory] [--cell MN:CN] [--report DIR]
                    Starts the lab, runs the connectivity matrix of the file (or one cell) through each
                    MN's control channel (resolve, UDP/TCP echo with every byte checked, ping, tunnel
                    tables of both ends against the expected path) and writes matrix-<backend>.{md,json,html}
                    to DIR (default target/ntm-lab/report). The capture check of the Docker matrix is
                    conformance-tests' MatrixDockerIT (./ntm-lab table1). Exit 1 if a cell failed.
                    example: ntm-lab run topologies/nat-mix.yaml --backend memory --cell s:f""",
            "graph", """
                    usage: ntm-lab graph FILE [--report DIR|FILE.json] [-o OUT.svg] [--mermaid]
                    Draws the topology: segments in tiers (a network behind a NAT below the NAT's
                    outside), routers with their NAT type, servers, nodes with their addresses. With
                    --report (a folder with matrix.json or matrix-memory.json, or the file), each of the
                    topology's cells is drawn from its MN to its CN: direct, direct after route
                    optimisation, through the RS, or failed; the NAT verdicts of the lab's manifest.json
                    in the same folder are shown when present. SVG to OUT.svg (default FILE's name
                    .svg in the working directory); --mermaid prints Mermaid text for Markdown instead.
                    example: ntm-lab graph topologies/table1.yaml --report conformance-tests/target/ntm-report -o table1.svg""",
            "rerun", """
                    usage: ntm-lab rerun DIR
                    Repeats the run whose manifest.json is in DIR (a lab's artifact folder, or a report
                    folder): a run of this CLI with the same arguments, or the Maven command of the test
                    that started the lab (printed, then run from the repository root).
                    example: ntm-lab rerun target/ntm-lab/table1""");

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;

    LabCli(PrintStream out, PrintStream err, BufferedReader in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    public static void main(String[] args) {
        LabCli cli = new LabCli(System.out, System.err,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        int code = cli.run(args);
        System.out.flush();
        System.err.flush();
        if (cli.keptLab) {
            // Without Ryuk, Testcontainers removes every container and network of its session in a
            // shutdown hook (JVMHookResourceReaper), and their labels cannot be changed: a process
            // that leaves a lab running ends without running shutdown hooks.
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /** Set once {@code up --keep} detached a lab: {@link #main} must then end without shutdown hooks. */
    private boolean keptLab;

    /** Runs one command line in this process (tests, other tools); returns the exit code. */
    public static int execute(PrintStream out, PrintStream err, BufferedReader in, String... args) {
        return new LabCli(out, err, in).run(args);
    }

    /** The command line being run, for the manifest's {@code rerun}. */
    private List<String> argv = List.of();

    /** Runs one command line; returns the exit code. */
    int run(String... args) {
        argv = List.of(args);
        Deque<String> a = new ArrayDeque<>(List.of(args));
        if (a.isEmpty() || a.peekFirst().equals("--help") || a.peekFirst().equals("-h") || a.peekFirst().equals("help")) {
            (a.isEmpty() ? err : out).println(USAGE_TEXT);
            return a.isEmpty() ? USAGE : OK;
        }
        String command = a.removeFirst();
        if (!HELP.containsKey(command)) {
            err.println("ntm-lab: unknown command '" + command + "'\n" + USAGE_TEXT);
            return USAGE;
        }
        Options o;
        try {
            o = Options.parse(a);
        } catch (IllegalArgumentException e) {
            err.println("ntm-lab " + command + ": " + e.getMessage() + "\n" + HELP.get(command));
            return USAGE;
        }
        if (o.help) {
            out.println(HELP.get(command));
            return OK;
        }
        quietLogs(o.verbose);
        try {
            return switch (command) {
                case "validate" -> validate(o);
                case "up" -> up(o);
                case "inspect" -> inspect(o);
                case "down" -> down(o);
                case "run" -> runMatrix(o);
                case "rerun" -> rerun(o);
                case "graph" -> graph(o);
                default -> USAGE;
            };
        } catch (UsageException e) {
            err.println("ntm-lab " + command + ": " + e.getMessage() + "\n" + HELP.get(command));
            return USAGE;
        } catch (TopologyException e) {
            e.problems().forEach(p -> err.println(p));
            return FAILED;
        } catch (LabException | IllegalArgumentException | IllegalStateException e) {
            err.println("ntm-lab " + command + ": " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ntm-lab " + command + ": interrupted");
            return FAILED;
        } catch (IOException e) {
            err.println("ntm-lab " + command + ": " + e);
            return FAILED;
        }
    }

    // ------------------------------------------------------------------ validate

    private int validate(Options o) {
        if (o.files.isEmpty()) {
            throw new UsageException("no topology file given");
        }
        int bad = 0;
        Map<String, Path> names = new LinkedHashMap<>();
        for (Path f : o.files) {
            Topology t;
            try {
                t = Topology.load(f);
            } catch (TopologyException e) {
                // the parser names the file by its name; the user gave a path
                e.problems().forEach(p -> out.println(f + (p.line() > 0 ? ":" + p.line() : "") + ": " + p.path()
                        + ": " + p.message()));
                bad++;
                continue;
            }
            Path other = names.putIfAbsent(t.name(), f);
            if (other != null) {
                out.println(f + ": name: '" + t.name() + "' is also the name of " + other
                        + " (topology names must be unique across files: they name artifact folders and report sections)");
                bad++;
                continue;
            }
            List<String> unchecked = Preflight.uncheckableRouters(t).stream().map(Router::name).toList();
            out.println(f + ": ok (" + t.name() + ": " + t.segments().size() + " segments, " + t.routers().size()
                    + " routers, " + t.servers().size() + " servers, " + t.nodes().size() + " nodes, "
                    + t.matrix().cells().size() + " matrix cells"
                    + (unchecked.isEmpty() ? "" : "; no host behind " + unchecked + ", so their NAT type cannot be"
                    + " checked: up/run with --no-nat-check") + ")");
        }
        return bad == 0 ? OK : FAILED;
    }

    // ------------------------------------------------------------------ up

    private int up(Options o) throws IOException {
        Topology t = oneFile(o);
        if (o.keep && o.memory()) {
            throw new UsageException("--keep needs the docker backend: the memory lab lives in this process");
        }
        NtmLab lab = start(t, o);
        boolean detached = false;
        try {
            out.println(describe(lab));
            if (o.keep) {
                ((Lab) lab).detach();
                detached = true;
                keptLab = true;
                out.println("kept: run " + ((Lab) lab).runId() + "; ntm-lab inspect shows it, ntm-lab down "
                        + ((Lab) lab).runId() + " removes it; captures and lab.txt in " + lab.artifactDir());
                return OK;
            }
            out.println("lab is up; press Enter (or Ctrl-C) to remove it");
            in.readLine();
            return OK;
        } finally {
            if (!detached) {
                lab.close();
            }
        }
    }

    private NtmLab start(Topology t, Options o) {
        if (o.memory()) {
            InMemoryLab lab = InMemoryLab.start(t);
            lab.manifest("rerun", rerunArgs());
            return lab;
        }
        requireDockerEnvironment();
        LabOptions opts = LabOptions.defaults().withNtmJar(o.jar()).withArtifacts(o.artifacts())
                .withVerifyNat(o.natCheck).withRelocation(true).withKeep(o.keep);
        Lab lab = Lab.start(t, opts);
        lab.manifest("rerun", rerunArgs());
        if (o.ntm) {
            try {
                lab.startNtm(180);
            } catch (RuntimeException e) {
                lab.close();
                throw e;
            }
        }
        return lab;
    }

    /** Hosts by segment with their addresses, and the NAT verdicts: what a researcher looks at first. */
    static String describe(NtmLab lab) {
        Topology t = lab.topology();
        StringBuilder sb = new StringBuilder();
        sb.append("lab ").append(t.name()).append(" (").append(t.source()).append(") on ").append(lab.backend());
        if (lab instanceof Lab d) {
            sb.append(", run ").append(d.runId());
        }
        if (t.relocation() != 0) {
            sb.append(", relocated to slot ").append(t.relocation()).append(" (another lab holds the file's prefixes)");
        }
        sb.append("\nartifacts: ").append(lab.artifactDir()).append('\n');
        for (Segment s : t.segments()) {
            sb.append("\nsegment ").append(s.name()).append(" (").append(s.kind().name().toLowerCase(Locale.ROOT)
                    .replace('_', '-')).append(s.ipv4() == null ? "" : " " + s.ipv4())
                    .append(s.ipv6() == null ? "" : " " + s.ipv6())
                    .append(s.behind() == null ? "" : ", behind " + s.behind()).append(")\n");
            for (String host : t.hostNames()) {
                for (HostAddress a : t.addresses().of(host)) {
                    if (!a.segment().equals(s.name())) {
                        continue;
                    }
                    sb.append(String.format(Locale.ROOT, "  %-10s %-7s %s%n", host, kindOf(t, host),
                            (a.ipv4() == null ? "" : IpLiteral.format(a.ipv4()) + " ")
                                    + (a.ipv6() == null ? "" : IpLiteral.format(a.ipv6()))));
                }
            }
        }
        if (!t.routers().isEmpty()) {
            sb.append("\nNAT routers:\n");
            List<String> verdicts = lab instanceof Lab d ? d.notes().stream().filter(n -> n.startsWith("nat-probe "))
                    .toList() : List.of();
            for (Router r : t.routers()) {
                sb.append("  ").append(r.name()).append(": ").append(r.nat().yamlName()).append(", ")
                        .append(r.inside()).append(" -> ").append(r.outside());
                verdicts.stream().filter(v -> v.startsWith("nat-probe " + r.name() + " ") || v.startsWith("nat-probe "
                        + r.name() + ":")).forEach(v -> sb.append("\n    ").append(v.substring("nat-probe ".length())));
                sb.append('\n');
            }
            if (verdicts.isEmpty()) {
                sb.append("  (NAT types not checked: --no-nat-check, or the memory backend)\n");
            }
        }
        if (!t.matrix().cells().isEmpty()) {
            sb.append("\nmatrix cells (expected path):\n");
            for (Matrix.Cell c : t.matrix().cells()) {
                sb.append("  ").append(c).append(": ").append(PathOracle.expected(t, c.mn(), c.cn()).label()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String kindOf(Topology t, String host) {
        if (t.router(host).isPresent()) {
            return "router";
        }
        if (t.node(host).isPresent()) {
            return "node";
        }
        return t.servers().stream().filter(s -> s.name().equals(host)).findFirst()
                .map(s -> s.role().name().toLowerCase(Locale.ROOT)).orElse("host");
    }

    // ------------------------------------------------------------------ inspect / down

    private int inspect(Options o) throws IOException {
        requireDockerEnvironment();
        List<RunningLabs.LabView> labs = RunningLabs.list();
        if (o.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(labs));
            return OK;
        }
        if (labs.isEmpty()) {
            out.println("no lab is running");
            return OK;
        }
        for (RunningLabs.LabView l : labs) {
            out.println("run " + l.run() + "  topology " + l.topology() + "  owner pid " + l.pid()
                    + (l.ownerAlive() ? " (running)" : " (gone)") + (l.kept() ? "  kept" : ""));
            for (RunningLabs.HostView h : l.hosts()) {
                out.println(String.format(Locale.ROOT, "  %-10s %-7s %-8s %s", h.name(), h.role(), h.state(),
                        String.join("  ", h.addresses())));
            }
        }
        return OK;
    }

    private int down(Options o) {
        if (o.files.size() != 1 && !o.all) {
            throw new UsageException("name one run id or topology, or --all");
        }
        requireDockerEnvironment();
        String which = o.all ? null : o.files.get(0).toString();
        int removed = RunningLabs.remove(which);
        if (removed == 0) {
            out.println(o.all ? "no lab to remove" : "no lab with run id or topology '" + which + "'");
            return o.all ? OK : FAILED;
        }
        out.println("removed " + removed + " containers and networks");
        return OK;
    }

    // ------------------------------------------------------------------ run

    private int runMatrix(Options o) throws IOException, InterruptedException {
        Topology t = oneFile(o);
        List<Matrix.Cell> cells = t.matrix().cells();
        if (o.cell != null) {
            String[] mc = o.cell.split(":", 2);
            if (mc.length != 2) {
                throw new UsageException("--cell wants MN:CN, e.g. --cell p2:p1");
            }
            Matrix.Cell c = new Matrix.Cell(mc[0], mc[1]);
            if (t.node(c.mn()).isEmpty() || t.node(c.cn()).isEmpty()) {
                throw new UsageException("--cell " + o.cell + ": " + t.source() + " has nodes "
                        + t.nodes().stream().map(n -> n.name()).toList());
            }
            cells = List.of(c);
        }
        List<MatrixCell> measured = new ArrayList<>();
        try (NtmLab lab = start(t, o)) {
            out.println(describe(lab));
            for (Matrix.Cell c : cells) {
                MatrixCell m = MatrixScenario.measure(lab, c);
                lab.note("matrix " + m.json());
                measured.add(m);
                out.println(c + ": " + (m.problems.isEmpty() ? "ok" : "FAILED: " + String.join("; ", m.problems)));
            }
        }
        String backend = o.memory() ? "memory" : MatrixReport.DOCKER;
        Path dir = o.report != null ? o.report : o.artifacts().resolve("report");
        Files.createDirectories(dir);
        MatrixReport.write(dir, backend, measured);
        out.println();
        out.println(MatrixReport.markdown(backend, measured));
        out.println("report: " + dir.resolve(MatrixReport.fileName(backend)) + ".{md,json,html}");
        return measured.stream().allMatch(m -> m.problems.isEmpty()) ? OK : FAILED;
    }

    // ------------------------------------------------------------------ graph

    private int graph(Options o) throws IOException {
        Topology t = oneFile(o);
        org.ntmlab.lab.graph.MatrixOverlay overlay = org.ntmlab.lab.graph.MatrixOverlay.none();
        Map<String, String> verdicts = new LinkedHashMap<>();
        if (o.report != null) {
            Path json = o.report;
            if (Files.isDirectory(json)) {
                Path docker = json.resolve("matrix.json");
                json = Files.isRegularFile(docker) ? docker : json.resolve("matrix-memory.json");
            }
            if (!Files.isRegularFile(json)) {
                throw new UsageException("--report " + o.report + ": no matrix.json or matrix-memory.json there");
            }
            overlay = org.ntmlab.lab.graph.MatrixOverlay.read(json, t.name());
            Path manifest = json.resolveSibling(org.ntmlab.lab.RunManifest.FILE);
            if (Files.isRegularFile(manifest)) {
                new ObjectMapper().readTree(manifest.toFile()).path("natProbes").forEach(n -> {
                    String line = n.asText();
                    int colon = line.indexOf(':');
                    int says = line.indexOf("(");
                    if (colon > 0) {
                        verdicts.putIfAbsent(line.substring(0, colon), says > 0 ? line.substring(line.lastIndexOf('(') + 1,
                                line.length() - 1) : line.substring(colon + 1).strip());
                    }
                });
            }
            if (overlay.cells().isEmpty()) {
                err.println("ntm-lab graph: " + json + " has no cell of topology '" + t.name() + "'");
            }
        }
        if (o.mermaid) {
            out.print(org.ntmlab.lab.graph.TopologyGraph.mermaid(t, overlay));
            return OK;
        }
        Path svg = o.output != null ? o.output : Path.of(t.name() + ".svg");
        Files.writeString(svg, org.ntmlab.lab.graph.TopologyGraph.svg(t, overlay, verdicts), StandardCharsets.UTF_8);
        out.println("wrote " + svg + " (" + t.segments().size() + " segments, " + t.hostNames().size() + " hosts"
                + (overlay.cells().isEmpty() ? "" : ", " + overlay.cells().size() + " cells") + ")");
        return OK;
    }

    // ------------------------------------------------------------------ rerun

    /** This command line as it repeats the run: without --keep (a rerun looks, then cleans up). */
    private List<String> rerunArgs() {
        return argv.stream().filter(x -> !x.equals("--keep")).map(x -> x.endsWith(".yaml") || x.endsWith(".yml")
                ? Path.of(x).toAbsolutePath().normalize().toString() : x).toList();
    }

    private int rerun(Options o) throws IOException, InterruptedException {
        if (o.files.size() != 1) {
            throw new UsageException("name one folder with a manifest.json");
        }
        Path file = o.files.get(0).resolve(org.ntmlab.lab.RunManifest.FILE);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no " + file);
        }
        com.fasterxml.jackson.databind.JsonNode m = new ObjectMapper().readTree(file.toFile());
        if (m.hasNonNull("rerun") && m.get("rerun").isArray()) {
            List<String> args = new ArrayList<>();
            m.get("rerun").forEach(x -> args.add(x.asText()));
            out.println("rerun: ntm-lab " + String.join(" ", args) + " (manifest of " + m.path("createdAt").asText()
                    + ", commit " + m.path("gitCommit").asText() + ")");
            return run(args.toArray(String[]::new));
        }
        String test = m.path("startedBy").asText("");
        String moduleDir = m.path("moduleDir").asText("");
        if (test.isEmpty() || moduleDir.isEmpty()) {
            err.println("ntm-lab rerun: " + file + " names neither a CLI command line nor the test that ran it");
            return FAILED;
        }
        Path module = Path.of(moduleDir);
        boolean it = test.endsWith("IT");
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-pl", module.getFileName().toString(), "-am",
                "verify", "-DskipFuzz"));
        mvn.addAll(it ? List.of("-Dtest=none", "-Dsurefire.failIfNoSpecifiedTests=false", "-Dit.test=" + test,
                "-Dfailsafe.failIfNoSpecifiedTests=false") : List.of("-Dtest=" + test,
                "-Dsurefire.failIfNoSpecifiedTests=false", "-DskipITs"));
        out.println("rerun: " + String.join(" ", mvn) + "   (in " + module.getParent() + "; manifest of "
                + m.path("createdAt").asText() + ", commit " + m.path("gitCommit").asText() + ")");
        Process p = new ProcessBuilder(mvn).directory(module.getParent().toFile()).inheritIO().start();
        return p.waitFor() == 0 ? OK : FAILED;
    }

    // ------------------------------------------------------------------ common

    private static Topology oneFile(Options o) {
        if (o.files.size() != 1) {
            throw new UsageException(o.files.isEmpty() ? "no topology file given" : "one topology file, not "
                    + o.files.size());
        }
        return Topology.load(o.files.get(0));
    }

    /**
     * Testcontainers without these would pull Ryuk (no registry here: a two-minute hang), and Ryuk
     * would remove a kept lab the moment this process ends.
     */
    private static void requireDockerEnvironment() {
        if (!"true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            throw new LabException("set TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost"
                    + " (./ntm-lab does; docs/lab.md \"Running\")");
        }
    }

    /** The lab's progress goes to the log; a shell user sees it only with -v. */
    private static void quietLogs(boolean verbose) {
        Level level = verbose ? Level.INFO : Level.WARNING;
        for (String name : new String[] {"org.ntmlab", "org.testcontainers", "com.github.dockerjava", "tc"}) {
            Logger l = Logger.getLogger(name);
            l.setLevel(level);
            CONFIGURED_LOGGERS.add(l); // JUL keeps loggers weakly: a collected one forgets its level
        }
    }

    private static final List<Logger> CONFIGURED_LOGGERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A command line that cannot be run as given: exit 2 with the command's help. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed options of every command (each uses its own). */
    static final class Options {
        final List<Path> files = new ArrayList<>();
        boolean help;
        boolean verbose;
        boolean json;
        boolean all;
        boolean keep;
        boolean natCheck = true;
        boolean mermaid;
        Path output;
        boolean ntm = true;
        String backend = "docker";
        String cell;
        Path report;
        Path jar;
        Path artifactsDir;

        static Options parse(Deque<String> a) {
            Options o = new Options();
            while (!a.isEmpty()) {
                String s = a.removeFirst();
                switch (s) {
                    case "--help", "-h" -> o.help = true;
                    case "-v", "--verbose" -> o.verbose = true;
                    case "--json" -> o.json = true;
                    case "--all" -> o.all = true;
                    case "--keep" -> o.keep = true;
                    case "--no-nat-check" -> o.natCheck = false;
                    case "--no-ntm" -> o.ntm = false;
                    case "--mermaid" -> o.mermaid = true;
                    case "-o", "--output" -> o.output = Path.of(value(a, s));
                    case "--backend" -> {
                        o.backend = value(a, s);
                        if (!o.backend.equals("docker") && !o.backend.equals("memory")) {
                            throw new IllegalArgumentException("--backend is docker or memory, not '" + o.backend + "'");
                        }
                    }
                    case "--cell" -> o.cell = value(a, s);
                    case "--report" -> o.report = Path.of(value(a, s));
                    case "--jar" -> o.jar = Path.of(value(a, s));
                    case "--artifacts" -> o.artifactsDir = Path.of(value(a, s));
                    default -> {
                        if (s.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + s);
                        }
                        o.files.add(Path.of(s));
                    }
                }
            }
            return o;
        }

        private static String value(Deque<String> a, String option) {
            if (a.isEmpty() || a.peekFirst().startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return a.removeFirst();
        }

        boolean memory() {
            return backend.equals("memory");
        }

        /** --jar, else the build's ntm jar seen from the repository root or from a module. */
        Path jar() {
            if (jar != null) {
                return jar;
            }
            return Optional.of(Path.of("ntm-impl/target/ntm.jar")).filter(Files::isRegularFile)
                    .orElse(Path.of("../ntm-impl/target/ntm.jar"));
        }

        Path artifacts() {
            return artifactsDir != null ? artifactsDir : Path.of("target", "ntm-lab");
        }
    }
}
