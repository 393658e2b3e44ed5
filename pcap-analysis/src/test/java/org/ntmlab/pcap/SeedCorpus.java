package org.ntmlab.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The committed seed corpus of a Jazzer fuzz test (docs/security.md, "Fuzzing"): the files
 * Jazzer runs in every {@code mvn test} and starts fuzzing from, under
 * {@code src/test/resources/<package>/<Class>Inputs/<method>/}. Seeds are made by the codecs
 * themselves, so a wire change shows here first: {@link #check} fails until the corpus is
 * written again with {@code -Dfuzz.writeSeeds=true}. Other files there (crashing inputs kept as
 * regressions) are left alone.
 */
public final class SeedCorpus {

    private SeedCorpus() {
    }

    /** Fails unless every seed is committed with these bytes; with -Dfuzz.writeSeeds=true, writes them. */
    public static void check(Class<?> fuzzTest, String method, Map<String, byte[]> seeds) {
        Path dir = Path.of("src", "test", "resources").resolve(fuzzTest.getPackageName().replace('.', '/'))
                .resolve(fuzzTest.getSimpleName() + "Inputs").resolve(method);
        try {
            if (Boolean.getBoolean("fuzz.writeSeeds")) {
                Files.createDirectories(dir);
                for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
                    Files.write(dir.resolve(s.getKey()), s.getValue());
                }
                return;
            }
            for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
                Path f = dir.resolve(s.getKey());
                assertThat(f).as("seed %s (write the corpus again with -Dfuzz.writeSeeds=true)", f).exists();
                assertThat(Files.readAllBytes(f)).as("seed %s (write the corpus again with -Dfuzz.writeSeeds=true)", f)
                        .isEqualTo(s.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
