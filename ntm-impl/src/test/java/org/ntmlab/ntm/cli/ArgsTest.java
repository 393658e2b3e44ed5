package org.ntmlab.ntm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets on the command line are visible in {@code ps}: every one can come from a file or the environment. */
class ArgsTest {

    @TempDir
    Path dir;

    @Test
    void aSecretComesFromTheLineAFileOrTheEnvironment() throws Exception {
        Path f = dir.resolve("token");
        Files.writeString(f, "from-a-file\n");
        assertThat(Args.text("plain")).isEqualTo("plain");
        assertThat(Args.text("@" + f)).isEqualTo("from-a-file");
        String anyVariable = System.getenv().keySet().stream().filter(k -> !System.getenv(k).isBlank()).findFirst()
                .orElseThrow();
        assertThat(Args.text("env:" + anyVariable)).isEqualTo(System.getenv(anyVariable).strip());
        assertThatThrownBy(() -> Args.text("env:NTM_SURELY_UNSET_" + System.nanoTime()))
                .hasMessageContaining("is not set");
        Files.writeString(f, "ab".repeat(32));
        assertThat(Args.secret("--secret", "@" + f)).hasSize(32);
    }
}
