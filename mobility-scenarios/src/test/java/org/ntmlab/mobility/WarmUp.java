package org.ntmlab.mobility;

import java.nio.file.Path;
import java.util.List;

/**
 * The first handover in a fresh JVM runs code that was never loaded or compiled (roaming,
 * re-direction, relay binding) and takes up to ~100 ms more than the same move later (measured,
 * docs/mobility.md). The budgets are about the protocol, not about class loading, so each test
 * JVM first runs this unmeasured scenario with every kind of move; its own report stays in
 * {@code target/mobility/warm-up/} as the cold-start figure.
 */
final class WarmUp {

    private static ScenarioResult result;

    private WarmUp() {
    }

    static synchronized ScenarioResult once() throws Exception {
        if (result == null) {
            Scenario s = Scenario.of("warm-up", "p2", "10.2.0.10", List.of(
                    new Move("P2->P1", "p1", "10.1.0.20", "direct"),
                    new Move("P1->global", "global4", "198.51.100.50", "direct"),
                    new Move("global->P2", "p2", "10.2.0.30", "direct"),
                    new Move("IPv4->IPv6", "global6", "2001:db8::50", "relay"),
                    new Move("IPv6->IPv4", "global4", "198.51.100.51", "direct"),
                    new Move("P1->P2", "p1", "10.1.0.21", "direct")), 0);
            result = new ScenarioRunner(s, Path.of("target", "mobility")).run();
        }
        return result;
    }
}
