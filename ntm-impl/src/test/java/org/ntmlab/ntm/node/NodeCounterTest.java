package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.TrafficKey;

/** A message that does not open is counted as "dc" or "tunnel" + the outcome's name, as before the enum. */
class NodeCounterTest {

    @Test
    void openOutcomesKeepTheirPrefixedKeys() {
        for (TrafficKey.Result r : TrafficKey.Result.values()) {
            if (r == TrafficKey.Result.OK) {
                assertThatThrownBy(() -> NodeCounter.dcDrop(r)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> NodeCounter.tunnelDrop(r)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(NodeCounter.dcDrop(r).key()).isEqualTo("dc" + r.name());
                assertThat(NodeCounter.tunnelDrop(r).key()).isEqualTo("tunnel" + r.name());
            }
        }
    }
}
