package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

/** What every scenario must keep: the application's sessions, untouched by the moves. */
final class Continuity {

    private Continuity() {
    }

    static void assertHeld(ScenarioResult r) {
        String name = r.scenario().name();
        assertThat(r.tcpFailure()).as("%s: TCP application exception", name).isNull();
        assertThat(r.udpFailure()).as("%s: UDP application exception", name).isNull();
        assertThat(r.tcpReceived()).as("%s: every TCP byte echoed back (each was checked)", name)
                .isEqualTo(r.tcpSent()).isPositive();
        assertThat(r.udpCorrupted()).as("%s: corrupted UDP echoes", name).isZero();
        assertThat(r.lostOutside()).as("%s: UDP datagrams lost outside a move's interruption window", name)
                .isEmpty();
        assertThat(r.virtualKept()).as("%s: the MN's virtual addresses are kept", name).isTrue();
        assertThat(r.moves()).hasSize(r.scenario().moves().size());
        for (MoveOutcome m : r.moves()) {
            String what = name + " move " + m.index() + " " + m.move().kind();
            assertThat(m.pathMn()).as("%s: path at the MN", what).isEqualTo(m.move().expectedPath());
            assertThat(m.pathCn()).as("%s: path at the CN", what).isEqualTo(m.move().expectedPath());
            assertThat(m.addressSeenNanos()).as("%s: node reported its new address", what).isPositive();
            assertThat(m.udpResumedNanos()).as("%s: UDP resumed", what).isGreaterThan(m.startNanos());
            assertThat(m.tcpProgressNanos()).as("%s: TCP resumed", what).isGreaterThan(m.startNanos());
        }
    }
}
