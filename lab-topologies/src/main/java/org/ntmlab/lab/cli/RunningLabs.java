package org.ntmlab.lab.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ntmlab.lab.LabException;
import org.ntmlab.lab.LabLabels;
import org.ntmlab.lab.LabSweeper;
import org.testcontainers.DockerClientFactory;

/**
 * The Docker labs running now, found by their labels ({@link LabLabels}) alone: this works for a
 * lab of another process, a kept one, or one a crashed run left behind.
 */
final class RunningLabs {

    /** One lab as {@code ntm-lab inspect} shows it (also its JSON). */
    record LabView(String run, String topology, String pid, boolean ownerAlive, boolean kept, List<HostView> hosts) {
    }

    /** One container: host name, role label, Docker state, and "segment=address" per network. */
    record HostView(String name, String role, String state, String container, List<String> addresses) {
    }

    private RunningLabs() {
    }

    static List<LabView> list() {
        DockerClient client = client();
        Map<String, List<Container>> byRun = new TreeMap<>();
        for (Container c : LabSweeper.containers(client, null)) {
            byRun.computeIfAbsent(c.getLabels().get(LabLabels.RUN), k -> new ArrayList<>()).add(c);
        }
        List<LabView> out = new ArrayList<>();
        for (Map.Entry<String, List<Container>> e : byRun.entrySet()) {
            String run = e.getKey();
            Map<String, String> labels = e.getValue().get(0).getLabels();
            String pid = labels.getOrDefault(LabLabels.PID, "?");
            boolean alive = pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive)
                    .orElse(false);
            List<HostView> hosts = new ArrayList<>();
            String prefix = "ntmlab-" + run + "-";
            for (Container c : e.getValue().stream().sorted(Comparator.comparing(RunningLabs::name)).toList()) {
                List<String> addresses = new ArrayList<>();
                Map<String, ContainerNetwork> nets = c.getNetworkSettings() == null ? Map.of()
                        : new TreeMap<>(c.getNetworkSettings().getNetworks());
                for (Map.Entry<String, ContainerNetwork> n : nets.entrySet()) {
                    String segment = n.getKey().startsWith(prefix) ? n.getKey().substring(prefix.length()) : n.getKey();
                    ContainerNetwork cn = n.getValue();
                    String v4 = cn.getIpAddress() == null || cn.getIpAddress().isEmpty() ? "" : cn.getIpAddress();
                    String v6 = cn.getGlobalIPv6Address() == null || cn.getGlobalIPv6Address().isEmpty() ? ""
                            : cn.getGlobalIPv6Address();
                    addresses.add(segment + "=" + (v4 + (v4.isEmpty() || v6.isEmpty() ? "" : ",") + v6));
                }
                String host = name(c).startsWith(prefix) ? name(c).substring(prefix.length()) : name(c);
                hosts.add(new HostView(host, c.getLabels().getOrDefault(LabLabels.ROLE, "?"), c.getState(),
                        c.getId().substring(0, Math.min(12, c.getId().length())), addresses));
            }
            out.add(new LabView(run, labels.getOrDefault(LabLabels.TOPOLOGY, "?"), pid, alive, LabLabels.kept(labels),
                    hosts));
        }
        return out;
    }

    /**
     * Removes every container and network of the labs whose run id or topology is {@code which}
     * (every lab when null); returns how many Docker objects went.
     */
    static int remove(String which) {
        DockerClient client = client();
        Map<String, Boolean> runs = new LinkedHashMap<>();
        for (Container c : LabSweeper.containers(client, null)) {
            Map<String, String> l = c.getLabels();
            if (which == null || which.equals(l.get(LabLabels.RUN)) || which.equals(l.get(LabLabels.TOPOLOGY))) {
                runs.put(l.get(LabLabels.RUN), true);
            }
        }
        for (var n : LabSweeper.networks(client, null)) {
            Map<String, String> l = n.getLabels();
            if (which == null || which.equals(l.get(LabLabels.RUN)) || which.equals(l.get(LabLabels.TOPOLOGY))) {
                runs.put(l.get(LabLabels.RUN), true);
            }
        }
        int removed = 0;
        for (String run : runs.keySet()) {
            removed += LabSweeper.sweepRun(client, run);
        }
        return removed;
    }

    private static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
    }

    private static DockerClient client() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new LabException("no Docker engine answers: run scripts/lab-host-setup.sh as root (docs/lab.md)");
        }
        return DockerClientFactory.instance().client();
    }
}
