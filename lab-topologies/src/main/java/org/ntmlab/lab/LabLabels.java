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

    private LabLabels() {
    }

    static Map<String, String> of(String runId, String topology) {
        return Map.of(RUN, runId, PID, Long.toString(ProcessHandle.current().pid()), TOPOLOGY, topology);
    }
}
