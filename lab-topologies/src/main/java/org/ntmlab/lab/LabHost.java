package org.ntmlab.lab;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/** One lab container (router, server, node or helper) and its interface per segment. */
public final class LabHost {
    /** What the container is in the topology. */
    public enum Kind { ROUTER, SERVER, NODE, HELPER }

    private final String name;
    private final Kind kind;
    private final GenericContainer<?> container;
    private final Map<String, String> interfaces = new LinkedHashMap<>();
    /** Tag -> shell command of each process started with {@link #startBackground}, for a restart. */
    private final Map<String, String> background = new ConcurrentHashMap<>();
    static final String RUN_DIR = "/run/ntm";
    /** PID 1's output: what {@code docker logs} (and the lab's {@code <host>.log}) shows. */
    private static final String CONTAINER_OUT = "/proc/1/fd/1";
    private static final String CONTAINER_ERR = "/proc/1/fd/2";

    LabHost(String name, Kind kind, GenericContainer<?> container) {
        this.name = name;
        this.kind = kind;
        this.container = container;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public GenericContainer<?> container() {
        return container;
    }

    public String containerId() {
        return container.getContainerId();
    }

    /** Segment name -> interface name inside the container (eth0, eth1...). */
    public Map<String, String> interfaces() {
        return Map.copyOf(interfaces);
    }

    public String interfaceOn(String segment) {
        String i = interfaces.get(segment);
        if (i == null) {
            throw new LabException(name + " has no interface on segment '" + segment + "' (it has " + interfaces + ")");
        }
        return i;
    }

    void putInterface(String segment, String ifname) {
        interfaces.put(segment, ifname);
    }

    /** Runs a shell command in the container and returns its result whatever the exit code. */
    public ExecResult exec(String shell) {
        try {
            return container.execInContainer("sh", "-c", shell);
        } catch (IOException e) {
            throw new LabException("exec in " + name + " failed: " + shell, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted during exec in " + name + ": " + shell, e);
        }
    }

    /** Runs a shell command and fails with its output if the exit code is not 0. */
    public String execOk(String shell) {
        ExecResult r = exec(shell);
        if (r.getExitCode() != 0) {
            throw new LabException("in " + name + ": '" + shell + "' exited " + r.getExitCode() + ": "
                    + (r.getStderr() + r.getStdout()).strip());
        }
        return r.getStdout();
    }

    /**
     * Starts a long-running process whose output goes to the container's log (PID 1's
     * stdout), and records its pid in /run/ntm/{@code tag}.pid and its command for
     * {@link #restartBackground}.
     */
    public void startBackground(String tag, String shell) {
        background.put(tag, shell);
        execOk(BackgroundScripts.start(RUN_DIR, CONTAINER_OUT, CONTAINER_ERR, tag, shell));
    }

    /** The shell command the process {@code tag} was (last) started with. */
    public String backgroundCommand(String tag) {
        String c = background.get(tag);
        if (c == null) {
            throw new LabException(name + " has no background process '" + tag + "' (it has " + background.keySet()
                    + ")");
        }
        return c;
    }

    /** Whether a process of {@code tag}'s session still runs (zombies do not count). */
    public boolean backgroundAlive(String tag) {
        return exec(BackgroundScripts.alive(RUN_DIR, tag)).getExitCode() == 0;
    }

    /**
     * SIGKILLs the process {@code tag} and everything it started (its session), as a crash
     * would, and returns once none of them runs; fails if one survived 5 s.
     */
    public void killBackground(String tag) {
        backgroundCommand(tag);
        ExecResult r = exec(BackgroundScripts.kill(RUN_DIR, tag));
        if (r.getExitCode() != 0) {
            throw new LabException("in " + name + ": background process '" + tag + "' survived SIGKILL for 5 s");
        }
    }

    /**
     * Starts {@code tag} again with the command it was started with (killing it first if it still
     * runs): a restarted server or node with the same arguments, files and addresses.
     */
    public void restartBackground(String tag) {
        String shell = backgroundCommand(tag);
        if (backgroundAlive(tag)) {
            killBackground(tag);
        }
        startBackground(tag, shell);
    }

    /** Freezes every process of the container ({@code docker pause}: a hung host, its sockets still open). */
    public void pause() {
        container.getDockerClient().pauseContainerCmd(containerId()).exec();
    }

    /** Lets a {@link #pause paused} container run again. */
    public void unpause() {
        container.getDockerClient().unpauseContainerCmd(containerId()).exec();
    }

    /**
     * Stops processes started with {@link #startBackground} (SIGINT lets tcpdump flush) and waits
     * up to 3 s for them to exit, so a capture file is complete when this returns. One exec for
     * all tags: each exec is a docker round trip.
     */
    public void stopBackground(String tag, String signal) {
        stopBackground(signal, List.of(tag));
    }

    /** {@link #stopBackground(String, String)} for several processes, sent the same signal in one exec. */
    public void stopBackground(String signal, List<String> tags) {
        StringBuilder sh = new StringBuilder("pids=;");
        for (String tag : tags) {
            String pidFile = BackgroundScripts.pidFile(RUN_DIR, tag);
            sh.append(" [ -f ").append(pidFile).append(" ] && pids=\"$pids $(cat ").append(pidFile).append(")\"; rm -f ")
                    .append(pidFile).append(';');
        }
        sh.append(" [ -n \"$pids\" ] || exit 0; kill -").append(signal).append(" $pids 2>/dev/null;")
                // a process that exited stays a zombie (PID 1 is `sleep infinity`, which reaps
                // nothing), so "alive" means a state other than Z, not just that kill -0 works
                .append(" for i in $(seq 60); do alive=0; for p in $pids; do")
                .append(" s=$(awk '/^State:/{print $2}' /proc/$p/status 2>/dev/null);")
                .append(" [ -n \"$s\" ] && [ \"$s\" != Z ] && alive=1; done;")
                .append(" [ $alive = 0 ] && exit 0; sleep 0.05; done; exit 0");
        exec(sh.toString());
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " " + name + " " + interfaces;
    }
}
