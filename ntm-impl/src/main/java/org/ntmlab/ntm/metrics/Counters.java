package org.ntmlab.ntm.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The event counters of one node or server (malformed, BAD_AUTH, registered...): counted by
 * {@link Counter} on the component's event loop, readable from any thread by counter or by
 * key. Only counters counted at least once appear in {@link #snapshot()}.
 */
public final class Counters {

    // Keyed by the enum constant itself: its hash is the identity hash, so counting is one
    // lookup and one add, with no string built per packet. The LongAdder is made on the
    // first count only.
    private final Map<Counter, LongAdder> counters = new ConcurrentHashMap<>();

    public void count(Counter c) {
        LongAdder a = counters.get(c);
        if (a == null) {
            a = counters.computeIfAbsent(c, k -> new LongAdder());
        }
        a.increment();
    }

    public long get(Counter c) {
        LongAdder a = counters.get(c);
        return a == null ? 0 : a.sum();
    }

    /** The count under {@code key} (see {@link Counter#key()}); 0 when never counted or unknown. */
    public long get(String key) {
        long n = 0;
        for (Map.Entry<Counter, LongAdder> e : counters.entrySet()) {
            if (e.getKey().key().equals(key)) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** Every counter counted so far, by key, sorted by key. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.merge(k.key(), v.sum(), Long::sum));
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
