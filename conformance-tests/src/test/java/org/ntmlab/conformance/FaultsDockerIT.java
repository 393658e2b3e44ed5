package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.LabFaults;
import org.ntmlab.lab.LabHost;
import org.ntmlab.lab.LabOptions;
import org.ntmlab.lab.NtmDeployment;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.SegmentKind;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.ntm.faults.FaultReport;
import org.ntmlab.ntm.faults.FaultRow;

/**
 * Issue 10's fault-injection suite in the Docker lab (the in-memory twin is ntm-impl's
 * {@code FaultsMemoryTest}; docs/faults-docker.md explains every measurement). One lab of
 * {@code table1.yaml}, started once; a direct pair (a node behind a NAT to a global IPv4 node)
 * and a relayed pair (a node behind the other NAT to an IPv6-only node), both picked from the
 * topology by their paths. For each fault, in turn: both pairs run a checked TCP stream and a
 * paced UDP stream through their existing tunnel, the fault hits (a process SIGKILLed and started
 * again with the same command, {@code docker pause}, an iptables partition, a NAT's conntrack
 * table flushed), and then the suite measures, from the moment the target is back: when the UDP
 * echoes came back and the longest silence, when a resolve between two nodes that had no tunnel
 * yet works, whether every TCP byte came back, and whether every node kept its virtual
 * addresses. One {@link FaultRow} per fault x path goes to {@code target/ntm-report/faults.{md,json}};
 * every row must be within {@link FaultRow#RECOVERY_BUDGET_MS}.
 *
 * <p>Times are wall-clock milliseconds: the containers share the test's kernel and so its
 * clock, and {@code udp-stream} reports its start on that clock ({@code startEpochMs}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultsDockerIT {
    static final int PARTITION_SECONDS = Integer.getInteger("ntm.faults.partitionSeconds", 20);
    /** One datagram every 10 ms: the interruption's resolution. */
    static final int UDP_PPS = 100;
    static final int UDP_SIZE = 200;
    /** The streams run this long before the fault (docker exec, socat and the first sends take some of it). */
    static final long LEAD_MS = 1200;
    /** The longest wait for the streams to be sending before {@link #LEAD_MS} starts. */
    static final long STREAMS_START_MS = 20_000;
    /** ... and at least this long after the target's return (longer while the lab settles or data is still away). */
    static final long TAIL_MS = 1500;
    /**
     * A silence of the paced stream at least this long counts as "the stream stopped" (50 datagrams):
     * silences of 150-300 ms were seen on every path in every fault on a loaded 2-core machine,
     * faults that do not touch the path included (JVMs starting, TCP streams), while every real
     * interruption in this suite lasts a second or more (tunnel liveness ticks once a second).
     */
    static final long STOPPED_MS = 500;
    /**
     * Pace of the TCP streams in kbit/s (0: as fast as the connection takes). Paced, so that two
     * bulk streams through user-space stacks do not take the two cores from the JVMs the faults
     * restart; every byte is checked either way.
     */
    static final int TCP_KBPS = Integer.getInteger("ntm.faults.tcpKbps", 4000);
    /** How long after the target's return the suite keeps looking for recovery: the budget and a margin. */
    static final long LOOK_MS = FaultRow.RECOVERY_BUDGET_MS + 5_000;
    static final int TCP_CHECK_BYTES = 300_000;

    private Lab lab;
    private Topology t;
    private Pair direct;
    private Pair relay;
    private LabHost dc;
    private LabHost rs;
    private LabHost as;
    private String dcDns;
    /** Node pairs with no tunnel between them yet, for "a new resolve works": relay pairs first. */
    private final List<String[]> fresh = new ArrayList<>();
    /** Every node's "v4 v6" from status, before the next fault. */
    private Map<String, String> addresses;
    private final List<FaultRow> rows = Collections.synchronizedList(new ArrayList<>());
    /** Anything wrong that a row cannot hold (a stream that did not span the fault, a lab that did not settle). */
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private long t0;

    /** One MN -> CN pair with its streams' target (the CN's virtual IPv4). */
    record Pair(String mn, String cn, String cnFqdn, String path, String cnV4) {
    }

    /** When the fault began and when its target was back; {@code note} says what was done. */
    record Outage(long startMs, long backMs, String note) {
    }

    /** A fault: does it, and returns when its target is back. */
    interface Injector {
        Outage inject() throws Exception;
    }

    record Fault(String name, String target, long nominalMs, Injector injector) {
    }

    @BeforeAll
    void up() {
        t0 = System.currentTimeMillis();
        t = Topology.load(Path.of(System.getProperty("ntm.topologies", "../topologies")).resolve("table1.yaml"));
        // NAT types are verified by MatrixDockerIT on this very file; own artifact folder, so the
        // two ITs do not empty each other's captures.
        // relocatable (every address is read from the lab's topology): it then runs beside
        // MatrixDockerIT's lab of the same file instead of waiting for it (docs/lab.md "Parallel labs")
        lab = Lab.start(t, LabOptions.defaults().withVerifyNat(false).withRelocation(true)
                .withArtifacts(Path.of(System.getProperty("ntm.lab.artifacts", "target/lab")).resolve("faults")));
        t = lab.topology();
        lab.startNtm(180);
        dc = lab.host(server(ServerRole.DC).name());
        rs = lab.host(server(ServerRole.RS).name());
        as = lab.host(server(ServerRole.AS).name());
        dcDns = t.addresses().of(dc.name()).stream().filter(a -> a.ipv4() != null).findFirst()
                .map(a -> IpLiteral.format(a.ipv4())).orElseThrow();

        // The pairs, by their paths: NATed IPv4 -> global IPv4 is direct, IPv4 -> IPv6-only is relayed.
        List<String> nated = nodesOn(SegmentKind.IPV4_PRIVATE);
        List<String> global4 = nodesOn(SegmentKind.IPV4_GLOBAL);
        List<String> v6only = nodesOn(SegmentKind.IPV6_ONLY);
        assertThat(nated).as("nodes behind a NAT in " + t.source()).isNotEmpty();
        assertThat(global4).as("global IPv4 nodes in " + t.source()).isNotEmpty();
        assertThat(v6only).as("IPv6-only nodes in " + t.source()).isNotEmpty();
        direct = pair(nated.get(0), global4.get(0), "direct");
        relay = pair(nated.get(nated.size() > 1 ? 1 : 0), v6only.get(0), "relay");

        List<String> names = t.nodes().stream().map(Node::name).toList();
        List<String[]> others = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                String a = names.get(i);
                String b = names.get(j);
                if (samePair(a, b, direct) || samePair(a, b, relay)) {
                    continue;
                }
                ("relay".equals(PathOracle.expected(t, a, b).path()) ? fresh : others).add(new String[] {a, b});
            }
        }
        fresh.addAll(others);
        addresses = settle(System.currentTimeMillis(), new StringBuilder());
        lab.note("faults pairs direct=" + direct + " relay=" + relay + " addresses=" + addresses);
        System.out.printf(Locale.ROOT, "faults lab up in %.1f s: direct %s, relay %s%n",
                (System.currentTimeMillis() - t0) / 1e3, direct, relay);
    }

    @AfterAll
    void down() {
        pool.shutdownNow();
        if (lab != null) {
            try {
                // the nodes' event logs (registration lost/acked, tunnel down/replaced...), which the
                // container logs do not hold: the evidence when a fault does not recover
                for (Node n : t.nodes()) {
                    java.nio.file.Files.writeString(lab.artifactDir().resolve(n.name() + "-events.log"),
                            lab.host(n.name()).exec("cat /run/ntm/events.log").getStdout());
                }
            } catch (java.io.IOException | RuntimeException e) {
                System.out.println("could not copy the nodes' event logs: " + e);
            } finally {
                lab.close();
            }
        }
    }

    @Test
    void everyFaultIsRecoveredWithinBudgetWithTcpIntactAndAddressesKept() throws Exception {
        String cns = direct.cn() + ", " + relay.cn();
        List<String> nats = natsOf(direct.mn(), relay.mn());
        List<Fault> faults = List.of(
                new Fault("dc-restart", dc.name(), 3000 + 1500, () -> {
                    long start = now();
                    dc.killBackground(NtmDeployment.TAG);
                    sleepUntil(start + 3000);
                    dc.restartBackground(NtmDeployment.TAG);
                    awaitListening(dc, "u", NtmDeployment.DC_PORT);
                    return new Outage(start, now(), "SIGKILL, started again after 3 s");
                }),
                new Fault("dc-partition", dc.name(), PARTITION_SECONDS * 1000L, () -> {
                    long start = now();
                    LabFaults.partition(lab, dc);
                    try {
                        sleepUntil(start + PARTITION_SECONDS * 1000L);
                    } finally {
                        LabFaults.heal(lab, dc);
                    }
                    return new Outage(start, now(), "iptables/ip6tables DROP in and out of every lab interface for "
                            + PARTITION_SECONDS + " s");
                }),
                new Fault("rs-restart", rs.name(), 2000 + 1500, () -> {
                    long start = now();
                    rs.killBackground(NtmDeployment.TAG);
                    sleepUntil(start + 2000);
                    rs.restartBackground(NtmDeployment.TAG);
                    awaitListening(rs, "u", NtmDeployment.RS_PORT);
                    return new Outage(start, now(), "SIGKILL, started again after 2 s");
                }),
                new Fault("as-restart-then-dc-restart", as.name() + ", " + dc.name(), 2 * (2000 + 1500), () -> {
                    String keys = NtmDeployment.AS_ACCOUNTS + ".keys";
                    String before = as.execOk("stat -c '%a %s' " + keys).strip();
                    long starts = logLines(as, "ntm as listening").size();
                    long start = now();
                    as.killBackground(NtmDeployment.TAG);
                    sleepUntil(start + 2000);
                    as.restartBackground(NtmDeployment.TAG);
                    awaitListening(as, "t", NtmDeployment.AS_PORT);
                    long asBack = now();
                    // the restarted AS says how many issued keys it loaded, just after it listens
                    List<String> said = logLines(as, "ntm as listening");
                    for (long end = now() + 10_000; said.size() <= starts && now() < end; said = logLines(as,
                            "ntm as listening")) {
                        sleep(100);
                    }
                    String asLog = said.size() > starts ? said.get(said.size() - 1) : "(no start line)";
                    dc.killBackground(NtmDeployment.TAG);
                    sleepUntil(asBack + 2000);
                    dc.restartBackground(NtmDeployment.TAG);
                    awaitListening(dc, "u", NtmDeployment.DC_PORT);
                    if (!before.startsWith("600 ")) {
                        problems.add("as-restart: issued keys file " + keys + " is '" + before + "', not mode 600");
                    }
                    if (!Pattern.compile("keys=[1-9]").matcher(asLog).find()) {
                        problems.add("as-restart: the restarted AS did not load the issued keys: " + asLog);
                    }
                    return new Outage(start, now(), "AS SIGKILL, 2 s, started (" + (asBack - start)
                            + " ms; keys file mode/bytes " + before + ", '" + asLog.replaceAll(".*(keys=\\d+).*", "$1")
                            + "'), then DC SIGKILL, 2 s, started");
                }),
                new Fault("cn-restart", cns, 4000, () -> {
                    long start = now();
                    List<Future<Long>> back = new ArrayList<>();
                    for (String cn : List.of(direct.cn(), relay.cn())) {
                        back.add(pool.submit(() -> {
                            LabHost h = lab.host(cn);
                            h.killBackground(NtmDeployment.TAG);
                            h.restartBackground(NtmDeployment.TAG);
                            awaitRegistered(cn, start + LOOK_MS);
                            return now() - start;
                        }));
                    }
                    long d = back.get(0).get(LOOK_MS + 10_000, TimeUnit.MILLISECONDS);
                    long r = back.get(1).get(LOOK_MS + 10_000, TimeUnit.MILLISECONDS);
                    return new Outage(start, now(), "both CNs SIGKILLed and started again at once (new login, same"
                            + " name), registered after " + d + " / " + r + " ms");
                }),
                new Fault("dc-hung", dc.name(), 5000, () -> {
                    long start = now();
                    LabFaults.pause(lab, dc);
                    try {
                        sleepUntil(start + 5000);
                    } finally {
                        LabFaults.unpause(lab, dc);
                    }
                    return new Outage(start, now(), "docker pause for 5 s");
                }),
                new Fault("nat-mappings-lost", String.join(", ", nats), 0, () -> {
                    long start = now();
                    List<Future<String>> flushed = new ArrayList<>();
                    for (String r : nats) {
                        flushed.add(pool.submit(() -> r + " " + LabFaults.flushNatMappings(lab, lab.host(r))));
                    }
                    StringBuilder note = new StringBuilder("conntrack -F at once");
                    for (Future<String> fl : flushed) {
                        note.append(", ").append(fl.get(60, TimeUnit.SECONDS));
                    }
                    return new Outage(start, now(), note.toString());
                }));
        try {
            for (Fault f : faults) {
                long at = now();
                try {
                    run(f);
                    if (!everyNtmProcessRuns("after " + f.name())) {
                        restoreAfterFailure();
                    }
                } catch (Exception | AssertionError e) {
                    problems.add(f.name() + ": " + e);
                    e.printStackTrace();
                    everyNtmProcessRuns("after " + f.name() + " failed");
                    restoreAfterFailure();
                }
                System.out.printf(Locale.ROOT, "fault %-28s %.1f s%n", f.name(), (now() - at) / 1e3);
            }
        } finally {
            List<FaultRow> all = List.copyOf(rows);
            Path report = Path.of(System.getProperty("ntm.report", "target/ntm-report"));
            FaultReport.write(report, "Faults in the Docker lab", all);
            System.out.print(FaultReport.markdown("Faults in the Docker lab", all));
            System.out.printf(Locale.ROOT, "faults suite: %.1f s since the lab started%n", (now() - t0) / 1e3);
        }
        List<String> bad = new ArrayList<>();
        for (FaultRow r : rows) {
            if (!r.ok()) {
                bad.add(r.fault() + " / " + r.path() + ": " + String.join("; ", r.problems()) + " (" + r.note() + ")");
            }
        }
        bad.addAll(problems);
        assertThat(rows).as("one row per fault x path").hasSize(faults.size() * 2);
        assertThat(bad).as("rows outside the budget and other problems (target/ntm-report/faults.md)").isEmpty();
    }

    // ------------------------------------------------------------------ one fault

    private void run(Fault f) throws Exception {
        Map<String, String> before = addresses;
        for (Pair p : List.of(direct, relay)) {
            existingTunnel(f, p);
        }
        String[] check = freshPair();
        // long enough for the slowest recovery the suite waits for; stop-streams ends them when the fault is over
        long maxMs = STREAMS_START_MS + LEAD_MS + f.nominalMs() + LOOK_MS + 10_000;
        Map<Pair, Future<Timed>> udp = new LinkedHashMap<>();
        Map<Pair, Future<Timed>> tcp = new LinkedHashMap<>();
        long issued = now();
        for (Pair p : List.of(direct, relay)) {
            tcp.put(p, pool.submit(() -> timed(p.mn(), "tcp-stream " + p.cnV4() + " 7 " + maxMs + " " + TCP_KBPS)));
            udp.put(p, pool.submit(() -> timed(p.mn(), "udp-stream " + p.cnV4() + " 7 " + UDP_PPS + " " + maxMs + " "
                    + UDP_SIZE)));
        }
        awaitStreamsRunning(List.of(direct.mn(), relay.mn()));
        Thread.sleep(LEAD_MS);
        Outage o = f.injector().inject();
        lab.note("fault " + f.name() + " " + o);
        long back = o.backMs();

        Future<String> resolve = pool.submit(() -> freshResolve(check, back));
        Map<Pair, Future<Long>> flowing = new LinkedHashMap<>();
        for (Pair p : List.of(direct, relay)) {
            flowing.put(p, pool.submit(() -> awaitFlowing(p, back)));
        }
        StringBuilder settleNote = new StringBuilder();
        Map<String, String> after = settle(back, settleNote);
        for (Future<Long> fl : flowing.values()) {
            fl.get(LOOK_MS + 60_000, TimeUnit.MILLISECONDS);
        }
        sleepUntil(back + TAIL_MS);
        long stopAt = now();
        for (String mn : new java.util.LinkedHashSet<>(List.of(direct.mn(), relay.mn()))) {
            String r = lab.control(mn, "stop-streams");
            if (!r.startsWith("OK")) {
                problems.add(f.name() + ": stop-streams on " + mn + ": " + r);
            }
        }
        String resolved = resolve.get(LOOK_MS + 30_000, TimeUnit.MILLISECONDS);
        long resolveMs = Long.parseLong(resolved.substring(0, resolved.indexOf(' ')));
        boolean kept = after.equals(before);
        String changed = kept ? "" : "; addresses before " + before + ", after " + after;
        for (Pair p : List.of(direct, relay)) {
            Measured m = measure(f, p, o, stopAt, issued, udp.get(p).get(maxMs + 60_000, TimeUnit.MILLISECONDS),
                    tcp.get(p).get(maxMs + 180_000, TimeUnit.MILLISECONDS));
            rows.add(new FaultRow("docker", f.name(), f.target(), p.path(), back - o.startMs(), m.interruptionMs,
                    m.recoveredMs, resolveMs, m.tcpBytes, m.tcpIntact, kept, o.note() + "; " + p.mn() + "->" + p.cn()
                    + " " + m.note + "; " + resolved.substring(resolved.indexOf(' ') + 1) + settleNote + changed));
        }
        addresses = after;
    }

    /**
     * Until every stream issued on these MNs is sending (two per pair: the TCP stream counts
     * from its connect, which may need a new tunnel after the previous fault), at most 20 s:
     * the fault must come after the streams began, or the row would not measure it.
     */
    private void awaitStreamsRunning(List<String> mns) throws InterruptedException {
        Map<String, Integer> expected = new LinkedHashMap<>();
        mns.forEach(mn -> expected.merge(mn, 2, Integer::sum));
        long deadline = now() + STREAMS_START_MS;
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            while (now() < deadline) {
                String r = lab.control(e.getKey(), "streams");
                if (r.startsWith("OK running=") && Integer.parseInt(r.substring(11).strip()) >= e.getValue()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
    }

    /** A control reply and when it came (wall clock). */
    record Timed(String reply, long atMs) {
    }

    private Timed timed(String node, String command) {
        String r = lab.control(node, command);
        return new Timed(r, now());
    }

    /** What one pair's streams saw. */
    record Measured(long interruptionMs, long recoveredMs, long tcpBytes, boolean tcpIntact, String note) {
    }

    /**
     * The pair's row from its streams' replies. The UDP stream ran from before the fault until
     * {@code stopAt} (the lab settled and data flowed again, or the look-out ended): its longest
     * silence is the interruption, and when that silence ended, relative to the target's return,
     * is the recovery; a stream silent at its end never recovered.
     */
    private Measured measure(Fault f, Pair p, Outage o, long stopAt, long issued, Timed udpT, Timed tcpT)
            throws Exception {
        String udp = udpT.reply();
        String tag = f.name() + " / " + p.path() + ": ";
        if (!udp.startsWith("OK")) {
            problems.add(tag + "udp-stream failed: " + udp);
            return new Measured(-1, -1, 0, false, "udp-stream: " + udp);
        }
        long s0 = (long) num(udp, "startEpochMs");
        double maxGap = num(udp, "maxGapMs");
        double lastEcho = num(udp, "lastEchoAtMs");
        long lastEchoAt = Double.isNaN(lastEcho) ? s0 : s0 + Math.round(lastEcho);
        StringBuilder note = new StringBuilder(String.format(Locale.ROOT,
                "udp %d/%d back, longest gap %.0f ms from +%.0f ms (fault at +%d, back at +%d)",
                (long) num(udp, "received"), (long) num(udp, "sent"), maxGap, num(udp, "maxGapAtMs"),
                o.startMs() - s0, o.backMs() - s0));
        if (num(udp, "corrupted") > 0) {
            problems.add(tag + "corrupted UDP echoes: " + udp);
        }
        if (s0 >= o.startMs()) {
            problems.add(tag + "the UDP stream started " + (s0 - o.startMs()) + " ms after the fault (raise LEAD_MS)");
        }
        long interruption;
        long recovered;
        if (stopAt - lastEchoAt >= STOPPED_MS) {
            // silent from its last echo to the stop: data never came back within the look-out
            interruption = Math.max(Math.round(maxGap), stopAt - lastEchoAt);
            recovered = -1;
            note.append(", silent for the last ").append(stopAt - lastEchoAt).append(" ms");
        } else {
            interruption = Math.round(maxGap);
            long gapEnd = s0 + Math.round(num(udp, "maxGapAtMs") + maxGap);
            recovered = maxGap >= STOPPED_MS ? Math.max(0, gapEnd - o.backMs()) : 0;
        }

        String tcp = tcpT.reply();
        boolean intact = tcp.startsWith("OK") && tcp.contains("intact=true")
                && field(tcp, "received").equals(field(tcp, "bytes"));
        long bytes = received(tcp);
        // when the stream began, on the node's clock (the containers share the host's): not the
        // reply's arrival minus its duration, which adds the docker exec's own delay on a busy host
        double tcpStart = num(tcp, "startEpochMs");
        if (issued > o.startMs() || !Double.isNaN(tcpStart) && (long) tcpStart > o.startMs()) {
            problems.add(tag + "the TCP stream did not start before the fault: " + tcp);
        }
        if (f.name().equals("cn-restart")) {
            // the CN's TCP connections died with its process: the old stream ends, a new one must work
            note.append("; old TCP stream (its CN died): ").append(tcp.replaceAll(" (ms|startEpochMs)=\\S+", ""))
                    .append("; new connection checked");
            String again = lab.control(p.mn(), "tcp-echo " + p.cnV4() + " 7 " + TCP_CHECK_BYTES);
            intact = again.startsWith("OK") && again.contains("intact=true")
                    && field(again, "received").equals(String.valueOf(TCP_CHECK_BYTES));
            bytes = received(again);
            if (!intact) {
                note.append(": ").append(again);
            }
        } else if (!intact) {
            note.append("; TCP: ").append(tcp);
        }
        return new Measured(interruption, recovered, bytes, intact, note.toString());
    }

    /**
     * From the target's return until the MN's tunnel to the pair's CN carries data again: its
     * rxPackets (summed over the rows for that peer, a replaced tunnel included) grow by at least
     * 20 between two looks 300 ms or more apart (the UDP stream alone brings 30). Only a trigger
     * for stopping the streams; what the row says comes from the streams. Returns when it saw
     * that, or the look-out's end.
     */
    private long awaitFlowing(Pair p, long back) {
        long lastRx = -1;
        long lastAt = 0;
        while (now() < back + LOOK_MS) {
            long at = now();
            long rx = lab.control(p.mn()).tunnels().stream().filter(row -> p.cnFqdn().equals(row.peer()))
                    .mapToLong(NodeControl.TunnelRow::rxPackets).sum();
            if (lastRx >= 0 && at - lastAt >= 300 && rx - lastRx >= 20) {
                return at;
            }
            if (lastRx < 0 || at - lastAt >= 300) {
                lastRx = rx;
                lastAt = at;
            }
            sleep(100);
        }
        return -1;
    }

    /** The pair's tunnel from before the fault (resolve returns an up tunnel at once); its path must be the pair's. */
    private void existingTunnel(Fault f, Pair p) throws InterruptedException {
        String r = "";
        for (long end = now() + 10_000; now() < end; Thread.sleep(200)) {
            r = lab.control(p.mn(), "resolve " + p.cnFqdn());
            if (r.startsWith("OK")) {
                break;
            }
        }
        if (!r.startsWith("OK") || !p.path().equals(new NodeControl.Reply(r).field("path").orElse(null))) {
            problems.add("before " + f.name() + ": " + p.mn() + " -> " + p.cn() + " should have a " + p.path()
                    + " tunnel: " + r);
        }
    }

    /** Takes the next pair of nodes that have no tunnel between them (checked in both tables). */
    private String[] freshPair() {
        while (!fresh.isEmpty()) {
            String[] c = fresh.remove(0);
            if (lab.control(c[0]).tunnel(fqdn(c[1])).isEmpty() && lab.control(c[1]).tunnel(fqdn(c[0])).isEmpty()) {
                return c;
            }
        }
        throw new AssertionError("no pair of nodes without a tunnel left in " + t.source() + " for the resolve check");
    }

    /**
     * From the target's return, {@code resolve} between two nodes with no tunnel yet, retried
     * until it works. Returns "{@code <ms> resolve a->b path=..}", ms -1 if it never did.
     */
    private String freshResolve(String[] c, long back) throws InterruptedException {
        String r = "";
        int tries = 0;
        while (now() < back + LOOK_MS) {
            r = lab.control(c[0], "resolve " + fqdn(c[1]));
            tries++;
            if (r.startsWith("OK")) {
                return (now() - back) + " new resolve " + c[0] + "->" + c[1] + " " + new NodeControl.Reply(r).field("path").orElse("?")
                        + (tries > 1 ? " (try " + tries + ")" : "");
            }
            Thread.sleep(100);
        }
        return "-1 new resolve " + c[0] + "->" + c[1] + " never worked: " + r;
    }

    /**
     * Waits until the lab is quiet again: every node says {@code registered=true} and the DC's DNS
     * answers every node's name with the virtual address the node has (a restarted DC knows a
     * node only once it registered again). Returns every node's addresses; a lab that does not
     * settle within the look-out is a problem.
     */
    private Map<String, String> settle(long back, StringBuilder note) {
        Map<String, String> last = Map.of();
        String why = "";
        while (true) {
            Map<String, Future<String>> status = new LinkedHashMap<>();
            for (Node n : t.nodes()) {
                status.put(n.name(), pool.submit(() -> lab.control(n.name(), "status")));
            }
            StringBuilder dig = new StringBuilder();
            for (Node n : t.nodes()) {
                dig.append("echo ").append(n.fqdn()).append(" $(dig +short +time=1 +tries=1 @").append(dcDns)
                        .append(' ').append(n.fqdn()).append(" A);");
            }
            String dns = dc.exec(dig.toString()).getStdout();
            Map<String, String> now = new LinkedHashMap<>();
            why = "";
            for (Node n : t.nodes()) {
                String s;
                try {
                    s = status.get(n.name()).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    s = "ERR " + e;
                }
                if (!s.contains("registered=true")) {
                    why += " " + n.name() + ": " + s;
                    continue;
                }
                NodeControl.Reply reply = new NodeControl.Reply(s);
                String v4 = reply.field("v4").orElse(null);
                now.put(n.name(), v4 + " " + reply.field("v6").orElse(null));
                if (!dns.contains(n.fqdn() + " " + v4 + "\n")) {
                    why += " DC's DNS for " + n.fqdn() + " is not " + v4;
                }
            }
            last = now;
            if (why.isEmpty()) {
                note.append("; lab settled ").append(now() - back).append(" ms after the return");
                return now;
            }
            if (now() > back + LOOK_MS) {
                problems.add("lab did not settle within " + LOOK_MS + " ms of the return:" + why);
                note.append("; lab NOT settled:").append(why);
                return last;
            }
            sleep(250);
        }
    }

    /**
     * Whether the ntm process of every server and node runs: the suite restarts what it kills
     * before it measures, so a process found dead here was killed by something else (another
     * user's {@code pkill} on the host sees the containers' processes too), which is a problem
     * of its own, named, and not a fault that did not recover.
     */
    private boolean everyNtmProcessRuns(String when) {
        List<String> dead = new ArrayList<>();
        for (LabHost h : lab.hosts()) {
            if (h.kind() != LabHost.Kind.ROUTER && h.kind() != LabHost.Kind.HELPER
                    && !h.backgroundAlive(NtmDeployment.TAG)) {
                dead.add(h.name());
            }
        }
        if (!dead.isEmpty()) {
            problems.add(when + ": the ntm process of " + dead + " is gone though this suite did not kill it"
                    + " (killed from outside the lab? see " + lab.artifactDir() + "/<host>.log)");
        }
        return dead.isEmpty();
    }

    /** After a fault that threw: the DC unpaused and healed, every ntm process running. */
    private void restoreAfterFailure() {
        try {
            dc.unpause();
        } catch (RuntimeException e) {
            // it was not paused
        }
        try {
            LabFaults.heal(lab, dc);
        } catch (RuntimeException e) {
            // no partition rules
        }
        for (LabHost h : lab.hosts()) {
            if (h.kind() != LabHost.Kind.ROUTER && h.kind() != LabHost.Kind.HELPER
                    && !h.backgroundAlive(NtmDeployment.TAG)) {
                h.restartBackground(NtmDeployment.TAG);
            }
        }
        addresses = settle(now(), new StringBuilder());
    }

    // ------------------------------------------------------------------ waits

    /** Until {@code host} listens on {@code port} ("u" UDP, "t" TCP), its process alive; about 60 s at most. */
    private static void awaitListening(LabHost host, String proto, int port) {
        host.execOk("for i in $(seq 1200); do ss -Hl" + proto + "n | grep -q ':" + port + " ' && exit 0;"
                + " sleep 0.05; done; echo 'not listening on " + port + "'; exit 1");
    }

    private void awaitRegistered(String node, long deadline) {
        String s = "";
        while (now() < deadline) {
            s = lab.control(node, "status");
            if (s.contains("registered=true")) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError(node + " not registered again: " + s);
    }

    private static List<String> logLines(LabHost h, String containing) {
        return h.container().getLogs().lines().filter(l -> l.contains(containing)).toList();
    }

    // ------------------------------------------------------------------ topology

    private Server server(ServerRole role) {
        return t.servers().stream().filter(s -> s.role() == role).findFirst().orElseThrow();
    }

    private List<String> nodesOn(SegmentKind kind) {
        return t.nodes().stream().filter(n -> t.segment(n.segment()).orElseThrow().kind() == kind).map(Node::name)
                .toList();
    }

    private List<String> natsOf(String... nodes) {
        List<String> out = new ArrayList<>();
        for (String n : nodes) {
            t.gatewayOf(t.node(n).orElseThrow().segment()).map(Router::name).filter(r -> !out.contains(r))
                    .ifPresent(out::add);
        }
        return out;
    }

    private Pair pair(String mn, String cn, String path) {
        assertThat(PathOracle.expected(t, mn, cn).path()).as(mn + " -> " + cn + " by the rule table").isEqualTo(path);
        String r = lab.control(mn, "resolve " + fqdn(cn));
        assertThat(r).as("resolve " + mn + " -> " + cn).startsWith("OK").contains("path=" + path);
        return new Pair(mn, cn, fqdn(cn), path, new NodeControl.Reply(r).field("v4").orElseThrow());
    }

    private static boolean samePair(String a, String b, Pair p) {
        return a.equals(p.mn()) && b.equals(p.cn()) || a.equals(p.cn()) && b.equals(p.mn());
    }

    private String fqdn(String node) {
        return t.node(node).orElseThrow().fqdn();
    }

    // ------------------------------------------------------------------ small things

    private static long now() {
        return System.currentTimeMillis();
    }

    private static void sleepUntil(long epochMs) throws InterruptedException {
        long d = epochMs - now();
        if (d > 0) {
            Thread.sleep(d);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static double num(String reply, String key) {
        return new NodeControl.Reply(reply).num(key);
    }

    private static String field(String reply, String key) {
        return new NodeControl.Reply(reply).field(key).orElse("");
    }

    private static long received(String tcpReply) {
        String r = field(tcpReply, "received");
        return r.isEmpty() ? 0 : Long.parseLong(r);
    }
}
