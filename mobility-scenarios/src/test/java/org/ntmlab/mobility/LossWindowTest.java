package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class LossWindowTest {

    @Test
    void lossIsCountedInItsWindowOrOutsideEvery() {
        List<LossWindow> windows = List.of(new LossWindow("a", 100, 200), new LossWindow("b", 500, 600));
        LossWindow.Account a = LossWindow.account(List.of(99L, 100L, 150L, 200L, 201L, 550L, 700L), windows);
        assertThat(a.perWindow()).containsExactly(3, 1);
        assertThat(a.outside()).containsExactly(99L, 201L, 700L);
    }

    @Test
    void noLossNoCount() {
        LossWindow.Account a = LossWindow.account(List.of(), List.of(new LossWindow("a", 0, 10)));
        assertThat(a.perWindow()).containsExactly(0);
        assertThat(a.outside()).isEmpty();
    }
}
