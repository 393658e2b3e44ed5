package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.transport.Family;

/** The path rules of paper section 3.2 / Table 1, cell by cell. */
class PathRulesTest {

    static Position v4(boolean natted) {
        return new Position().with(Family.V4, new InetSocketAddress("198.51.100.1", 7200), natted);
    }

    static Position v6() {
        return new Position().with(Family.V6, new InetSocketAddress("2001:db8::1", 7200), false);
    }

    static Position dual(boolean v4natted) {
        return v4(v4natted).with(Family.V6, new InetSocketAddress("2001:db8::2", 7200), false);
    }

    @Test
    void globalToGlobalIsDirectAndTheMnInitiates() {
        assertThat(PathRules.decide(v4(false), v4(false))).isEqualTo(
                new PathDecision(false, Family.V4, Family.V4, true, false));
    }

    @Test
    void globalMnToNattedCnIsDirectAndTheCnOpensThePath() {
        assertThat(PathRules.decide(v4(false), v4(true))).isEqualTo(
                new PathDecision(false, Family.V4, Family.V4, false, false));
    }

    @Test
    void nattedMnToGlobalCnIsDirectAndTheMnInitiates() {
        assertThat(PathRules.decide(v4(true), v4(false))).isEqualTo(
                new PathDecision(false, Family.V4, Family.V4, true, false));
    }

    @Test
    void bothNattedGoesViaRelayWithRouteOptimisation() {
        assertThat(PathRules.decide(v4(true), v4(true))).isEqualTo(
                new PathDecision(true, Family.V4, Family.V4, true, true));
    }

    @Test
    void ipv4ToIpv6GoesViaRelayWithoutOptimisation() {
        assertThat(PathRules.decide(v4(false), v6())).isEqualTo(
                new PathDecision(true, Family.V4, Family.V6, true, false));
        assertThat(PathRules.decide(v6(), v4(true))).isEqualTo(
                new PathDecision(true, Family.V6, Family.V4, true, false));
    }

    @Test
    void ipv6ToIpv6IsDirect() {
        assertThat(PathRules.decide(v6(), v6())).isEqualTo(new PathDecision(false, Family.V6, Family.V6, true, false));
    }

    @Test
    void dualStackEndsPreferDirectIpv6OverNattedIpv4() {
        assertThat(PathRules.decide(dual(true), dual(true)).relay()).isFalse();
        assertThat(PathRules.decide(dual(true), dual(true)).mnFamily()).isEqualTo(Family.V6);
        assertThat(PathRules.decide(dual(true), v4(true))).isEqualTo(
                new PathDecision(true, Family.V4, Family.V4, true, true));
    }
}
