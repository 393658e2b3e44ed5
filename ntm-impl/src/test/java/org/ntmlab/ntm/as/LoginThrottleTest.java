package org.ntmlab.ntm.as;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Backoff after failed logins (issue 11 finding 7), on a clock the test moves. */
class LoginThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle t = new LoginThrottle(now::get);

    @Test
    void fromTheThirdFailureALockThatDoublesUpToAMinute() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(t.waitMs("10.0.0.1", "bob")).isZero();
            t.failed("10.0.0.1", "bob");
        }
        assertThat(t.waitMs("10.0.0.1", "bob")).isEqualTo(1000);
        assertThat(t.waitMs("10.0.0.2", "carol")).as("others are not locked").isZero();
        assertThat(t.waitMs("10.0.0.2", "bob")).as("bob from elsewhere: the per-user lock").isEqualTo(1000);
        assertThat(t.waitMs("10.0.0.1", "carol")).as("another user from that address: the per-address lock")
                .isEqualTo(1000);
        for (int i = 0; i < 20; i++) {
            now.addAndGet(LoginThrottle.MAX_LOCK_MS);
            t.failed("10.0.0.1", "bob");
        }
        assertThat(t.waitMs("10.0.0.1", "bob")).isEqualTo(LoginThrottle.MAX_LOCK_MS);
    }

    @Test
    void aSuccessClearsAndQuietKeysAreForgotten() {
        for (int i = 0; i < 5; i++) {
            t.failed("10.0.0.1", "bob");
        }
        assertThat(t.waitMs("10.0.0.1", "bob")).isPositive();
        t.succeeded("10.0.0.1", "bob");
        assertThat(t.waitMs("10.0.0.1", "bob")).isZero();
        for (int i = 0; i < 5; i++) {
            t.failed("10.0.0.3", "dave");
        }
        now.addAndGet(LoginThrottle.FORGET_MS + 1);
        assertThat(t.waitMs("10.0.0.3", "dave")).isZero();
        assertThat(t.size()).isZero();
    }

    @Test
    void theTableIsBounded() {
        for (int i = 0; i < 3 * LoginThrottle.MAX_KEYS; i++) {
            t.failed("10.0." + (i >> 8) + "." + (i & 255), "user" + i);
        }
        assertThat(t.size()).isEqualTo(LoginThrottle.MAX_KEYS);
    }
}
