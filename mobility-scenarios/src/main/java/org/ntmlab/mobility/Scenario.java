package org.ntmlab.mobility;

import java.util.List;

/**
 * A handover scenario on the Table 1 network: the MN starts on {@code startSegment}, opens a
 * tunnel to a CN, and moves through {@code moves} while a TCP and a UDP stream run.
 *
 * @param name          directory name under {@code target/mobility/}
 * @param mnName        host name of the MN (its FQDN is {@code <mnName>.ntm.example}); unique per
 *                      scenario so that the logs of several scenarios can be read together
 * @param cnSegment     where the CN sits
 * @param globalDelayMs one-way delay on the global segments (0: the zero-delay network)
 */
public record Scenario(String name, String mnName, String startSegment, String startAddress, String cnSegment,
                       String cnAddress, List<Move> moves, double globalDelayMs) {

    /** The CN on the IPv4 global segment, as in every scenario of docs/mobility.md. */
    public static Scenario of(String name, String startSegment, String startAddress, List<Move> moves,
                              double globalDelayMs) {
        return new Scenario(name, "mn-" + name, startSegment, startAddress, "global4", "198.51.100.41",
                List.copyOf(moves), globalDelayMs);
    }
}
