package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * The node's own address events (docs/pcap-analysis.md, "Node event log") are what the
 * handover analyser reads, with nothing rewriting them: per move one {@code address-added
 * addr=} per new address (IPv4 first), then one {@code address-removed addr=} per address
 * gone, addresses compressed and without zone; {@code address-changed} when nothing changed.
 */
class AddressEventsMemoryTest {

    private static final String MN = "node=mn.ntm.example ";

    @Test
    void aMoveGivesTheNewAddressThenTheOldOne() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            List<String> events = follow(mn);
            lab.hosts.get("mn").moveTo(lab.global6, "2001:db8:0:0:0:0:0:50");
            await(events, l -> l.contains(" event=register-acked "));
            assertThat(addressEvents(events)).containsExactly(
                    MN + "event=address-added addr=2001:db8::50 addresses=2001:db8::50",
                    MN + "event=address-removed addr=10.2.0.10 addresses=2001:db8::50");
            // the change is logged before the node acts on it
            assertThat(events.get(0)).contains(" event=address-added ");
            assertThat(events).anyMatch(l -> l.endsWith(" event=register-sent families=V6"));

            events.clear();
            lab.hosts.get("mn").moveTo(lab.p1, "10.1.0.20");
            await(events, l -> l.contains(" event=register-acked "));
            assertThat(addressEvents(events)).containsExactly(
                    MN + "event=address-added addr=10.1.0.20 addresses=10.1.0.20",
                    MN + "event=address-removed addr=2001:db8::50 addresses=10.1.0.20");
        }
    }

    /**
     * Both families at once (the host lists IPv6 first): IPv4 is added first, the family the
     * node registers on first, so the analyser's "first address-added after move-start" is it.
     * The second notification of the same change finds nothing new: {@code address-changed}.
     */
    @Test
    void twoNewAddressesComeIpv4FirstAndANotificationWithoutChangeIsAddressChanged() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.31");
            List<String> events = follow(mn);
            MemoryHost host = lab.hosts.get("mn");
            // on the node's loop, so both notifications find both addresses there
            mn.loop().execute(() -> host.moveTo(lab.global6, "2001:db8::52").attach(lab.p1, "10.1.0.22"));
            await(events, l -> l.contains(" event=address-changed "));
            assertThat(addressEvents(events)).containsExactly(
                    MN + "event=address-added addr=10.1.0.22 addresses=10.1.0.22,2001:db8::52",
                    MN + "event=address-added addr=2001:db8::52 addresses=10.1.0.22,2001:db8::52",
                    MN + "event=address-removed addr=198.51.100.31 addresses=10.1.0.22,2001:db8::52",
                    MN + "event=address-changed addresses=10.1.0.22,2001:db8::52");

            events.clear();
            host.detach("10.1.0.22");
            await(events, l -> l.contains(" event=address-removed "));
            assertThat(addressEvents(events)).containsExactly(
                    MN + "event=address-removed addr=10.1.0.22 addresses=2001:db8::52");
        }
    }

    private static List<String> follow(NtmNode node) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        node.onEvent(events::add);
        CompletableFuture.runAsync(() -> { }, node.loop()).get(5, TimeUnit.SECONDS); // the listener is in place
        return events;
    }

    /** The node's address-* lines without their timestamp. */
    private static List<String> addressEvents(List<String> events) {
        return events.stream().filter(l -> l.contains(" event=address-"))
                .map(l -> l.substring(l.indexOf(" node=") + 1)).toList();
    }

    private static void await(List<String> events, Predicate<String> line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.stream().noneMatch(line) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).anyMatch(line);
        Thread.sleep(50); // anything the same change still logs
    }
}
