package org.ntmlab.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ntm-lab validate|up|run} in process, on the memory backend (no Docker). */
class LabCliTest {

    @TempDir
    Path dir;

    private String out;
    private String err;

    private int cli(String stdin, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = LabCli.execute(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true,
                StandardCharsets.UTF_8), new BufferedReader(new StringReader(stdin)), args);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    @Test
    void usageErrorsExitTwoWithTheCommandsHelp() {
        assertThat(cli("")).isEqualTo(2);
        assertThat(err).contains("usage: ntm-lab COMMAND");
        assertThat(cli("", "frobnicate")).isEqualTo(2);
        assertThat(err).contains("unknown command 'frobnicate'");
        assertThat(cli("", "validate")).isEqualTo(2);
        assertThat(err).contains("no topology file given").contains("usage: ntm-lab validate FILE...");
        assertThat(cli("", "up", "a.yaml", "--backend", "qemu")).isEqualTo(2);
        assertThat(err).contains("--backend is docker or memory, not 'qemu'");
        assertThat(cli("", "run", "a.yaml", "--wat")).isEqualTo(2);
        assertThat(err).contains("unknown option --wat");
        assertThat(cli("", "down")).isEqualTo(2);
        assertThat(cli("", "up", "--help")).isZero();
        assertThat(out).contains("usage: ntm-lab up FILE").contains("example:");
        for (String c : new String[] {"validate", "up", "inspect", "down", "run", "rerun"}) {
            assertThat(cli("", c, "--help")).as(c).isZero();
            assertThat(out).as(c).startsWith("usage: ntm-lab " + c);
        }
    }

    @Test
    void validateSaysOkForEveryShippedTopology() throws Exception {
        assertThat(cli("", "validate", "../topologies/table1.yaml", "../topologies/nat-mix.yaml",
                "src/test/resources/topologies-memory/nested-nat.yaml")).as(out + err).isZero();
        assertThat(out).contains("../topologies/table1.yaml: ok (table1: 4 segments, 2 routers, 3 servers, 6 nodes,"
                + " 9 matrix cells)");
        assertThat(out).contains("nested-nat.yaml: ok");
    }

    /** Every problem at once, as path:line: field: message, and exit 1. */
    @Test
    void validateListsEveryProblemWithItsLine() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                name: bad
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 8.8.8.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 192.168.1.0/24, behind: nobody }
                nodes:
                  - { name: a, fqdn: a.ntm.example, segment: nowhere }
                """);
        assertThat(cli("", "validate", bad.toString(), "../topologies/table1.yaml")).isEqualTo(1);
        assertThat(out).contains(bad + ":3: segments[0].ipv4: 8.8.8.0/24 is not an allowed range");
        assertThat(out).contains(bad + ":4: segments[1].behind: no router named 'nobody'");
        assertThat(out).contains(bad + ":6: nodes[0]");
        assertThat(out).contains("table1.yaml: ok");
    }

    @Test
    void validateRefusesTwoFilesWithOneName() throws Exception {
        Path copy = dir.resolve("copy.yaml");
        Files.copy(Path.of("../topologies/table1.yaml"), copy);
        assertThat(cli("", "validate", "../topologies/table1.yaml", copy.toString())).isEqualTo(1);
        assertThat(out).contains(copy + ": name: 'table1' is also the name of ../topologies/table1.yaml");
    }

    @Test
    void upOnTheMemoryBackendPrintsHostsAndWaitsForEnter() {
        assertThat(cli("\n", "up", "src/test/resources/topologies-memory/full-cone.yaml", "--backend", "memory"))
                .as(out + err).isZero();
        assertThat(out).contains("on memory").contains("segment ").contains("NAT routers:")
                .contains("matrix cells (expected path):").contains("press Enter");
        assertThat(cli("", "up", "src/test/resources/topologies-memory/full-cone.yaml", "--backend", "memory",
                "--keep")).isEqualTo(2);
        assertThat(err).contains("--keep needs the docker backend");
    }

    @Test
    void runOneCellOnTheMemoryBackendWritesItsReport() throws Exception {
        Path report = dir.resolve("report");
        assertThat(cli("", "run", "../topologies/table1.yaml", "--backend", "memory", "--cell", "p2:p1", "--report",
                report.toString())).as(out + err).isZero();
        assertThat(out).contains("p2 → p1: ok");
        assertThat(Files.readString(report.resolve("matrix-memory.json"))).contains("\"mn\":\"p2\"")
                .contains("\"cn\":\"p1\"");
        // the lab's manifest says how to repeat it, and rerun does
        Path labDir = Path.of(System.getProperty("ntm.lab.artifacts", "target/lab"), "memory", "table1");
        String manifest = Files.readString(labDir.resolve("manifest.json"));
        assertThat(manifest).contains("\"backend\" : \"memory\"").contains("\"seed\"").contains("\"gitCommit\"")
                .contains("\"rerun\" : [ \"run\", \"" + Path.of("../topologies/table1.yaml").toAbsolutePath().normalize());
        assertThat(Files.readString(report.resolve("manifest.json"))).contains("\"report\" : \"matrix-memory\"")
                .contains("\"ntmJarSha256\"");
        assertThat(cli("", "rerun", labDir.toString())).as(out + err).isZero();
        assertThat(out).contains("rerun: ntm-lab run ").contains("p2 → p1: ok");
        assertThat(cli("", "rerun", dir.toString())).isEqualTo(2);
        assertThat(err).contains("no " + dir.resolve("manifest.json"));

        assertThat(cli("", "run", "../topologies/table1.yaml", "--backend", "memory", "--cell", "p2:zz")).isEqualTo(2);
        assertThat(err).contains("has nodes [g4, g4b, p1, p2, v6, v6b]");
    }
}
