package org.ntmlab.ntm.as;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Backoff after failed logins, per source address and per user (issue 11 finding 7: each
 * LOGIN costs a PBKDF2 of 600,000 iterations, so unanswered guessing was both a password attack
 * and a CPU attack on the AS). From the {@link #FREE_FAILURES}th failure on, a key (address or
 * user) is locked out for 1 s, doubling with each further failure up to {@link #MAX_LOCK_MS}; a locked
 * LOGIN is refused before any hashing. A success clears both keys. The per-user lock is short
 * (a minute at most) because anyone can trigger it for any user; the per-address one stops one
 * source from trying many users. At most {@link #MAX_KEYS} keys are remembered (least recently
 * used out), and a key quiet for {@link #FORGET_MS} starts afresh. Thread-safe.
 */
final class LoginThrottle {

    static final int FREE_FAILURES = 3;
    static final long MAX_LOCK_MS = 60_000;
    static final long FORGET_MS = 15 * 60_000;
    static final int MAX_KEYS = 4096;

    private record Entry(int failures, long lockedUntilMs, long lastMs) {
    }

    private final LongSupplier clockMs;
    private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_KEYS;
        }
    };

    LoginThrottle(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** Milliseconds until a LOGIN from {@code source} for {@code user} may be tried, 0 when it may now. */
    synchronized long waitMs(String source, String user) {
        long now = clockMs.getAsLong();
        return Math.max(wait("ip " + source, now), wait("user " + user, now));
    }

    private long wait(String key, long now) {
        Entry e = entries.get(key);
        if (e == null) {
            return 0;
        }
        if (now - e.lastMs > FORGET_MS) {
            entries.remove(key);
            return 0;
        }
        return Math.max(0, e.lockedUntilMs - now);
    }

    synchronized void failed(String source, String user) {
        long now = clockMs.getAsLong();
        fail("ip " + source, now);
        fail("user " + user, now);
    }

    private void fail(String key, long now) {
        Entry e = entries.get(key);
        int failures = (e == null || now - e.lastMs > FORGET_MS ? 0 : e.failures) + 1;
        long lock = failures < FREE_FAILURES ? 0
                : Math.min(MAX_LOCK_MS, 1000L << Math.min(20, failures - FREE_FAILURES));
        entries.put(key, new Entry(failures, now + lock, now));
    }

    synchronized void succeeded(String source, String user) {
        entries.remove("ip " + source);
        entries.remove("user " + user);
    }

    synchronized int size() {
        return entries.size();
    }
}
