package org.ntmlab.lab;

import java.util.ArrayList;
import java.util.List;
import org.ntmlab.lab.nfq.NfqDelay;
import org.ntmlab.lab.topology.Impairment;

/**
 * Starts {@link NfqDelay} (user-space delay/jitter through NFQUEUE) inside a lab container,
 * copied there by {@link ContainerJava}.
 */
final class NfqDelayRunner {
    private static final long READY_TIMEOUT_MS = 30_000;

    private final ContainerJava java;

    NfqDelayRunner(ContainerJava java) {
        this.java = java;
    }

    /**
     * Starts the daemon for queue {@code queue} and waits until it has bound the queue (before
     * the NFQUEUE rule exists: a rule with no listener drops every packet).
     */
    void start(LabHost h, int queue, Impairment im, String where) {
        java.install(h, NfqDelay.class);
        long d = im.delay() == null ? 0 : im.delay().toNanos() / 1000;
        long j = im.jitter() == null ? 0 : im.jitter().toNanos() / 1000;
        String tag = "nfq-delay-" + queue;
        String ready = "/run/ntm/" + tag + ".ready";
        String log = "/run/ntm/" + tag + ".log";
        h.startBackground(tag, "rm -f " + ready + "; exec " + ContainerJava.command(NfqDelay.class, "--queue "
                + queue + " --delay-us " + d + " --jitter-us " + j + " --ready " + ready) + " >" + log + " 2>&1");
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
