package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json: what a run ran on, best effort, never an error. */
class RunManifestTest {

    @TempDir
    Path dir;

    @Test
    void theMachineFactsAreThereAndTheJarIsHashed() throws Exception {
        Path jar = dir.resolve("abc.jar");
        Files.writeString(jar, "abc");
        Map<String, Object> m = RunManifest.machine(jar);
        assertThat(m).containsKeys("createdAt", "gitCommit", "gitDirty", "jvm", "kernel", "processors", "loadAverage",
                "command");
        // FIPS 180-2 example: SHA-256("abc")
        assertThat(m.get("ntmJarSha256")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(m.get("startedBy")).as("the test that made it").isEqualTo("RunManifestTest");
        assertThat(RunManifest.machine(dir.resolve("missing.jar")).get("ntmJarSha256")).isEqualTo("unknown");
        RunManifest.write(dir.resolve("out"), m);
        assertThat(Files.readString(dir.resolve("out/manifest.json"))).contains("\"ntmJarSha256\" : \"ba7816bf");
    }

    @Test
    void anUnwritableFolderIsLoggedNotThrown() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        RunManifest.write(file.resolve("sub"), Map.of("k", "v")); // a file where the folder should be
        assertThat(Files.readString(file)).isEqualTo("x");
    }
}
