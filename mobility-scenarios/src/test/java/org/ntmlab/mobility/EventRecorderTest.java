package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ntmlab.pcap.timeline.NodeEvent;

class EventRecorderTest {

    @Test
    void singleNewAddressIsGivenAsAddrForTheAnalyser() {
        EventRecorder r = new EventRecorder();
        r.nodeLine("ts=1795672535.422442 node=mn.ntm.example event=address-added addresses=2001:db8:0:0:0:0:0:50");
        r.nodeLine("ts=1795672535.422443 node=mn.ntm.example event=address-added addresses=10.0.0.1,2001:db8::1");
        r.emit(1_795_672_535_421_243_000L, "mn.ntm.example", "move-start", "to=global6:2001:db8::50");
        var events = r.toEventLog().events();
        assertThat(events).extracting(NodeEvent::name).containsExactly("move-start", "address-added", "address-added");
        assertThat(events.get(0).timestampNanos()).isEqualTo(1_795_672_535_421_243_000L);
        assertThat(events.get(1).attribute("addr")).hasValue("2001:db8:0:0:0:0:0:50");
        assertThat(events.get(2).attribute("addr")).isEmpty(); // two addresses: which one is new is not known
    }
}
