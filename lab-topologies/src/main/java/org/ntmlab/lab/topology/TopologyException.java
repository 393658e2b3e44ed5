package org.ntmlab.lab.topology;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A topology that cannot be used. The message lists every problem, one per line, as
 * {@code file:line: field.path: what is wrong (what would be right)}.
 */
public class TopologyException extends RuntimeException {
    private final List<Problem> problems;

    public TopologyException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /**
     * One problem. {@code line} is 0 when unknown (topologies made with the builder).
     */
    public record Problem(String source, int line, String path, String message) {
        @Override
        public String toString() {
            return source + (line > 0 ? ":" + line : "") + ": " + path + ": " + message;
        }
    }
}
