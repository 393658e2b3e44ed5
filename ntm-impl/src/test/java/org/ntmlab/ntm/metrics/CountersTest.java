package org.ntmlab.ntm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** Counting by {@link Counter}, reading by counter and by key, and the snapshot the control channel prints. */
class CountersTest {

    private enum Sample implements Counter {
        DROPPED("dropped"),
        BAD_AUTH("BAD_AUTH"),
        NEVER("never");

        private final String key;

        Sample(String key) {
            this.key = key;
        }

        @Override
        public String key() {
            return key;
        }
    }

    /** A second enum in the same Counters, as a component's own enum next to wire.MessageDrop. */
    private enum Other implements Counter {
        RELAYED;

        @Override
        public String key() {
            return "relayed";
        }
    }

    @Test
    void countsByCounterAndReadsByCounterOrKey() {
        Counters c = new Counters();
        c.count(Sample.DROPPED);
        c.count(Sample.DROPPED);
        c.count(Sample.BAD_AUTH);
        c.count(Other.RELAYED);

        assertThat(c.get(Sample.DROPPED)).isEqualTo(2);
        assertThat(c.get("dropped")).isEqualTo(2);
        assertThat(c.get(Sample.BAD_AUTH)).isEqualTo(1);
        assertThat(c.get("BAD_AUTH")).isEqualTo(1);
        assertThat(c.get(Other.RELAYED)).isEqualTo(1);
        assertThat(c.get("relayed")).isEqualTo(1);
        assertThat(c.get("RELAYED")).as("by key, not by constant name").isZero();
        assertThat(c.get(Sample.NEVER)).isZero();
        assertThat(c.get("never")).isZero();
        assertThat(c.get("noSuchKey")).isZero();
    }

    @Test
    void snapshotHoldsTheKeysCountedSoFarSortedByKey() {
        Counters c = new Counters();
        assertThat(c.snapshot()).isEmpty();
        assertThat(c.toString()).isEqualTo("{}");

        c.count(Other.RELAYED);
        c.count(Sample.DROPPED);
        c.count(Sample.BAD_AUTH);
        c.count(Sample.DROPPED);

        assertThat(c.snapshot()).containsExactly(
                java.util.Map.entry("BAD_AUTH", 1L), java.util.Map.entry("dropped", 2L),
                java.util.Map.entry("relayed", 1L));
        assertThat(c.snapshot()).as("a counter never counted is not listed").doesNotContainKey("never");
        // the control channel's "counters" answer is "OK " + this
        assertThat(c.toString()).isEqualTo("{BAD_AUTH=1, dropped=2, relayed=1}");
    }

    @Test
    void snapshotIsACopy() {
        Counters c = new Counters();
        c.count(Sample.DROPPED);
        var before = c.snapshot();
        c.count(Sample.DROPPED);
        assertThat(before).containsEntry("dropped", 1L);
        assertThat(c.snapshot()).containsEntry("dropped", 2L);
    }

    @Test
    void countsFromSeveralThreadsAreNotLost() throws Exception {
        Counters c = new Counters();
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        c.count(Sample.DROPPED); // the first counts of all threads race to create the adder
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(c.get(Sample.DROPPED)).isEqualTo((long) threads * each);
    }
}
