package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Handover scenarios of issue 5 on the zero-delay in-memory network: each moves the MN while
 * a TCP and a UDP stream run and checks the sessions survive; then all moves together give
 * the handover timeline (target/ntm-report/handover/) and the signalling phase is held to
 * the committed budgets (handover-budgets.properties). See docs/mobility.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HandoverScenariosTest {

    static final Path SCENARIOS = Path.of("target", "mobility");
    static final Path REPORT = Path.of("target", "ntm-report", "handover");
    static final String BUDGETS = "handover-budgets.properties";

    private final Map<String, ScenarioResult> results = new LinkedHashMap<>();

    static List<Scenario> scenarios() {
        List<Move> tenMoves = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tenMoves.add(i % 2 == 0 ? new Move("P2->P1", "p1", "10.1.0.20", "direct")
                    : new Move("P1->P2", "p2", "10.2.0.10", "direct"));
        }
        return List.of(
                Scenario.of("p2-to-p1", "p2", "10.2.0.10", List.of(new Move("P2->P1", "p1", "10.1.0.20", "direct")), 0),
                Scenario.of("p1-to-global", "p1", "10.1.0.20",
                        List.of(new Move("P1->global", "global4", "198.51.100.50", "direct")), 0),
                Scenario.of("global-to-p2", "global4", "198.51.100.50",
                        List.of(new Move("global->P2", "p2", "10.2.0.30", "direct")), 0),
                Scenario.of("ipv4-to-ipv6", "global4", "198.51.100.50",
                        List.of(new Move("IPv4->IPv6", "global6", "2001:db8::50", "relay")), 0),
                Scenario.of("ipv6-to-ipv4", "global6", "2001:db8::50",
                        List.of(new Move("IPv6->IPv4", "global4", "198.51.100.50", "direct")), 0),
                Scenario.of("ten-moves", "p2", "10.2.0.10", tenMoves, 0));
    }

    @BeforeAll
    void warmUp() throws Exception {
        Continuity.assertHeld(WarmUp.once());
    }

    Stream<Arguments> named() {
        return scenarios().stream().map(s -> Arguments.of(Named.of(s.name(), s)));
    }

    private ScenarioResult run(Scenario s) throws Exception {
        ScenarioResult r = results.get(s.name());
        if (r == null) {
            r = new ScenarioRunner(s, SCENARIOS).run();
            results.put(s.name(), r);
        }
        return r;
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("named")
    void sessionsSurviveTheMove(Scenario scenario) throws Exception {
        ScenarioResult r = run(scenario);
        Continuity.assertHeld(r);
        assertThat(r.directory().resolve("capture.pcap")).exists();
        assertThat(r.directory().resolve("timeline.svg")).exists();
        assertThat(r.timeline().moves()).as("pcap-analysis found every move").hasSize(scenario.moves().size());
    }

    /**
     * The CI regression check on handover latency (issue 5): the budgets are the feature, so
     * this is the one test that asserts durations. Runs any scenario the ordered test above
     * did not (when this method runs alone).
     */
    @Order(2)
    @Test
    void handoverLatencyWithinBudget() throws Exception {
        List<ScenarioResult> all = new ArrayList<>();
        for (Scenario s : scenarios()) {
            all.add(run(s));
        }
        HandoverReport report = HandoverReport.of(all);
        String title = "Handover on the in-memory network, zero delay";
        report.writeTo(REPORT, title);
        HandoverBudgets budgets = HandoverBudgets.resource(BUDGETS);
        List<HandoverBudgets.Check> checks = budgets.check(report.budgetStats());
        String table = HandoverBudgets.markdown(checks);
        Files.writeString(REPORT.resolve("budgets.md"), "# Handover budgets (" + BUDGETS + ")\n\n" + table);
        System.out.println(report.console(title) + "\nBudgets:\n" + table);

        HandoverTrend.Verdict trend = HandoverTrend.fromSystemProperties().record("memory", report.budgetStats(),
                REPORT);
        assertThat(report.timeline().moves()).as("moves timed").hasSizeGreaterThanOrEqualTo(10);
        assertThat(checks).as("budgets in %s", BUDGETS).isNotEmpty();
        assertThat(trend.regressions()).as("handover latency against its history (docs/mobility.md,"
                + " \"Handover trends\")").isEmpty();
        assertThat(checks.stream().filter(c -> !c.ok()).toList())
                .as("handover latency over budget (see %s; docs/mobility.md says when and how to change "
                        + "src/test/resources/%s):%n%s", REPORT.resolve("budgets.md"), BUDGETS, table)
                .isEmpty();
    }
}
