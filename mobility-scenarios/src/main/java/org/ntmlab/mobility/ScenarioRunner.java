package org.ntmlab.mobility;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.TunnelInfo;
import org.ntmlab.ntm.transport.memory.Impairment;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.transport.memory.Segment;
import org.ntmlab.pcap.timeline.EventLog;
import org.ntmlab.pcap.timeline.HandoverAnalyzer;
import org.ntmlab.pcap.timeline.NodeEvent;
import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * Runs a {@link Scenario} on the in-memory Table 1 network ({@link MemoryLab}): a CN, an MN
 * whose traffic is captured at the MN, a TCP and a UDP stream from MN to CN's echo services,
 * then each move in turn; after each move it waits until the application's data flows again
 * and the tunnel has settled on the expected path at both ends. Writes
 * {@code capture.pcap}, {@code events.log}, {@code timeline.*} and {@code streams.md} into the
 * scenario's directory.
 *
 * <p>The waits have generous limits only so that a broken handover fails instead of hanging;
 * nothing here asserts a duration (the budgets are {@link HandoverBudgets}' business).
 */
public final class ScenarioRunner {

    /** UDP stream: one 64-byte datagram per millisecond. */
    public static final long UDP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** TCP stream: 512 bytes every 2 ms, about 250 KB/s. */
    public static final int TCP_CHUNK = 512;
    public static final long TCP_PAUSE_MS = 2;
    /** Replies on the new path before a move counts as settled (and the next may start). */
    static final int SETTLE_REPLIES = 100;
    static final long LIMIT_MS = 20_000;

    private final Scenario scenario;
    private final Path directory;
    private final SecureRandom random = new SecureRandom();

    public ScenarioRunner(Scenario scenario, Path baseDirectory) {
        this.scenario = scenario;
        this.directory = baseDirectory.resolve(scenario.name());
    }

    public ScenarioResult run() throws Exception {
        Files.createDirectories(directory);
        EventRecorder events = new EventRecorder();
        NodeCapture capture = new NodeCapture(scenario.mnName());
        List<MoveOutcome> outcomes = new ArrayList<>();
        ScenarioResult partial;
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            if (scenario.globalDelayMs() > 0) {
                Impairment delay = new Impairment(0, scenario.globalDelayMs(), 0, 0, 0);
                lab.global4.impair(delay);
                lab.global6.impair(delay);
            }
            lab.net.tap(capture);
            NtmNode cn = lab.node("cn", segment(lab, scenario.cnSegment()), scenario.cnAddress());
            events.follow(cn); // the CN's view (peer-roamed, route-direction) beside the MN's
            NtmNode mn = capturedNode(lab, capture, events);
            try {
                partial = drive(lab, mn, cn, events, outcomes);
            } finally {
                mn.close();
                // written even when the scenario failed: the capture is what explains it
                capture.writePcap(directory.resolve("capture.pcap"));
                events.write(directory.resolve("events.log"));
            }
        }
        EventLog log = events.toEventLog();
        List<MoveOutcome> withAddress = addressSeen(partial.moves(), log, mnFqdn());
        TimelineReport timeline = HandoverAnalyzer.analyse(List.of(directory.resolve("capture.pcap")), log);
        timeline.writeTo(directory);
        ScenarioResult result = new ScenarioResult(scenario, withAddress, partial.tcpSent(), partial.tcpReceived(),
                partial.tcpFailure(), partial.udpSent(), partial.udpReplies(), partial.udpCorrupted(),
                partial.udpDuplicates(), partial.udpFailure(), partial.lostOutside(), partial.virtualKept(), timeline,
                directory, partial.counters());
        Files.writeString(directory.resolve("streams.md"), StreamsReport.markdown(result), StandardCharsets.UTF_8);
        return result;
    }

    private String mnFqdn() {
        return scenario.mnName() + "." + MemoryLab.DOMAIN;
    }

    /**
     * Like {@link MemoryLab#node} but the node's network is wrapped by the capture, so the
     * capture sees what the MN sends with its own source address (before the NAT).
     */
    private NtmNode capturedNode(MemoryLab lab, NodeCapture capture, EventRecorder events) throws Exception {
        MemoryHost host = lab.net.host(scenario.mnName()).attach(segment(lab, scenario.startSegment()),
                scenario.startAddress());
        lab.hosts.put(scenario.mnName(), host);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        NodeKey key = new NodeKey(random.nextLong(), mnFqdn(), secret);
        lab.keys.put(key.keyId(), key);
        NtmNode node = new NtmNode(new NodeConfig(new InetSocketAddress("198.51.100.10", MemoryLab.DC_PORT),
                new InetSocketAddress("2001:db8::10", MemoryLab.DC_PORT), 7200, lab.suite), key,
                capture.wrap(host), lab.loop(scenario.mnName()));
        events.follow(node);
        host.onAddressChange(node::addressesChanged); // netlink's part on the in-memory network
        node.start().get(10, TimeUnit.SECONDS);
        lab.nodes.put(scenario.mnName(), node);
        return node;
    }

    private ScenarioResult drive(MemoryLab lab, NtmNode mn, NtmNode cn, EventRecorder events,
                                 List<MoveOutcome> outcomes) throws Exception {
        InetAddress v4 = mn.virtualV4();
        InetAddress v6 = mn.virtualV6();
        TunnelInfo tunnel = mn.resolve(cn.fqdn()).get(10, TimeUnit.SECONDS);
        String fqdn = mn.fqdn();
        MemoryHost host = lab.hosts.get(scenario.mnName());
        int capacity = (int) (120_000_000_000L / UDP_INTERVAL_NANOS);
        try (UdpProbeStream udp = new UdpProbeStream(mn, cn.virtualV4(), NtmNode.ECHO_PORT, UDP_INTERVAL_NANOS,
                capacity).start();
             TcpEchoStream tcp = new TcpEchoStream(mn, cn.virtualV4(), NtmNode.ECHO_PORT, TCP_CHUNK, TCP_PAUSE_MS)
                     .start()) {
            long settledAt = WallClock.nanos();
            await(() -> udp.repliesSince(settledAt) >= SETTLE_REPLIES && tcp.received() > 10 * TCP_CHUNK,
                    "UDP and TCP echoes flowing before the first move", udp, tcp);
            long newPathSince = settledAt; // RTTs of the path in use are measured from here
            String from = scenario.startSegment() + ":" + scenario.startAddress();
            for (int i = 0; i < scenario.moves().size(); i++) {
                Move m = scenario.moves().get(i);
                List<Double> before = udp.rttsMs(newPathSince, WallClock.nanos());
                double rttBefore = median(before);
                Segment target = segment(lab, m.segment());

                long timeoutsBefore = mn.tcp().stats().timeouts() + cn.tcp().stats().timeouts();
                long start = WallClock.nanos();
                events.emit(start, fqdn, "move-start", "kind=" + m.kind() + " from=" + from + " to=" + m.segment()
                        + ":" + m.address());
                host.moveTo(target, m.address());
                // Data sent while moveTo ran may still have left from the old address (a cold JVM
                // takes milliseconds here): the application counts as resumed with the reply to a
                // datagram sent once the move is complete.
                long moved = WallClock.nanos();
                udp.armResume(moved, t -> events.emit(t, fqdn, "app-data-resumed", "via=udp"));
                tcp.armProgress(t -> events.emit(t, fqdn, "tcp-resumed", "via=tcp"));

                await(() -> udp.resumedAt() != 0, "UDP echo answered after the move to " + m.address(), udp, tcp);
                await(() -> tcp.progressAt() != 0, "TCP progress after the move to " + m.address(), udp, tcp);
                long resumedSent = udp.sentAt(udp.resumedSeq());
                String pathMn = awaitPath(mn, tunnel.tunnelId(), m.expectedPath());
                String pathCn = awaitPath(cn, tunnel.tunnelId(), m.expectedPath());
                await(() -> udp.repliesSince(resumedSent) >= SETTLE_REPLIES,
                        "UDP settled on the new path after the move to " + m.address(), udp, tcp);
                long settled = WallClock.nanos();
                double rttAfter = median(udp.rttsMs(resumedSent, settled));
                outcomes.add(new MoveOutcome(i + 1, m, from, start, 0, udp.resumedAt(), resumedSent,
                        tcp.progressAt(), rttBefore, rttAfter, null, 0, pathMn, pathCn,
                        mn.tcp().stats().timeouts() + cn.tcp().stats().timeouts() - timeoutsBefore,
                        tcp.longestStall(start, settled)[0]));
                newPathSince = resumedSent;
                from = m.segment() + ":" + m.address();
            }
            udp.stopSending();
            udp.awaitDrained();
            tcp.finish();

            // The window opens after the last datagram answered before the move started: the
            // path is FIFO, so every later one was in flight when the move cut the old path.
            List<LossWindow> windows = new ArrayList<>();
            for (MoveOutcome o : outcomes) {
                int last = udp.lastAnsweredBefore(o.startNanos());
                long open = last < 0 ? 0 : udp.sentAt(last) + 1;
                windows.add(new LossWindow(o.move().kind() + " #" + o.index(), open, o.udpResumedSent()));
            }
            List<Integer> lost = udp.lost();
            List<Long> lostTimes = lost.stream().map(udp::sentAt).toList();
            LossWindow.Account account = LossWindow.account(lostTimes, windows);
            List<MoveOutcome> counted = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                counted.add(outcomes.get(i).withWindow(windows.get(i), account.perWindow()[i]));
            }
            List<ScenarioResult.LostDatagram> outside = new ArrayList<>();
            for (int i = 0; i < lost.size(); i++) {
                long t = lostTimes.get(i);
                if (account.outside().contains(t)) {
                    MoveOutcome near = outcomes.stream()
                            .min(java.util.Comparator.comparingLong(o -> Math.abs(o.startNanos() - t))).orElseThrow();
                    outside.add(new ScenarioResult.LostDatagram(lost.get(i), t, near.index(),
                            (t - near.startNanos()) / 1e6));
                }
            }
            boolean kept = v4.equals(mn.virtualV4()) && v6.equals(mn.virtualV6());
            String counters = "network: delivered=" + lab.net.delivered() + " dropped=" + lab.net.dropped()
                    + " r1.filteredInbound=" + lab.p1.gateway().filteredInbound() + " r2.filteredInbound="
                    + lab.p2.gateway().filteredInbound() + "\nMN: " + mn.counters() + "\nCN: " + cn.counters()
                    + "\nDC: " + lab.dc.counters() + "\nRS: " + lab.rs.counters() + "\nMN TCP: " + mn.tcp().stats()
                    + "\nCN TCP: " + cn.tcp().stats() + "\nUDP socket drops (application too slow): "
                    + udp.socketDrops();
            return new ScenarioResult(scenario, counted, tcp.sent(), tcp.received(), tcp.failure(), udp.sent(),
                    udp.replies(), udp.corrupted(), udp.duplicates(), udp.failure(), outside, kept, null, directory,
                    counters);
        }
    }

    /** Fills in when the node reported its new address (its {@code address-added} event). */
    static List<MoveOutcome> addressSeen(List<MoveOutcome> moves, EventLog log, String fqdn) {
        List<MoveOutcome> r = new ArrayList<>();
        for (MoveOutcome m : moves) {
            long seen = 0;
            for (NodeEvent e : log.events()) {
                if (e.node().equals(fqdn) && e.name().equals(EventLog.ADDRESS_ADDED)
                        && e.timestampNanos() >= m.startNanos()) {
                    seen = e.timestampNanos();
                    break;
                }
            }
            r.add(m.withAddressSeen(seen));
        }
        return r;
    }

    static Segment segment(MemoryLab lab, String name) {
        return switch (name) {
            case "global4" -> lab.global4;
            case "global6" -> lab.global6;
            case "p1" -> lab.p1;
            case "p2" -> lab.p2;
            default -> throw new IllegalArgumentException("no segment '" + name
                    + "' in the Table 1 lab: use global4, global6, p1 or p2");
        };
    }

    private static String awaitPath(NtmNode node, long tunnelId, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MS);
        String path = null;
        while (System.nanoTime() < deadline) {
            for (TunnelInfo t : node.tunnels().get(5, TimeUnit.SECONDS)) {
                if (t.tunnelId() == tunnelId) {
                    path = t.path();
                }
            }
            if (expected.equals(path)) {
                return path;
            }
            Thread.sleep(5);
        }
        return path;
    }

    private static void await(BooleanSupplier condition, String what, UdpProbeStream udp, TcpEchoStream tcp)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MS);
        while (!condition.getAsBoolean()) {
            if (udp.failure() != null || tcp.failure() != null || System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not seen (limit " + LIMIT_MS / 1000 + " s); udp failure="
                        + udp.failure() + ", tcp failure=" + tcp.failure() + ", udp sent=" + udp.sent()
                        + " replies=" + udp.replies() + ", tcp sent=" + tcp.sent() + " received=" + tcp.received());
            }
            Thread.sleep(1);
        }
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
