package org.ntmlab.ntm.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named event counters of a server (malformed, badAuth, registered...); readable from any thread. */
public final class Counters {

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    public void count(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
