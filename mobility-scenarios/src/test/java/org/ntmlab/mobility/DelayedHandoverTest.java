package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The same kinds of move with 15 ms one-way delay on the global segments (the paper's
 * section 5.3 assumes about 15 ms of Internet delay). The sessions must survive as on the
 * zero-delay network; the interruption is reported against the round trips of the new path
 * (target/ntm-report/handover-15ms/streams.md), and held to its own budgets
 * (handover-budgets-15ms.properties): here a regression that adds a round trip shows, which
 * it cannot on the zero-delay network.
 */
class DelayedHandoverTest {

    static final Path REPORT = Path.of("target", "ntm-report", "handover-15ms");
    static final String BUDGETS = "handover-budgets-15ms.properties";

    static Scenario scenario() {
        return Scenario.of("delay-15ms", "p2", "10.2.0.10", List.of(
                new Move("P2->P1", "p1", "10.1.0.20", "direct"),
                new Move("P1->global", "global4", "198.51.100.50", "direct"),
                new Move("global->P2", "p2", "10.2.0.30", "direct"),
                new Move("IPv4->IPv6", "global6", "2001:db8::50", "relay"),
                new Move("IPv6->IPv4", "global4", "198.51.100.50", "direct"),
                new Move("global->P2", "p2", "10.2.0.10", "direct"),
                new Move("P2->P1", "p1", "10.1.0.20", "direct"),
                new Move("P1->global", "global4", "198.51.100.51", "direct"),
                new Move("IPv4->IPv6", "global6", "2001:db8::51", "relay"),
                new Move("IPv6->IPv4", "p1", "10.1.0.21", "direct"),
                new Move("P1->P2", "p2", "10.2.0.11", "direct"),
                new Move("P2->P1", "p1", "10.1.0.20", "direct")), 15);
    }

    @Test
    void sessionsSurviveMovesWith15msDelay() throws Exception {
        WarmUp.once();
        ScenarioResult r = new ScenarioRunner(scenario(), HandoverScenariosTest.SCENARIOS).run();
        Continuity.assertHeld(r);
        HandoverReport report = HandoverReport.of(List.of(r));
        String title = "Handover on the in-memory network, 15 ms one-way delay on global4 and global6";
        report.writeTo(REPORT, title);
        List<HandoverBudgets.Check> checks = HandoverBudgets.resource(BUDGETS).check(report.budgetStats());
        String table = HandoverBudgets.markdown(checks);
        Files.writeString(REPORT.resolve("budgets.md"), "# Handover budgets (" + BUDGETS + ")\n\n" + table);
        System.out.println(report.console(title) + "\nBudgets:\n" + table);
        assertThat(report.timeline().moves()).hasSizeGreaterThanOrEqualTo(10);
        HandoverTrend.Verdict trend = HandoverTrend.fromSystemProperties().record("memory-15ms",
                report.budgetStats(), REPORT);
        assertThat(checks.stream().filter(c -> !c.ok()).toList())
                .as("handover latency with 15 ms delay over budget (src/test/resources/%s):%n%s", BUDGETS, table)
                .isEmpty();
        assertThat(trend.regressions()).as("handover latency against its history (docs/mobility.md,"
                + " \"Handover trends\")").isEmpty();
    }
}
