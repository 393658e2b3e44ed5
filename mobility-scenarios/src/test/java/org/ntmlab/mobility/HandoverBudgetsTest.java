package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.ntmlab.pcap.timeline.PhaseStats;

class HandoverBudgetsTest {

    private static HandoverBudgets parse(String text) throws Exception {
        return HandoverBudgets.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test");
    }

    @Test
    void checksEachBudgetAgainstItsStatistic() throws Exception {
        HandoverBudgets b = parse("# comment\nsignalling.p50 = 5\nsignalling.p95 = 10\nregister.mean = 1\n");
        PhaseStats signalling = PhaseStats.of("signalling", List.of(1.0, 2.0, 3.0, 4.0, 20.0));
        List<HandoverBudgets.Check> checks = b.check(Map.of("signalling", signalling));
        assertThat(checks).extracting(c -> c.budget().phase() + "." + c.budget().statistic(), HandoverBudgets.Check::ok)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("register.mean", false), // never measured: fails
                        org.assertj.core.groups.Tuple.tuple("signalling.p50", true),
                        org.assertj.core.groups.Tuple.tuple("signalling.p95", false));
        assertThat(HandoverBudgets.markdown(checks)).contains("OVER BUDGET").contains("| signalling | p50 | 5 | 3.000 |");
    }

    @Test
    void badLinesNameTheKey() {
        assertThatThrownBy(() -> parse("signalling.p99 = 5\n")).hasMessageContaining("signalling.p99");
        assertThatThrownBy(() -> parse("signalling.p50 = fast\n")).hasMessageContaining("number of milliseconds");
    }

    @Test
    void committedBaselineLoads() throws Exception {
        HandoverBudgets b = HandoverBudgets.resource(HandoverScenariosTest.BUDGETS);
        assertThat(b.budgets()).extracting(HandoverBudgets.Budget::phase).contains("signalling");
    }
}
