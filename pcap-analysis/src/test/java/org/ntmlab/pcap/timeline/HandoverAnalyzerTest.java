package org.ntmlab.pcap.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HandoverAnalyzerTest {
    static final Milestone[] AFTER_START = java.util.Arrays.copyOfRange(Milestone.values(), 1, Milestone.values().length);

    @TempDir
    Path dir;

    private TimelineReport analyse(HandoverScenario s) throws Exception {
        Path pcap = dir.resolve("mn.pcap");
        Path events = dir.resolve("mn-events.log");
        s.write(pcap, events);
        return HandoverAnalyzer.analyse(List.of(pcap), EventLog.load(events));
    }

    @Test
    void twelveMovesGiveEveryMilestoneAtItsKnownTime() throws Exception {
        TimelineReport r = analyse(new HandoverScenario(12, List.of()).build());
        assertThat(r.moves()).hasSize(12);
        assertThat(r.warnings()).isEmpty();
        for (int i = 0; i < 12; i++) {
            MoveTimeline m = r.moves().get(i);
            assertThat(m.index()).isEqualTo(i + 1);
            assertThat(m.node()).isEqualTo("mn");
            assertThat(m.startNanos()).isEqualTo(HandoverScenario.start(i));
            assertThat(m.newAddress()).isEqualTo(HandoverScenario.newAddress(i));
            double[] expected = HandoverScenario.expectedOffsets(i);
            for (int k = 0; k < AFTER_START.length; k++) {
                assertThat(m.msTo(AFTER_START[k])).as("move %d %s", i + 1, AFTER_START[k]).isCloseTo(expected[k], within(1e-6));
            }
            assertThat(m.phases()).hasSize(9).noneMatch(PhaseSpan::absorbed);
            assertThat(m.notes()).isEmpty();
            // Sources: what the capture can show comes from the capture.
            assertThat(m.milestone(Milestone.DHCP_ACK).orElseThrow().source()).isEqualTo("capture");
            assertThat(m.milestone(Milestone.REGISTER_SENT).orElseThrow().source()).isEqualTo("capture");
            assertThat(m.milestone(Milestone.TUNNEL_SETUP).orElseThrow().detail()).contains("TUNNEL_RESPONSE");
            assertThat(m.milestone(Milestone.APP_RESUMED).orElseThrow().source()).isEqualTo("log");
            assertThat(m.totalMs()).isCloseTo(153 + 21 * i, within(1e-6));
        }
        // register = 10, 20 .. 120 ms; link = 100 .. 210 ms; total = 153 + 21 i.
        PhaseStats reg = r.stats(Milestone.REGISTER_ACKED);
        assertThat(reg.phase()).isEqualTo("register");
        assertThat(reg.count()).isEqualTo(12);
        assertThat(reg.mean()).isCloseTo(65.0, within(1e-9));
        assertThat(reg.p50()).isCloseTo(65.0, within(1e-9));
        assertThat(reg.p95()).isCloseTo(114.5, within(1e-9));
        assertThat(reg.min()).isCloseTo(10.0, within(1e-9));
        assertThat(reg.max()).isCloseTo(120.0, within(1e-9));
        PhaseStats link = r.stats(Milestone.LINK_UP);
        assertThat(link.mean()).isCloseTo(155.0, within(1e-9));
        assertThat(link.p95()).isCloseTo(204.5, within(1e-9));
        PhaseStats dhcp = r.stats(Milestone.DHCP_ACK);
        assertThat(dhcp.mean()).isCloseTo(8.0, within(1e-9));
        assertThat(dhcp.p95()).isCloseTo(8.0, within(1e-9));
        assertThat(r.total().count()).isEqualTo(12);
        assertThat(r.total().mean()).isCloseTo(268.5, within(1e-9));
        assertThat(r.total().p50()).isCloseTo(268.5, within(1e-9));
        assertThat(r.total().p95()).isCloseTo(372.45, within(1e-9));
    }

    @Test
    void aMissingDhcpExchangeIsAbsorbedAndLeftOutOfPhaseStatistics() throws Exception {
        TimelineReport r = analyse(new HandoverScenario(12, List.of(4)).build());
        MoveTimeline m = r.moves().get(4);
        assertThat(m.milestone(Milestone.DHCP_START)).isEmpty();
        assertThat(m.milestone(Milestone.DHCP_ACK)).isEmpty();
        PhaseSpan address = m.phase(Milestone.ADDRESS_ADDED).orElseThrow();
        assertThat(address.absorbed()).isTrue();
        double[] e = HandoverScenario.expectedOffsets(4);
        assertThat(address.durationMs()).isCloseTo(e[3] - e[0], within(1e-6));
        // The address still comes from the log, so the NTM milestones are found as before.
        assertThat(m.newAddress()).isEqualTo(HandoverScenario.newAddress(4));
        assertThat(m.msTo(Milestone.FIRST_DATA)).isCloseTo(e[7], within(1e-6));
        assertThat(r.stats(Milestone.DHCP_ACK).count()).isEqualTo(11);
        assertThat(r.stats(Milestone.ADDRESS_ADDED).count()).isEqualTo(11);
        assertThat(r.stats(Milestone.REGISTER_ACKED).count()).isEqualTo(12);
        assertThat(r.total().count()).isEqualTo(12);
        assertThat(r.markdown()).contains("| dhcp | dhcp-ack | 11 | 8.000 | 8.000 | 8.000 |");
    }

    @Test
    void withoutCaptureOrLogEventsTheFallbacksAreUsedAndNoted() throws Exception {
        HandoverScenario s = new HandoverScenario(2, List.of()).build();
        // Drop REGISTER datagrams from the capture and app-data-resumed from the log.
        s.frames.removeIf(f -> {
            byte[] b = f.bytes();
            return b.length > 42 + 1 && b[42] == 1 && b[43] == 0x01 && (b[36] & 0xff) << 8 == 0x1b00;
        });
        s.log.removeIf(l -> l.contains("app-data-resumed"));
        TimelineReport r = analyse(s);
        MoveTimeline m = r.moves().get(0);
        double[] e = HandoverScenario.expectedOffsets(0);
        MilestoneHit reg = m.milestone(Milestone.REGISTER_SENT).orElseThrow();
        assertThat(reg.source()).isEqualTo("log");
        assertThat(m.msTo(Milestone.REGISTER_SENT)).isCloseTo(e[4] + 0.1, within(1e-6));
        assertThat(m.notes()).anyMatch(n -> n.startsWith("register-sent taken from the log"));
        // Resumed = the first DATA to the new address, 3 ms after the first DATA from it.
        assertThat(m.milestone(Milestone.APP_RESUMED).orElseThrow().source()).isEqualTo("capture");
        assertThat(m.msTo(Milestone.APP_RESUMED)).isCloseTo(e[7] + 3, within(1e-6));
    }

    /**
     * A busy machine's capture loses packets: its first DATA at the new address comes after the
     * node's own app-data-resumed. That DATA is no milestone; tunnel-setup -> app-resume is timed
     * by the log, and the move says why.
     */
    @Test
    void aCaptureThatMissedTheFirstDataDoesNotDelayTheResume() throws Exception {
        HandoverScenario s = new HandoverScenario(2, List.of()).build();
        double[] e = HandoverScenario.expectedOffsets(0);
        long from = HandoverScenario.start(0) + HandoverScenario.ms(e[7]);
        s.frames.removeIf(f -> f.ts() >= from && f.ts() <= from + HandoverScenario.ms(3)); // both DATA of the switch
        TimelineReport r = analyse(s);
        MoveTimeline m = r.moves().get(0);
        assertThat(m.milestone(Milestone.FIRST_DATA)).isEmpty();
        assertThat(m.notes()).anyMatch(n -> n.startsWith("first-data left out") && n.contains("50.0 ms after"));
        assertThat(m.milestone(Milestone.TUNNEL_SETUP).orElseThrow().detail()).contains("TUNNEL_RESPONSE");
        assertThat(m.milestone(Milestone.APP_RESUMED).orElseThrow().source()).isEqualTo("log");
        assertThat(m.msTo(Milestone.APP_RESUMED)).isCloseTo(e[8], within(1e-6));
        // the other move is untouched
        assertThat(r.moves().get(1).milestone(Milestone.FIRST_DATA)).isPresent();
        assertThat(r.moves().get(1).notes()).isEmpty();
    }

    /**
     * The Docker lab's node writes udp-echo-resumed (its udp-stream heard the peer again): the
     * resume is the capture's first DATA to the new address when there is one before it, else
     * the echo (the capture lost the DATA).
     */
    @Test
    void theNodesEchoBoundsTheResumeOnlyWhereTheCaptureHasNothing() throws Exception {
        double[] e = HandoverScenario.expectedOffsets(0);
        HandoverScenario s = new HandoverScenario(2, List.of()).build();
        s.log.replaceAll(l -> l.replace("event=app-data-resumed", "event=udp-echo-resumed"));
        MoveTimeline m = analyse(s).moves().get(0);
        assertThat(m.milestone(Milestone.APP_RESUMED).orElseThrow().source()).isEqualTo("capture");
        assertThat(m.msTo(Milestone.APP_RESUMED)).isCloseTo(e[7] + 3, within(1e-6));

        HandoverScenario lossy = new HandoverScenario(2, List.of()).build();
        lossy.log.replaceAll(l -> l.replace("event=app-data-resumed", "event=udp-echo-resumed"));
        long from = HandoverScenario.start(0) + HandoverScenario.ms(e[7]);
        lossy.frames.removeIf(f -> f.ts() >= from && f.ts() <= from + HandoverScenario.ms(3));
        MoveTimeline l = analyse(lossy).moves().get(0);
        assertThat(l.milestone(Milestone.APP_RESUMED).orElseThrow().source()).isEqualTo("log");
        assertThat(l.msTo(Milestone.APP_RESUMED)).isCloseTo(e[8], within(1e-6));
        assertThat(l.notes()).anyMatch(n -> n.contains("udp-echo-resumed"));
        assertThat(l.milestone(Milestone.FIRST_DATA)).isEmpty();
    }

    @Test
    void noMoveStartMeansAWarningNotACrash() {
        EventLog log = EventLog.parse(List.of("ts=1 event=link-up node=mn"), "x");
        TimelineReport r = new HandoverAnalyzer(List.of(), log).analyse();
        assertThat(r.moves()).isEmpty();
        assertThat(r.warnings()).singleElement().asString().contains("no move-start");
        assertThat(r.total().count()).isZero();
        assertThat(TimelineChart.svg(r)).startsWith("<svg");
    }

    @Test
    void outputsAreWrittenAndTheSvgHasOneBarPerPhase() throws Exception {
        TimelineReport r = analyse(new HandoverScenario(10, List.of(3)).build());
        List<Path> written = r.writeTo(dir.resolve("out"));
        assertThat(written).extracting(p -> p.getFileName().toString())
                .containsExactly("timeline.md", "timeline.json", "timeline.svg");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document svg = f.newDocumentBuilder().parse(written.get(2).toFile());
        assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
        int bars = 0;
        int hatched = 0;
        var rects = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            var rect = (org.w3c.dom.Element) rects.item(i);
            if (rect.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").getLength() > 0) {
                bars++;
                if (rect.getAttribute("fill").equals("url(#absorbed)")) {
                    hatched++;
                }
            }
        }
        int spans = r.moves().stream().mapToInt(m -> m.phases().size()).sum();
        assertThat(bars).isEqualTo(spans + 9); // plus the mean row
        assertThat(hatched).isEqualTo(1);
        String json = Files.readString(written.get(1));
        assertThat(json).startsWith("{\"moves\":[").contains("\"phase\":\"register\"").contains("\"p95Ms\":")
                .contains("\"absorbed\":true");
        List<String> md = Files.readAllLines(written.get(0));
        assertThat(md).contains("# Handover timeline");
        assertThat(r.console()).contains("p95 ms").contains("app-data-resumed");
    }

    @Test
    void eventLogFormats() {
        EventLog log = EventLog.parse(List.of(
                "# comment",
                "",
                "ts=1714550400123456789 event=move-start node=mn mac=02:00:00:00:00:0a",
                "2024-05-01 INFO ntm: ts=2024-05-01T08:00:00.5Z event=link-up node=mn note=\"new ssid lab 2\"",
                "ts=1714550401.25 event=address-added addr=10.0.0.5/24",
                "ts=2024-05-01T10:00:02+02:00 event=app-data-resumed node=mn",
                "event=link-up node=mn",
                "ts=yesterday event=link-up"), "events.log");
        assertThat(log.events()).extracting(NodeEvent::name)
                .containsExactly("move-start", "link-up", "address-added", "app-data-resumed");
        assertThat(log.events().get(0).timestampNanos()).isEqualTo(1714550400123456789L);
        assertThat(log.events().get(0).attribute("mac")).contains("02:00:00:00:00:0a");
        assertThat(log.events().get(1).timestampNanos()).isEqualTo(1714550400500000000L);
        assertThat(log.events().get(1).attribute("note")).contains("new ssid lab 2");
        assertThat(log.events().get(2).timestampNanos()).isEqualTo(1714550401250000000L);
        assertThat(log.events().get(2).node()).isEmpty();
        assertThat(log.events().get(3).timestampNanos()).isEqualTo(1714550402000000000L);
        assertThat(log.skipped()).hasSize(2);
        assertThat(log.skipped().get(0)).startsWith("events.log:7");
        assertThat(log.skipped().get(1)).startsWith("events.log:8").contains("yesterday");
    }

    /**
     * Lines exactly as an NTM node writes them (ntm-impl's AddressEventsMemoryTest, a move to
     * an IPv4 and an IPv6 network at once), with the harness's move-start: the new address is
     * the first address-added, IPv4; address-removed and address-changed do not disturb it.
     */
    @Test
    void theNodesOwnLinesGiveTheNewAddress() {
        EventLog log = EventLog.parse(List.of(
                "ts=1796488188.551204 node=mn.ntm.example event=move-start kind=cross from=global4 to=p1+global6",
                "ts=1796488188.551682 node=mn.ntm.example event=address-added addr=10.1.0.22 addresses=10.1.0.22,2001:db8::52",
                "ts=1796488188.551924 node=mn.ntm.example event=address-added addr=2001:db8::52 addresses=10.1.0.22,2001:db8::52",
                "ts=1796488188.552265 node=mn.ntm.example event=address-removed addr=198.51.100.31 addresses=10.1.0.22,2001:db8::52",
                "ts=1796488188.553463 node=mn.ntm.example event=register-sent families=V4,V6",
                "ts=1796488188.556332 node=mn.ntm.example event=address-changed addresses=10.1.0.22,2001:db8::52",
                "ts=1796488188.588504 node=mn.ntm.example event=register-acked family=V4 observed=203.0.113.1:7200"
                        + " v4=100.127.1.1 v6=fd00:6e74:6d00:8626::101",
                "ts=1796488188.593915 node=mn.ntm.example event=register-acked family=V6 observed=[2001:db8::52]:7200"
                        + " v4=100.127.1.1 v6=fd00:6e74:6d00:8626::101"), "mn-events.log");
        assertThat(log.skipped()).isEmpty();
        assertThat(log.events().get(4).attribute("families")).hasValue("V4,V6");
        assertThat(log.events().get(6).attribute("observed")).hasValue("203.0.113.1:7200");
        TimelineReport r = new HandoverAnalyzer(List.of(), log).analyse();
        assertThat(r.moves()).hasSize(1);
        MoveTimeline m = r.moves().get(0);
        assertThat(m.node()).isEqualTo("mn.ntm.example");
        assertThat(m.newAddress()).isEqualTo("10.1.0.22");
        assertThat(m.milestone(Milestone.ADDRESS_ADDED).orElseThrow().detail()).isEqualTo("line 2 address-added");
        assertThat(m.msTo(Milestone.ADDRESS_ADDED)).isCloseTo(0.478, within(1e-9));
        assertThat(m.msTo(Milestone.REGISTER_SENT)).isCloseTo(2.259, within(1e-9));
        assertThat(m.msTo(Milestone.REGISTER_ACKED)).isCloseTo(37.3, within(1e-9));

        // the same instant: the analyser keeps the node's order, so IPv4 (written first) is still the address
        List<String> sameInstant = List.of(
                "ts=1796488188.551204 node=mn.ntm.example event=move-start",
                "ts=1796488188.551682 node=mn.ntm.example event=address-added addr=10.1.0.22 addresses=10.1.0.22,2001:db8::52",
                "ts=1796488188.551682 node=mn.ntm.example event=address-added addr=2001:db8::52 addresses=10.1.0.22,2001:db8::52");
        assertThat(new HandoverAnalyzer(List.of(), EventLog.parse(sameInstant, "x")).analyse().moves().get(0)
                .newAddress()).isEqualTo("10.1.0.22");
    }

    @Test
    void percentilesInterpolateBetweenRanks() {
        List<Double> v = new ArrayList<>(List.of(4.0, 1.0, 3.0, 2.0));
        PhaseStats s = PhaseStats.of("x", v);
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.p50()).isEqualTo(2.5);
        assertThat(s.p95()).isCloseTo(3.85, within(1e-12));
        assertThat(PhaseStats.of("one", List.of(7.0)).p95()).isEqualTo(7.0);
        assertThat(PhaseStats.of("none", List.of()).count()).isZero();
    }
}
