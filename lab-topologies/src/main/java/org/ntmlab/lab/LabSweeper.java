package org.ntmlab.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes lab containers and networks by label. */
public final class LabSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(LabSweeper.class);

    private LabSweeper() {
    }

    /**
     * Removes what earlier runs left behind: anything labelled by a JVM that no longer runs.
     * Labs of JVMs still alive (a parallel build) and kept labs ({@link LabLabels#KEEP}) are left alone.
     */
    public static int sweepStale(DockerClient client) {
        return sweep(client, labels -> {
            if (LabLabels.kept(labels)) {
                return false;
            }
            String pid = labels.get(LabLabels.PID);
            if (pid == null || !pid.matches("\\d+")) {
                return true;
            }
            return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
        });
    }

    /** Removes everything of one run. */
    public static int sweepRun(DockerClient client, String runId) {
        return sweep(client, labels -> runId.equals(labels.get(LabLabels.RUN)));
    }

    /** Lab containers (running or not) of one run, or of all runs when runId is null. */
    public static List<Container> containers(DockerClient client, String runId) {
        return client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LabLabels.RUN))
                .exec().stream()
                .filter(c -> c.getLabels() != null && c.getLabels().containsKey(LabLabels.RUN))
                .filter(c -> runId == null || runId.equals(c.getLabels().get(LabLabels.RUN)))
                .toList();
    }

    /** Lab networks of one run, or of all runs when runId is null. */
    public static List<Network> networks(DockerClient client, String runId) {
        return client.listNetworksCmd().exec().stream()
                .filter(n -> n.getLabels() != null && n.getLabels().containsKey(LabLabels.RUN))
                .filter(n -> runId == null || runId.equals(n.getLabels().get(LabLabels.RUN)))
                .toList();
    }

    private static int sweep(DockerClient client, Predicate<Map<String, String>> doomed) {
        int removed = 0;
        for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
            Map<String, String> labels = c.getLabels();
            if (labels != null && labels.containsKey(LabLabels.RUN) && doomed.test(labels)) {
                try {
                    client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                    removed++;
                    LOG.info("event=sweep container={} run={}", String.join(",", c.getNames()), labels.get(LabLabels.RUN));
                } catch (RuntimeException e) {
                    LOG.warn("event=sweep-failed container={} error={}", c.getId(), e.toString());
                }
            }
        }
        for (Network n : networks(client, null)) {
            if (doomed.test(n.getLabels())) {
                try {
                    client.removeNetworkCmd(n.getId()).exec();
                    removed++;
                    LOG.info("event=sweep network={} run={}", n.getName(), n.getLabels().get(LabLabels.RUN));
                } catch (RuntimeException e) {
                    LOG.warn("event=sweep-failed network={} error={}", n.getName(), e.toString());
                }
            }
        }
        return removed;
    }
}
