package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background-process scripts of {@link LabHost}, run by the build host's {@code sh} (the lab
 * image runs the same POSIX sh and procps) with a temporary run directory and log instead of a
 * container's: start, alive, SIGKILL of the whole session, start again.
 */
class BackgroundScriptsTest {
    @TempDir
    Path dir;
    private String run;
    private String log;

    @BeforeEach
    void linuxWithProcps() throws Exception {
        assumeThat(Path.of("/proc/self/status")).exists();
        assumeThat(sh("command -v ps >/dev/null && command -v setsid >/dev/null").exit).isZero();
        run = dir.resolve("run").toString();
        log = dir.resolve("log").toString();
    }

    @AfterEach
    void killLeftovers() throws Exception {
        for (String tag : List.of("a", "b", "c")) {
            sh(BackgroundScripts.kill(run, tag));
        }
    }

    @Test
    void aStartedProcessIsAliveUntilKilled() throws Exception {
        assertThat(sh(BackgroundScripts.alive(run, "a")).exit).as("nothing started yet").isEqualTo(1);
        assertThat(sh(BackgroundScripts.start(run, log, log, "a", "exec sleep 30")).exit).isZero();
        long pid = pid("a");
        assertThat(sh(BackgroundScripts.alive(run, "a")).exit).isZero();
        assertThat(ProcessHandle.of(pid)).get().matches(ProcessHandle::isAlive);

        assertThat(sh(BackgroundScripts.kill(run, "a")).exit).isZero();
        assertThat(sh(BackgroundScripts.alive(run, "a")).exit).isEqualTo(1);
        assertThat(notRunning(pid)).isTrue();
    }

    @Test
    void killReachesWhatTheShellStartedNotOnlyTheShell() throws Exception {
        // two commands: sh cannot exec the first, so the pid is the shell's and sleep its child
        sh(BackgroundScripts.start(run, log, log, "b", "sleep 31; echo never"));
        long pid = pid("b");
        waitFor(() -> sh("ps -o pid= -s " + pid).out.strip().lines().count() >= 2);
        List<Long> session = sh("ps -o pid= -s " + pid).out.strip().lines().map(String::strip).map(Long::parseLong)
                .toList();
        assertThat(session).contains(pid).hasSizeGreaterThanOrEqualTo(2);

        assertThat(sh(BackgroundScripts.kill(run, "b")).exit).isZero();
        for (long p : session) {
            assertThat(notRunning(p)).as("process " + p + " of the session").isTrue();
        }
        assertThat(Files.readString(Path.of(log))).doesNotContain("never");
    }

    @Test
    void theSameCommandStartsAgainAfterAKillWithItsQuotesIntact() throws Exception {
        String cmd = "echo \"it's $0\" >> " + dir.resolve("out") + "; exec sleep 30";
        sh(BackgroundScripts.start(run, log, log, "c", cmd));
        long first = pid("c");
        waitFor(() -> Files.exists(dir.resolve("out")));
        sh(BackgroundScripts.kill(run, "c"));
        sh(BackgroundScripts.start(run, log, log, "c", cmd));
        long second = pid("c");
        assertThat(second).isNotEqualTo(first);
        assertThat(sh(BackgroundScripts.alive(run, "c")).exit).isZero();
        waitFor(() -> Files.readAllLines(dir.resolve("out")).size() == 2);
        assertThat(Files.readAllLines(dir.resolve("out"))).containsExactly("it's sh", "it's sh");
    }

    @Test
    void killingWhatNeverRanIsANoOp() throws Exception {
        assertThat(sh(BackgroundScripts.kill(run, "a")).exit).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private record Result(int exit, String out) {
    }

    private static Result sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("script finished: " + script).isTrue();
        return new Result(p.exitValue(), out);
    }

    private long pid(String tag) throws IOException {
        return Long.parseLong(Files.readString(Path.of(BackgroundScripts.pidFile(run, tag))).strip());
    }

    /** Gone, or a zombie waiting for a parent that is not this test. */
    private static boolean notRunning(long pid) throws IOException {
        Path status = Path.of("/proc/" + pid + "/status");
        if (!Files.exists(status)) {
            return true;
        }
        try {
            return Files.readAllLines(status).stream().anyMatch(l -> l.startsWith("State:") && l.contains("Z"));
        } catch (IOException e) {
            return true; // went away while read
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (c.ok()) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(c.ok()).as("condition within 5 s").isTrue();
    }
}
