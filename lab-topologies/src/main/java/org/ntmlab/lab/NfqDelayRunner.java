package org.ntmlab.lab;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ntmlab.lab.nfq.NfqDelay;
import org.ntmlab.lab.topology.Impairment;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * Starts {@link NfqDelay} (user-space delay/jitter through NFQUEUE) inside a lab container.
 *
 * <p>The image has a JRE 17 but no JNA. Rather than a second fat jar (or depending on ntm.jar,
 * which is only mounted when it was built), the lab copies what the daemon needs from its own
 * class path into the container with {@code docker cp} semantics (no helper container): the
 * daemon's class files (it depends on the JDK and JNA only) and the JNA jar the lab itself was
 * loaded with. So any module that starts a {@link Lab} (lab-topologies' ITs, mobility-scenarios,
 * benchmarks) gets delay without build configuration.
 */
final class NfqDelayRunner {
    static final String DIR = "/opt/ntm-lab/nfq";
    private static final long READY_TIMEOUT_MS = 30_000;

    private final Set<String> installed = new HashSet<>();

    /** Copies the daemon into the host once. */
    private void install(LabHost h) {
        if (!installed.add(h.name())) {
            return;
        }
        h.execOk("mkdir -p " + DIR + "/classes /run/ntm");
        Path jna = jnaJar();
        h.container().copyFileToContainer(MountableFile.forHostPath(jna), DIR + "/jna.jar");
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(NfqDelay.class));
        while (!todo.isEmpty()) {
            Class<?> k = todo.pop();
            String res = k.getName().replace('.', '/') + ".class";
            try (InputStream in = NfqDelay.class.getClassLoader().getResourceAsStream(res)) {
                if (in == null) {
                    throw new LabException("class file " + res + " not found on the lab's class path");
                }
                h.container().copyFileToContainer(Transferable.of(in.readAllBytes()), DIR + "/classes/" + res);
            } catch (IOException e) {
                throw new LabException("cannot read " + res + ": " + e, e);
            }
            todo.addAll(List.of(k.getDeclaredClasses()));
        }
    }

    private static Path jnaJar() {
        try {
            Path p = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new LabException("JNA is not loaded from a jar (" + p + "): cannot copy it into a container");
            }
            return p;
        } catch (URISyntaxException | SecurityException e) {
            throw new LabException("cannot locate the JNA jar: " + e, e);
        }
    }

    /**
     * Starts the daemon for queue {@code queue} and waits until it has bound the queue (before
     * the NFQUEUE rule exists: a rule with no listener drops every packet).
     */
    void start(LabHost h, int queue, Impairment im, String where) {
        install(h);
        long d = im.delay() == null ? 0 : im.delay().toNanos() / 1000;
        long j = im.jitter() == null ? 0 : im.jitter().toNanos() / 1000;
        String tag = "nfq-delay-" + queue;
        String ready = "/run/ntm/" + tag + ".ready";
        String log = "/run/ntm/" + tag + ".log";
        h.startBackground(tag, "rm -f " + ready + "; exec java -Xmx32m -Xss256k -XX:+UseSerialGC"
                + " -XX:TieredStopAtLevel=1 -Djna.tmpdir=/tmp -cp " + DIR + "/classes:" + DIR + "/jna.jar "
                + NfqDelay.class.getName() + " --queue " + queue + " --delay-us " + d + " --jitter-us " + j
                + " --ready " + ready + " >" + log + " 2>&1");
        List<String> wait = new ArrayList<>();
        long tries = READY_TIMEOUT_MS / 100;
        wait.add("for i in $(seq " + tries + "); do [ -s " + ready + " ] && exit 0;");
        wait.add(" kill -0 $(cat /run/ntm/" + tag + ".pid) 2>/dev/null || break; sleep 0.1; done; cat " + log
                + "; exit 1");
        var r = h.exec(String.join("", wait));
        if (r.getExitCode() != 0) {
            throw new LabException(where + ": the user-space delay daemon (NFQUEUE " + queue + ") did not start in "
                    + h.name() + ": " + (r.getStdout() + r.getStderr()).strip());
        }
    }
}
