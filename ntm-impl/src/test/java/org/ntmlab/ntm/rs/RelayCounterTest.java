package org.ntmlab.ntm.rs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.TrafficKey;

/** A RELAY_BIND that does not open is counted as "bind" + the outcome's name, as before the enum. */
class RelayCounterTest {

    @Test
    void openOutcomesKeepTheirPrefixedKeys() {
        for (TrafficKey.Result r : TrafficKey.Result.values()) {
            if (r == TrafficKey.Result.OK) {
                assertThatThrownBy(() -> RelayCounter.bindDrop(r)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(RelayCounter.bindDrop(r).key()).isEqualTo("bind" + r.name());
            }
        }
    }
}
