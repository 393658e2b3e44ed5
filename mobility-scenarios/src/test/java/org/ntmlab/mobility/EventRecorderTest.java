package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.pcap.timeline.EventLog;
import org.ntmlab.pcap.timeline.HandoverAnalyzer;
import org.ntmlab.pcap.timeline.Milestone;
import org.ntmlab.pcap.timeline.MoveTimeline;
import org.ntmlab.pcap.timeline.NodeEvent;
import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * The node's event lines go to the analyser as the node wrote them (issue 9: no rewriting in
 * between): recorded from a real node moving in the memory lab, read by {@link EventLog} and
 * {@link HandoverAnalyzer}, they give the move its new address.
 */
class EventRecorderTest {

    @Test
    void aMoveOfARealNodeGivesTheAnalyserItsNewAddress() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            EventRecorder r = new EventRecorder();
            List<String> written = follow(mn, r);
            r.emit(WallClock.nanos(), mn.fqdn(), "move-start", "kind=cross from=p2:10.2.0.10 to=global6:2001:db8::50");
            lab.hosts.get("mn").moveTo(lab.global6, "2001:db8:0:0:0:0:0:50");
            awaitRegistered(written);

            assertUnchanged(r, written);
            EventLog log = r.toEventLog();
            assertThat(log.skipped()).isEmpty();
            assertThat(log.events()).extracting(NodeEvent::name).startsWith("move-start", "address-added",
                    "address-removed", "register-sent");
            assertThat(log.events().get(1).attribute("addr")).hasValue("2001:db8::50");
            assertThat(log.events().get(2).attribute("addr")).hasValue("10.2.0.10");

            MoveTimeline m = analyse(log);
            assertThat(m.newAddress()).isEqualTo("2001:db8::50");
            assertThat(m.milestone(Milestone.ADDRESS_ADDED).orElseThrow().timestampNanos())
                    .isEqualTo(log.events().get(1).timestampNanos());
            assertThat(m.milestone(Milestone.REGISTER_ACKED)).isPresent();
        }
    }

    /** IPv4 and IPv6 at once: the node lists IPv4 first, and that is the address the analyser follows. */
    @Test
    void withTwoNewAddressesTheAnalyserFollowsIpv4() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.31");
            EventRecorder r = new EventRecorder();
            List<String> written = follow(mn, r);
            MemoryHost host = lab.hosts.get("mn");
            r.emit(WallClock.nanos(), mn.fqdn(), "move-start", "kind=cross from=global4 to=p1+global6");
            mn.loop().execute(() -> host.moveTo(lab.global6, "2001:db8::52").attach(lab.p1, "10.1.0.22"));
            awaitRegistered(written);

            assertUnchanged(r, written);
            assertThat(written.get(0)).endsWith(" event=address-added addr=10.1.0.22 addresses=10.1.0.22,2001:db8::52");
            assertThat(written.get(1)).endsWith(" event=address-added addr=2001:db8::52 addresses=10.1.0.22,2001:db8::52");
            assertThat(analyse(r.toEventLog()).newAddress()).isEqualTo("10.1.0.22");
        }
    }

    /** The node's own lines, and the recorder following the same node. */
    private static List<String> follow(NtmNode mn, EventRecorder r) throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        mn.onEvent(written::add);
        r.follow(mn);
        CompletableFuture.runAsync(() -> { }, mn.loop()).get(5, TimeUnit.SECONDS); // both listeners in place
        return written;
    }

    /** The recorder's lines after its own move-start are the node's, unchanged (the node may still be writing). */
    private static void assertUnchanged(EventRecorder r, List<String> written) {
        List<String> recorded = r.lines();
        List<String> node = List.copyOf(written); // after: each line reaches this list before the recorder
        assertThat(recorded.get(0)).contains(" event=move-start ");
        assertThat(recorded.size() - 1).isGreaterThanOrEqualTo(4).isLessThanOrEqualTo(node.size());
        assertThat(recorded.subList(1, recorded.size())).as("the node's lines, unchanged")
                .isEqualTo(node.subList(0, recorded.size() - 1));
    }

    private static void awaitRegistered(List<String> written) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (written.stream().noneMatch(l -> l.contains(" event=register-acked ")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
    }

    /** No capture: the move's milestones come from the event log alone. */
    private static MoveTimeline analyse(EventLog log) {
        TimelineReport report = new HandoverAnalyzer(List.of(), log).analyse();
        assertThat(report.moves()).hasSize(1);
        return report.moves().get(0);
    }
}
