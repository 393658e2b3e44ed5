package org.ntmlab.mobility.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.LabMobility;
import org.ntmlab.lab.topology.Impairment;

/**
 * Handovers in the Docker lab with the paper's 15 ms one-way Internet delay (issue 5, paper
 * section 5.3; docs/mobility-docker.md): every egress onto the IPv4 global and IPv6 segments,
 * the mover's included, waits 15 ms ({@code mobility-docker-15ms.yaml} plus {@link
 * org.ntmlab.lab.Lab#impair} for the mover's run-time links). Six moves of every kind (P2 -> P1
 * -> global -> P2 -> IPv6 -> P1 -> P2) with the TCP and UDP streams of {@link DockerMobilityIT};
 * after each move the round trip of the new path is measured with ICMP echo over the tunnel,
 * and the report gives each handover in round trips of its new path.
 */
class DockerDelayedMobilityIT extends AbstractDockerMobility {
    static final Duration WAN_DELAY = Duration.ofMillis(15);

    /** Round trip of the new path after each move (ms), keyed by the move's startNanos. */
    private final Map<Long, Double> rttAfter = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, String> scenarioOf = new java.util.concurrent.ConcurrentHashMap<>();

    DockerDelayedMobilityIT() {
        super("src/test/resources/topologies/mobility-docker-15ms.yaml", "handover-docker-15ms",
                "/docker-handover-budgets-15ms.properties");
    }

    /** The mover's links to the Internet segments exist only once LabMobility attached them. */
    @Override
    void afterPrepare() {
        lab.impair(new Impairment(MN, "g", WAN_DELAY, null, 0, 0));
        lab.impair(new Impairment(MN, "v6", WAN_DELAY, null, 0, 0));
    }

    @Test
    @Order(1)
    void movesOfEveryKindWithWanDelay() throws Exception {
        List<String> failures = new ArrayList<>();
        String[][] plan = {{"P2 -> P1", "p1"}, {"P1 -> global", "g"}, {"global -> P2", "p2"},
            {"IPv4 (P2) -> IPv6", "v6"}, {"IPv6 -> IPv4 (P1)", "p1"}, {"P1 -> P2", "p2"}};
        for (String[] step : plan) {
            try {
                crossMove(step[0] + " (15 ms)", step[1]);
            } catch (AssertionError e) {
                failures.add(step[0] + ": " + e.getMessage().strip().lines().findFirst().orElse("") + " ...");
            }
            List<LabMobility.Move> moves = mobility.moves();
            LabMobility.Move last = moves.get(moves.size() - 1);
            scenarioOf.put(last.startNanos(), step[0]);
            String ping = control("ping " + CN + " 5");
            double rtt = num(ping, "rttMsP50");
            if (ping.startsWith("OK") && !Double.isNaN(rtt)) {
                rttAfter.put(last.startNanos(), rtt);
            } else {
                failures.add(step[0] + ": no ICMP echo over the tunnel after the move: " + ping);
            }
        }
        assertThat(failures).as("moves with 15 ms WAN delay that failed").isEmpty();
    }

    @Test
    @Order(2)
    void handoverTimelineWithWanDelay() throws Exception {
        timelineAndBudgets(6);
    }

    /** Each handover in round trips of its new path (paper section 5.3: signalling costs round trips). */
    @Override
    String extraReport(Map<Long, Double> signallingByStart, List<Interruption> gaps) {
        StringBuilder sb = new StringBuilder("\n15 ms one-way delay on g and v6: handovers in round trips of the new"
                + " path (ICMP echo over the tunnel after the move)\n\n| # | move | RTT after ms | signalling ms"
                + " | signalling / RTT | interruption ms | interruption / RTT |\n|---|---|---|---|---|---|---|\n");
        for (LabMobility.Move m : mobility.moves()) {
            double rtt = rttAfter.getOrDefault(m.startNanos(), Double.NaN);
            double sig = signallingByStart.getOrDefault(m.startNanos(), Double.NaN);
            double gap = gaps.stream().filter(g -> g.index() == m.index()).mapToDouble(Interruption::ms).findFirst()
                    .orElse(Double.NaN);
            sb.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.2f | %.1f | %.2f |%n", m.index(),
                    scenarioOf.getOrDefault(m.startNanos(), m.from() + " -> " + m.to()), rtt, sig, sig / rtt, gap,
                    gap / rtt));
        }
        return sb.toString();
    }
}
