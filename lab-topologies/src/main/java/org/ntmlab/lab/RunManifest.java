package org.ntmlab.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run ran on, written as {@code manifest.json} into every lab's artifact folder (issue 14,
 * docs/reports.md "Run manifest"): enough to tell two runs apart and to repeat one. Every field is
 * best effort: what cannot be read (no git, no Docker answer) is {@code "unknown"}, never an error.
 */
public final class RunManifest {
    private static final Logger LOG = LoggerFactory.getLogger(RunManifest.class);

    /** Written beside the captures and lab.txt. */
    public static final String FILE = "manifest.json";

    private RunManifest() {
    }

    /**
     * The facts of the machine and the build: time, git commit (and whether the tree had changes),
     * JVM, kernel, processors, load average, and the ntm jar's SHA-256.
     */
    public static Map<String, Object> machine(Path ntmJar) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("createdAt", Instant.now().toString());
        m.put("gitCommit", command("git", "rev-parse", "HEAD"));
        String status = command("git", "status", "--porcelain", "--untracked-files=no");
        m.put("gitDirty", status.equals("unknown") ? "unknown" : Boolean.toString(!status.isEmpty()));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")));
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("loadAverage", read(Path.of("/proc/loadavg")));
        m.put("ntmJar", ntmJar == null ? "unknown" : ntmJar.toAbsolutePath().normalize().toString());
        m.put("ntmJarSha256", ntmJar == null ? "unknown" : sha256(ntmJar));
        m.put("command", System.getProperty("sun.java.command", "unknown"));
        m.put("startedBy", startedBy());
        return m;
    }

    /**
     * How to run it again: the test class that started the lab (found on the stack) as a Maven
     * command of this module, or {@code null} when no test started it.
     */
    static String startedBy() {
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            String c = e.getClassName();
            String simple = c.substring(c.lastIndexOf('.') + 1);
            if (simple.endsWith("IT") || simple.endsWith("Test")) {
                return simple;
            }
        }
        return null;
    }

    /** Writes {@code manifest} as indented JSON to {@code dir/manifest.json}; logs and goes on if it cannot. */
    public static void write(Path dir, Map<String, Object> manifest) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(FILE), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(manifest) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("event=manifest-write-failed dir={} error={}", dir, e.toString());
        }
    }

    /** The SHA-256 of a file in hex, or "unknown". */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The first line of a short command's output, or "unknown" (no such program, failure, 5 s passed). */
    private static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return "unknown";
            }
            List<String> lines = new ArrayList<>(new String(out, StandardCharsets.UTF_8).lines().toList());
            return lines.isEmpty() ? "" : String.join("\n", lines);
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
