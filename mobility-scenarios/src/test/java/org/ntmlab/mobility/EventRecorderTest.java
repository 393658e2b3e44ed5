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
            Recording rec = follow(mn);
            MemoryHost host = lab.hosts.get("mn");
            rec.move(mn, "kind=cross from=p2:10.2.0.10 to=global6:2001:db8::50",
                    () -> host.moveTo(lab.global6, "2001:db8:0:0:0:0:0:50"));

            EventLog log = rec.recorded();
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
            Recording rec = follow(mn);
            MemoryHost host = lab.hosts.get("mn");
            List<String> written = rec.move(mn, "kind=cross from=global4 to=p1+global6",
                    () -> host.moveTo(lab.global6, "2001:db8::52").attach(lab.p1, "10.1.0.22"));

            assertThat(written.get(0)).endsWith(" event=address-added addr=10.1.0.22 addresses=10.1.0.22,2001:db8::52");
            assertThat(written.get(1)).endsWith(" event=address-added addr=2001:db8::52 addresses=10.1.0.22,2001:db8::52");
            assertThat(analyse(rec.recorded()).newAddress()).isEqualTo("10.1.0.22");
        }
    }

    /** The node's own lines, and the recorder following the same node. */
    private static Recording follow(NtmNode mn) throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        EventRecorder r = new EventRecorder();
        mn.onEvent(written::add);
        r.follow(mn);
        CompletableFuture.runAsync(() -> { }, mn.loop()).get(5, TimeUnit.SECONDS); // both listeners in place
        return new Recording(mn, r, written);
    }

    /**
     * What the node wrote and what the recorder kept, from one move on. The node's start may
     * still be settling when the test begins: {@code start()} completes on the first
     * REGISTER_ACK, and on a loaded machine the ACK of a retried REGISTER can come later. So the
     * move waits until the node has been quiet for a while, and then marks where it begins, on
     * the node's loop, in the same task as the move: a late line can only fall before the mark.
     */
    private record Recording(NtmNode mn, EventRecorder r, List<String> written, int[] marks) {
        Recording(NtmNode mn, EventRecorder r, List<String> written) {
            this(mn, r, written, new int[2]);
        }

        /** Moves the node with {@code move} (run on its loop after {@code move-start}); the node's lines from then on. */
        List<String> move(NtmNode mn, String moveStart, Runnable move) throws Exception {
            awaitQuiet(written);
            CompletableFuture.runAsync(() -> {
                marks[0] = r.lines().size();
                marks[1] = written.size();
                r.emit(WallClock.nanos(), mn.fqdn(), "move-start", moveStart);
                move.run();
            }, mn.loop()).get(5, TimeUnit.SECONDS);
            awaitRegistered(written, marks[1]);
            List<String> recorded = r.lines().subList(marks[0], r.lines().size());
            List<String> node = List.copyOf(written.subList(marks[1], written.size())); // after: each line reaches it first
            assertThat(recorded.get(0)).contains(" event=move-start ");
            assertThat(recorded.size() - 1).isGreaterThanOrEqualTo(4).isLessThanOrEqualTo(node.size());
            assertThat(recorded.subList(1, recorded.size())).as("the node's lines, unchanged")
                    .isEqualTo(node.subList(0, recorded.size() - 1));
            return node;
        }

        /** The recorder's lines from {@code move-start} on, as the analyser reads them. */
        EventLog recorded() {
            List<String> all = r.lines();
            return EventLog.parse(all.subList(marks[0], all.size()), "events.log");
        }
    }

    /** Waits until the node has written nothing for 300 ms (at most 5 s). */
    private static void awaitQuiet(List<String> written) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int seen = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (written.size() != seen) {
                seen = written.size();
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private static void awaitRegistered(List<String> written, int from) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (written.subList(from, written.size()).stream().noneMatch(l -> l.contains(" event=register-acked "))
                && System.nanoTime() < deadline) {
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
