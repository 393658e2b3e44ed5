package org.ntmlab.lab;

/**
 * The shell scripts behind {@link LabHost}'s background processes: start one in a session of its
 * own with its pid in {@code <runDir>/<tag>.pid}, tell whether it still runs, kill it with
 * everything it started. Plain POSIX sh and procps, so they run the same in a lab container and,
 * in {@code BackgroundScriptsTest}, on the build host (with another run directory and log).
 *
 * <p>The pid written is the session leader's: {@code setsid} in a non-interactive shell's
 * background job is not a process-group leader, so it calls setsid() itself and execs the
 * command's shell in the same process. Killing the session (every process whose session id is
 * that pid) reaches a JVM whether or not {@code sh -c} exec'd it.
 */
final class BackgroundScripts {
    private BackgroundScripts() {
    }

    /** Starts {@code shell} in its own session, output to {@code out} and {@code err}, and writes its pid. */
    static String start(String runDir, String out, String err, String tag, String shell) {
        return "mkdir -p " + runDir + " && (setsid sh -c '" + shell.replace("'", "'\\''") + "' >" + out + " 2>"
                + err + " </dev/null & echo $! > " + pidFile(runDir, tag) + ")";
    }

    /**
     * Exits 0 while a process of the tag's session runs (a zombie does not count: PID 1 of a lab
     * container is {@code sleep infinity}, which reaps nothing), 1 otherwise.
     */
    static String alive(String runDir, String tag) {
        String pid = pidFile(runDir, tag);
        return "[ -f " + pid + " ] || exit 1; p=$(cat " + pid + "); " + sessionAlive("$p") + " && exit 0; exit 1";
    }

    /**
     * Sends SIGKILL to every process of the tag's session and waits (up to 5 s) until none is
     * left but zombies; exits 0 when they are gone (or nothing ran), 1 if one survived. The pid
     * file stays: it names what was killed, and {@link #start} overwrites it.
     */
    static String kill(String runDir, String tag) {
        String pid = pidFile(runDir, tag);
        return "[ -f " + pid + " ] || exit 0; p=$(cat " + pid + "); kill -s KILL -- -$p 2>/dev/null;"
                + " kill -KILL $p 2>/dev/null;" // not a group leader after all: at least the process itself
                + " for i in $(seq 100); do " + sessionAlive("$p") + " || exit 0; sleep 0.05; done; exit 1";
    }

    private static String sessionAlive(String pid) {
        // every process of the session (ps -s) that is not a zombie; the leader by its own state too
        return "{ ps -o stat= -s " + pid + " 2>/dev/null | grep -qv '^Z' ||"
                + " { s=$(awk '/^State:/{print $2}' /proc/" + pid + "/status 2>/dev/null);"
                + " [ -n \"$s\" ] && [ \"$s\" != Z ]; }; }";
    }

    static String pidFile(String runDir, String tag) {
        return runDir + "/" + tag + ".pid";
    }
}
