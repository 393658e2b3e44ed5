package org.ntmlab.ntm.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Anti-replay window behaviour (RFC 6479 style, as used by IPsec ESP and WireGuard). */
class ReplayWindowTest {

    @Test
    void counterZeroIsNeverAccepted() {
        assertThat(new ReplayWindow().accept(0)).isFalse();
    }

    @Test
    void inOrderCountersAreAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 1; c <= 10_000; c++) {
            assertThat(w.accept(c)).isTrue();
            assertThat(w.accept(c)).as("replay of %d", c).isFalse();
        }
    }

    @Test
    void reorderedCountersInsideTheWindowAreAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        List<Long> order = new ArrayList<>();
        for (long c = 1; c <= 5000; c++) {
            order.add(c);
        }
        // shuffle within blocks smaller than the window: every packet is new once
        Random rnd = new Random(7);
        for (int i = 0; i < order.size(); i += 500) {
            Collections.shuffle(order.subList(i, Math.min(order.size(), i + 500)), rnd);
        }
        for (long c : order) {
            assertThat(w.accept(c)).isTrue();
        }
        for (long c : order.subList(order.size() - 1000, order.size())) {
            assertThat(w.accept(c)).isFalse();
        }
    }

    @Test
    void countersOlderThanTheWindowAreRejected() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(10_000)).isTrue();
        assertThat(w.accept(10_000 - ReplayWindow.SIZE)).isFalse();
        assertThat(w.accept(10_000 - ReplayWindow.SIZE + 1)).isTrue();
    }

    @Test
    void aLargeJumpClearsTheBitmap() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(5)).isTrue();
        assertThat(w.accept(5 + 64 * ReplayWindow.SIZE)).isTrue();
        // a counter mapping to the same bit as 5 but new must be accepted
        assertThat(w.accept(5 + 64 * ReplayWindow.SIZE - ReplayWindow.SIZE + 1)).isTrue();
        assertThat(w.mightAccept(5)).isFalse();
    }

    @Test
    void bitsOfSkippedCountersAreClearedWhenTheWindowSlides() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(1)).isTrue();
        assertThat(w.accept(1 + ReplayWindow.SIZE)).isTrue(); // same bit slot as 1
        assertThat(w.accept(2 + ReplayWindow.SIZE)).isTrue();
        assertThat(w.accept(1)).isFalse(); // too old now: SIZE behind the highest
        assertThat(w.accept(3)).isTrue(); // skipped earlier, still inside the window
        assertThat(w.accept(3)).isFalse();
    }
}
