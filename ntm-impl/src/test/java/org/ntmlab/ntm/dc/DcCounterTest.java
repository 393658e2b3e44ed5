package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.TrafficKey;

/** A DC <-> DC message that does not open is counted as "dc" + the outcome's name, as before the enum. */
class DcCounterTest {

    @Test
    void openOutcomesKeepTheirPrefixedKeys() {
        for (TrafficKey.Result r : TrafficKey.Result.values()) {
            if (r == TrafficKey.Result.OK) {
                assertThatThrownBy(() -> DcCounter.dcDrop(r)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(DcCounter.dcDrop(r).key()).isEqualTo("dc" + r.name());
            }
        }
    }
}
