package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The lab from the shell, as a researcher uses it (docs/lab.md "The lab from the shell"): the CLI
 * runs as its own process, {@code up --keep} returns with the lab still running, the lab survives
 * that process (nodes registered, NTM processes alive), {@code inspect --json} finds it by its
 * Docker labels, and {@code down} removes it. The topology, cli-lab.yaml, has prefixes no other
 * test uses: while kept, a lab's prefixes are refused to any lab that cannot relocate (the
 * mobility labs, two-domains.yaml's 203.0.113.128/25 overlapped theirs).
 */
class LabCliIT {

    private static final Path TOPOLOGY = Path.of("src/test/resources/topologies/cli-lab.yaml");
    private static final Pattern RUN = Pattern.compile("kept: run ([0-9a-f]+);");

    record Result(int code, String out) {
    }

    private static Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.ntmlab.lab.cli.LabCli"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("ntm-lab-cli", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TESTCONTAINERS_RYUK_DISABLED", "true");
        pb.environment().put("TESTCONTAINERS_HOST_OVERRIDE", "localhost");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ntm-lab " + String.join(" ", args) + " still running after 240 s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(p.exitValue(), out);
    }

    @Test
    void upKeepInspectDown() throws Exception {
        Path artifacts = Path.of(System.getProperty("ntm.lab.artifacts", "target/lab")).resolve("cli");
        Result up = cli("up", TOPOLOGY.toString(), "--keep", "--no-nat-check", "--jar",
                System.getProperty("ntm.jar", "../ntm-impl/target/ntm.jar"), "--artifacts", artifacts.toString());
        Matcher m = RUN.matcher(up.out());
        assertThat(up.code()).as(up.out()).isZero();
        assertThat(m.find()).as(up.out()).isTrue();
        String run = m.group(1);
        try {
            assertThat(up.out()).contains("lab cli-lab").contains("segment g (ipv4-global 198.18.0.0/24)")
                    .contains("laptop").contains("gw: port-restricted-cone, home -> g");

            Result inspect = cli("inspect", "--json");
            assertThat(inspect.code()).as(inspect.out()).isZero();
            String json = inspect.out().substring(inspect.out().indexOf('['));
            JsonNode lab = null;
            for (JsonNode l : new ObjectMapper().readTree(json)) {
                if (l.get("run").asText().equals(run)) {
                    lab = l;
                }
            }
            assertThat(lab).as("run " + run + " in " + json).isNotNull();
            assertThat(lab.get("kept").asBoolean()).isTrue();
            assertThat(lab.get("ownerAlive").asBoolean()).as("the up process has ended").isFalse();
            List<String> hosts = new ArrayList<>();
            lab.get("hosts").forEach(h -> hosts.add(h.get("name").asText()));
            assertThat(hosts).contains("gw", "as", "dc", "rs", "laptop", "office");

            // the lab outlived its process: the mn's node still answers and is registered
            Process ps = new ProcessBuilder("docker", "exec", "ntmlab-" + run + "-laptop", "sh", "-c",
                    "ps -eo args | grep -c '[n]tm.jar'").redirectErrorStream(true).start();
            String count = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(ps.waitFor()).isZero();
            assertThat(Integer.parseInt(count)).as("ntm processes in laptop").isPositive();
        } finally {
            Result down = cli("down", run);
            assertThat(down.code()).as(down.out()).isZero();
            assertThat(down.out()).contains("removed");
        }
        Result after = cli("inspect");
        assertThat(after.out()).doesNotContain("run " + run);
        Result again = cli("down", run);
        assertThat(again.code()).as("nothing left to remove").isEqualTo(1);
    }
}
