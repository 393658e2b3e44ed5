package org.ntmlab.lab;

import java.util.Map;

/**
 * Docker labels on everything the lab creates. Without Ryuk (its image cannot be pulled
 * here) the lab cleans up after itself, and these labels are how it finds its leftovers.
 */
public final class LabLabels {
    /** Value: the run id. Every lab container and network has it. */
    public static final String RUN = "org.ntmlab.lab";
    /** Value: the process id of the JVM that owns the run (leftovers of dead JVMs are swept). */
    public static final String PID = "org.ntmlab.lab.pid";
    /** Value: the topology name. */
    public static final String TOPOLOGY = "org.ntmlab.lab.topology";
    /** Value: router, server, node or helper. */
    public static final String ROLE = "org.ntmlab.lab.role";
    /**
     * Value {@code true}: a lab started to be kept ({@code ./ntm-lab up --keep}); it outlives its
     * JVM, so the sweep of dead JVMs' leftovers spares it, and {@code ./ntm-lab down} removes it.
     */
    public static final String KEEP = "org.ntmlab.lab.keep";

    private LabLabels() {
    }

    static Map<String, String> of(String runId, String topology, boolean keep) {
        return Map.of(RUN, runId, PID, Long.toString(ProcessHandle.current().pid()), TOPOLOGY, topology,
                KEEP, Boolean.toString(keep));
    }

    /** Whether the labels are those of a kept lab. */
    public static boolean kept(Map<String, String> labels) {
        return labels != null && "true".equals(labels.get(KEEP));
    }
}
