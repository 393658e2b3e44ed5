package org.ntmlab.lab;

import java.nio.file.Path;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.topology.Topology;

/**
 * A running lab of one topology with NTMobile started, whatever carries it: the Docker lab
 * ({@link Lab}: containers, Linux NATs, the {@code ntm} jar) or the in-memory network. Scenarios
 * (e.g. {@code scenario.MatrixScenario}) are written once against this.
 */
public interface NtmLab extends AutoCloseable {

    /** {@code docker} or {@code memory}: for reports and test names. */
    String backend();

    Topology topology();

    /** The typed control channel of a node (docs/protocol.md, "Node control channel"). */
    NodeControl control(String node);

    /** Where this run's logs, captures and notes go. */
    Path artifactDir();

    /** A line for the run's notes (lab.txt). */
    void note(String line);

    @Override
    void close();
}
