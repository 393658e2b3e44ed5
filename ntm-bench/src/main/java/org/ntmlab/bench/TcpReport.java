package org.ntmlab.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.stack.tcp.TcpStats;

/**
 * Issue 3's TCP benchmark, from one run in one JVM: bulk throughput and 1-byte round trips
 * of the virtual TCP through an NTM tunnel (two in-process nodes on loopback, kernel UDP)
 * beside the same for kernel TCP on loopback, and the ceiling the kernel's UDP datagram
 * rate puts on any TCP carried in it: datagrams/s of the tunnel's full size x MSS.
 *
 * <p>Bulk trials, UDP-rate trials and the three round-trip kinds are interleaved, so a
 * change in machine load (the machine is shared) hits all of them alike; the report gives
 * medians and the load average before and after. Output: console, {@code tcp.md} and
 * {@code tcp.json} in {@code target/ntm-report/} (or {@code --out DIR}).
 *
 * <p>Usage: {@code java -cp ntm-bench/target/benchmarks.jar org.ntmlab.bench.TcpReport
 * [--quick] [--what-if] [--mib N] [--trials N] [--rr N] [--out DIR]}. {@code --what-if} adds a third
 * bulk stream: NTM through a second node pair whose UDP sockets keep the kernel's default
 * buffers (~208 KiB) instead of {@link org.ntmlab.ntm.transport.KernelNetwork#SOCKET_BUFFER}.
 */
public final class TcpReport {

    /** The aim: TCP through the tunnel at least at this share of the UDP ceiling. */
    static final double AIM_PERCENT = 70.0;
    static final int NTM_BULK_PORT = 5001;
    static final int NTM_RR_PORT = 5002;
    /** Datagrams the paced UDP sender may be ahead of its receiver: well inside the default receive buffer. */
    static final int UDP_PACING_WINDOW = 64;

    /** What to run; {@link #standard()} is the documented run. */
    record Settings(long bulkBytes, long warmupBytes, int trials, int rrWarmup, int rrSamples, long udpWarmupNanos,
                    long udpWindowNanos, boolean quick, boolean whatIf) {

        static Settings standard() {
            return new Settings(128L << 20, 64L << 20, 5, 5_000, 20_000, 300_000_000L, 1_000_000_000L, false, false);
        }

        static Settings quickRun() {
            return new Settings(8L << 20, 8L << 20, 2, 500, 2_000, 100_000_000L, 300_000_000L, true, false);
        }
    }

    /** Median, min and max of one measured quantity over trials. */
    record Summary(double median, double min, double max, int n) {
        static Summary of(List<Double> v) {
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
            return new Summary(med, a[0], a[a.length - 1], a.length);
        }
    }

    /** Round-trip latency percentiles in microseconds over all measured samples. */
    record Latency(double p50, double p90, double p99, double mean, int n) {
        static Latency of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            double mean = Arrays.stream(s).average().orElse(Double.NaN);
            return new Latency(pct(s, 50) / 1e3, pct(s, 90) / 1e3, pct(s, 99) / 1e3, mean / 1e3, s.length);
        }

        private static double pct(long[] sorted, double p) {
            int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    /** Everything one run measured. Throughputs in MB/s (10^6 bytes), rates in datagrams/s. */
    record Result(Settings settings, String loadBefore, String loadAfter, int datagramSize, int mss,
                  Summary udpSent, Summary udpReceived, Summary udpPaced, Summary kernelMBps, Summary ntmMBps,
                  Summary ntmBufferedMBps, long bufferedDrops,
                  Latency kernelRr, Latency ntmRr, Latency ntmRrLoopEcho,
                  Map<String, Long> ntmCounters, Map<String, Double> cpuPercent, Map<String, Double> limits,
                  long gcCount, long gcMillis) {

        /** The better of the unpaced and paced delivery rates: the higher ceiling, the harder the aim. */
        double ceilingDatagramsPerSecond() {
            return Math.max(udpReceived.median(), udpPaced.median());
        }

        double ceilingMBps() {
            return ceilingDatagramsPerSecond() * mss / 1e6;
        }

        double percentOfCeiling() {
            return 100 * ntmMBps.median() / ceilingMBps();
        }
    }

    private TcpReport() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.standard();
        Path out = Path.of("target", "ntm-report");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> s = Settings.quickRun();
                case "--mib" -> s = withBulk(s, Long.parseLong(args[++i]) << 20);
                case "--trials" -> s = withTrials(s, Integer.parseInt(args[++i]));
                case "--rr" -> s = withRr(s, Integer.parseInt(args[++i]));
                case "--out" -> out = Path.of(args[++i]);
                case "--what-if" -> s = new Settings(s.bulkBytes(), s.warmupBytes(), s.trials(), s.rrWarmup(),
                        s.rrSamples(), s.udpWarmupNanos(), s.udpWindowNanos(), s.quick(), true);
                default -> {
                    System.err.println("usage: java -cp benchmarks.jar org.ntmlab.bench.TcpReport"
                            + " [--quick] [--what-if] [--mib N] [--trials N] [--rr SAMPLES] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        Result r = run(s, System.err);
        String md = markdown(r);
        System.out.println();
        System.out.println(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("tcp.md"), md, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("tcp.json"), json(r), StandardCharsets.UTF_8);
        System.out.println("written: " + out.resolve("tcp.md") + ", " + out.resolve("tcp.json"));
        System.exit(0); // node loops are daemon threads, but do not wait for stray sockets
    }

    private static Settings withBulk(Settings s, long bytes) {
        return new Settings(bytes, Math.min(bytes, s.warmupBytes()), s.trials(), s.rrWarmup(), s.rrSamples(),
                s.udpWarmupNanos(), s.udpWindowNanos(), s.quick(), s.whatIf());
    }

    private static Settings withTrials(Settings s, int n) {
        return new Settings(s.bulkBytes(), s.warmupBytes(), n, s.rrWarmup(), s.rrSamples(), s.udpWarmupNanos(),
                s.udpWindowNanos(), s.quick(), s.whatIf());
    }

    private static Settings withRr(Settings s, int n) {
        return new Settings(s.bulkBytes(), s.warmupBytes(), s.trials(), s.rrWarmup(), n, s.udpWarmupNanos(),
                s.udpWindowNanos(), s.quick(), s.whatIf());
    }

    /** Runs every measurement; {@code log} gets one progress line per step. */
    static Result run(Settings s, java.io.PrintStream log) throws Exception {
        String loadBefore = Table2Report.loadAverage();
        int datagram = TunnelPair.fullDatagram();
        int mss = TunnelPair.mss();
        List<Double> udpSent = new ArrayList<>();
        List<Double> udpReceived = new ArrayList<>();
        List<Double> udpPaced = new ArrayList<>();
        Map<String, Double> limits = new LinkedHashMap<>();
        List<Double> kernelMBps = new ArrayList<>();
        List<Double> ntmMBps = new ArrayList<>();
        List<Double> bufferedMBps = new ArrayList<>();
        long bufferedDrops = 0;
        Map<String, Long> counters = new LinkedHashMap<>();
        Map<String, Double> cpu;
        long[] kernelRr = new long[s.rrSamples()];
        long[] ntmRr = new long[s.rrSamples()];
        long[] loopRr = new long[s.rrSamples()];
        long gcCount0 = gcCount();
        long gcMillis0 = gcMillis();
        try (TunnelPair t = new TunnelPair();
             BulkTransfer kernel = new BulkTransfer(SocketPair.kernel());
             SocketPair ntmPair = SocketPair.ntm(t, NTM_BULK_PORT);
             BulkTransfer ntm = new BulkTransfer(ntmPair);
             FlowSampler flow = new FlowSampler(t, ntmPair, t.b.tcp().config().receiveBufferSize());
             WhatIf whatIf = s.whatIf() ? new WhatIf() : null) {
            log.println("tunnel up: " + t.tunnel.toJson());
            // warm-up: JIT, congestion window, rings; verified byte for byte
            for (int i = 0; i < 2; i++) {
                kernel.transfer(s.warmupBytes(), true);
                ntm.transfer(s.warmupBytes(), true);
                if (whatIf != null) {
                    whatIf.bulk.transfer(s.warmupBytes(), true);
                }
            }
            UdpRate.measure(datagram, s.udpWarmupNanos(), s.udpWindowNanos()); // JIT for the UDP loops
            TcpStats sa = t.a.tcp().stats();
            TcpStats sb = t.b.tcp().stats();
            long[] before = {sa.segmentsOut(), sb.segmentsOut(), sa.retransmissions(), sa.fastRetransmits(),
                sa.timeouts(), sb.outOfOrder(), sb.duplicateSegments()};
            CpuMeter meter = CpuMeter.forNtmBulk(t, ntm.receiverThreadId());
            long ntmNanos = 0;
            long udpDrops = 0;
            for (int i = 0; i < s.trials(); i++) {
                UdpRate.Result u = UdpRate.measure(datagram, s.udpWarmupNanos(), s.udpWindowNanos());
                udpSent.add(u.sentPerSecond());
                udpReceived.add(u.receivedPerSecond());
                UdpRate.Result paced = UdpRate.measure(datagram, UDP_PACING_WINDOW, s.udpWarmupNanos(),
                        s.udpWindowNanos());
                udpPaced.add(paced.receivedPerSecond());
                long kn = kernel.transfer(s.bulkBytes(), false);
                kernelMBps.add(s.bulkBytes() * 1e3 / kn);
                long drops0 = udpReceiveBufferErrors();
                meter.start();
                flow.active(true);
                long nn = ntm.transfer(s.bulkBytes(), false);
                flow.active(false);
                meter.stop();
                udpDrops += udpReceiveBufferErrors() - drops0;
                ntmNanos += nn;
                ntmMBps.add(s.bulkBytes() * 1e3 / nn);
                log.printf(Locale.ROOT, "trial %d/%d: udp %.0f rx/s (%.0f tx/s), paced %.0f rx/s, kernel tcp %.1f MB/s,"
                        + " ntm tcp %.1f MB/s%n", i + 1, s.trials(), u.receivedPerSecond(), u.sentPerSecond(),
                        paced.receivedPerSecond(), kernelMBps.get(i), ntmMBps.get(i));
                if (whatIf != null) {
                    long d0 = udpReceiveBufferErrors();
                    bufferedMBps.add(s.bulkBytes() * 1e3 / whatIf.bulk.transfer(s.bulkBytes(), false));
                    bufferedDrops += udpReceiveBufferErrors() - d0;
                    log.printf(Locale.ROOT, "  what-if default socket buffers: ntm tcp %.1f MB/s%n", bufferedMBps.get(i));
                }
            }
            cpu = meter.percentOf(ntmNanos);
            String[] names = {"segmentsOutA", "segmentsOutB", "retransmissionsA", "fastRetransmitsA", "timeoutsA",
                "outOfOrderB", "duplicateSegmentsB"};
            long[] after = {sa.segmentsOut(), sb.segmentsOut(), sa.retransmissions(), sa.fastRetransmits(),
                sa.timeouts(), sb.outOfOrder(), sb.duplicateSegments()};
            for (int i = 0; i < names.length; i++) {
                counters.put(names[i], after[i] - before[i]);
            }
            counters.put("bytesTimed", s.bulkBytes() * s.trials());
            counters.put("udpRcvbufErrors", udpDrops);
            synchronized (flow) {
                double n = Math.max(1, flow.samples);
                limits.put("receiver app", 100 * flow.receiverLimited / n);
                limits.put("sender app", 100 * flow.senderLimited / n);
                limits.put("peer window", 100 * flow.peerWindowLimited / n);
                limits.put("cwnd", 100 * flow.cwndLimited / n);
                limits.put("mean cwnd KiB", flow.cwndSum / n / 1024);
            }

            try (RoundTrip k = new RoundTrip(SocketPair.kernel());
                 RoundTrip n = new RoundTrip(SocketPair.ntm(t, NTM_RR_PORT));
                 RoundTrip l = new RoundTrip(new NtmSocket(t.a.tcp(), t.peerV4, NtmNode.ECHO_PORT))) {
                for (int i = 0; i < s.rrWarmup(); i++) {
                    k.once();
                    n.once();
                    l.once();
                }
                int block = 1_000; // interleave in blocks: the same machine state for all three
                for (int from = 0; from < s.rrSamples(); from += block) {
                    int to = Math.min(s.rrSamples(), from + block);
                    for (int i = from; i < to; i++) {
                        kernelRr[i] = k.once();
                    }
                    for (int i = from; i < to; i++) {
                        ntmRr[i] = n.once();
                    }
                    for (int i = from; i < to; i++) {
                        loopRr[i] = l.once();
                    }
                }
                log.println("round trips done: " + s.rrSamples() + " each");
            }
        }
        return new Result(s, loadBefore, Table2Report.loadAverage(), datagram, mss, Summary.of(udpSent),
                Summary.of(udpReceived), Summary.of(udpPaced), Summary.of(kernelMBps), Summary.of(ntmMBps),
                bufferedMBps.isEmpty() ? null : Summary.of(bufferedMBps), bufferedDrops, Latency.of(kernelRr),
                Latency.of(ntmRr), Latency.of(loopRr), counters, cpu, limits, gcCount() - gcCount0, gcMillis() - gcMillis0);
    }

    /**
     * Datagrams the kernel dropped for a full socket receive queue, machine-wide
     * (/proc/net/snmp Udp RcvbufErrors; -1 where unavailable). Read around NTM transfers
     * only, when no UDP-rate test runs: other processes' drops would count too, rarely.
     */
    static long udpReceiveBufferErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            String[] head = null;
            for (String line : lines) {
                if (line.startsWith("Udp: ")) {
                    String[] f = line.split(" ");
                    if (head == null) {
                        head = f;
                    } else {
                        for (int i = 0; i < head.length; i++) {
                            if (head[i].equals("RcvbufErrors")) {
                                return Long.parseLong(f[i]);
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** The --what-if stream: a second node pair whose UDP sockets keep the kernel's default buffers. */
    private static final class WhatIf implements AutoCloseable {
        final TunnelPair pair;
        final BulkTransfer bulk;

        WhatIf() throws Exception {
            pair = new TunnelPair(new org.ntmlab.ntm.transport.KernelNetwork(0), "whatif");
            bulk = new BulkTransfer(SocketPair.ntm(pair, NTM_BULK_PORT));
        }

        @Override
        public void close() throws IOException {
            bulk.close();
            pair.close();
        }
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    /**
     * CPU time of the threads that carry the NTM transfer (the sending thread, both nodes'
     * loops, the receiving thread), summed over the timed transfers: where the cores go.
     */
    static final class CpuMeter {
        private final java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<String, Long> total = new LinkedHashMap<>();
        private final Map<String, Long> start = new LinkedHashMap<>();
        private final Map<String, Long> ids = new LinkedHashMap<>();

        /** {@code threads}: label -> thread id. */
        CpuMeter(Map<String, Long> threads) {
            ids.putAll(threads);
            ids.keySet().forEach(k -> total.put(k, 0L));
        }

        /** The threads of an NTM bulk transfer: this (sending) thread, both node loops, the receiver. */
        static CpuMeter forNtmBulk(TunnelPair t, long receiverThreadId) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("sender (app thread)", Thread.currentThread().getId());
            for (Thread th : Thread.getAllStackTraces().keySet()) {
                if (th.getName().equals(t.prefix + "-node-a")) {
                    m.put("node a loop", th.getId());
                } else if (th.getName().equals(t.prefix + "-node-b")) {
                    m.put("node b loop", th.getId());
                }
            }
            m.put("receiver (app thread)", receiverThreadId);
            return new CpuMeter(m);
        }

        void start() {
            ids.forEach((k, id) -> start.put(k, mx.getThreadCpuTime(id)));
        }

        void stop() {
            ids.forEach((k, id) -> total.merge(k, mx.getThreadCpuTime(id) - start.get(k), Long::sum));
        }

        /** Each thread's CPU time as a percentage of {@code wallNanos} (100 = one core busy). */
        Map<String, Double> percentOf(long wallNanos) {
            Map<String, Double> m = new LinkedHashMap<>();
            total.forEach((k, v) -> m.put(k, 100.0 * v / wallNanos));
            return m;
        }
    }

    // ---------------------------------------------------------------- output

    static String markdown(Result r) {
        Settings s = r.settings();
        StringBuilder b = new StringBuilder();
        b.append("# TCP over the NTM tunnel vs kernel TCP, loopback\n\n");
        b.append("Measured ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(". Load average (1/5/15 min) before: ")
                .append(r.loadBefore()).append(", after: ").append(r.loadAfter())
                .append(" (other processes share the CPUs).")
                .append(s.quick() ? " **QUICK run: harness check, numbers not meaningful.**" : "").append("\n\n");
        b.append(String.format(Locale.ROOT, "Bulk: %d trials of %s MiB one way (median, min-max), after 2 verified"
                        + " warm-up transfers of %s MiB each. Round trips: %,d samples per kind after %,d warm-up,"
                        + " interleaved in blocks of 1,000. UDP: %d trials of %.1f s. MB = 10^6 bytes.%n%n",
                s.trials(), mib(s.bulkBytes()), mib(s.warmupBytes()), s.rrSamples(), s.rrWarmup(), s.trials(),
                s.udpWindowNanos() / 1e9));
        b.append("| measurement | median | min | max | unit |\n|---|---:|---:|---:|---|\n");
        row(b, "kernel UDP datagrams/s received, " + r.datagramSize() + "-byte payload", r.udpReceived(), 1,
                "datagrams/s", 0);
        row(b, "kernel UDP datagrams/s sent (same runs)", r.udpSent(), 1, "datagrams/s", 0);
        row(b, "kernel UDP datagrams/s received, paced (<= " + UDP_PACING_WINDOW + " ahead, no drops)", r.udpPaced(), 1,
                "datagrams/s", 0);
        b.append(String.format(Locale.ROOT, "| **ceiling** = max(received/s, paced/s) x MSS %d | %,.1f | | | MB/s |%n",
                r.mss(), r.ceilingMBps()));
        row(b, "kernel TCP bulk, loopback", r.kernelMBps(), 1, "MB/s", 1);
        row(b, "kernel TCP bulk, loopback", r.kernelMBps(), 8, "Mbit/s", 0);
        row(b, "**NTM TCP bulk** (a -> b through the tunnel)", r.ntmMBps(), 1, "MB/s", 1);
        row(b, "NTM TCP bulk", r.ntmMBps(), 8, "Mbit/s", 0);
        if (r.ntmBufferedMBps() != null) {
            row(b, "what-if: NTM TCP bulk, UDP sockets with the kernel's default buffers ("
                    + String.format(Locale.ROOT, "%,d", r.bufferedDrops()) + " receive-queue drops)",
                    r.ntmBufferedMBps(), 1, "MB/s", 1);
        }
        b.append(String.format(Locale.ROOT, "%nNTM TCP bulk = **%.1f %%** of the UDP ceiling (aim >= %.0f %%: %s);"
                        + " %.1f %% of kernel TCP.%n%n", r.percentOfCeiling(), AIM_PERCENT,
                r.percentOfCeiling() >= AIM_PERCENT ? "met" : "NOT met",
                100 * r.ntmMBps().median() / r.kernelMBps().median()));
        b.append("| 1-byte round trip | p50 (us) | p90 (us) | p99 (us) | mean (us) | samples |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        lat(b, "kernel TCP, loopback (echo thread)", r.kernelRr());
        lat(b, "**NTM TCP** (echo thread on b, NtmSocket both ends)", r.ntmRr());
        lat(b, "NTM TCP to b's echo service (port 7, echoes on b's loop)", r.ntmRrLoopEcho());
        b.append("\nDuring the timed NTM transfers: CPU per thread (100 % = one core busy for the whole transfer):");
        r.cpuPercent().forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.0f %%;", k, v)));
        b.append("\nWhat held the NTM sender back (share of 0.5 ms samples during timed transfers):");
        r.limits().forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.0f%s;", k, v,
                k.endsWith("KiB") ? "" : " %")));
        Map<String, Long> c = r.ntmCounters();
        long segs = c.getOrDefault("segmentsOutA", 0L);
        long acks = c.getOrDefault("segmentsOutB", 0L);
        b.append(String.format(Locale.ROOT, "%nsegments a->b %,d (%.0f bytes each), b->a %,d (one per %.2f data"
                        + " segments); UDP datagrams dropped by a full socket receive queue %,d; retransmissions %,d"
                        + " (fast retransmits %d, timeouts %d), out-of-order at b %,d; GC: %d"
                        + " collections, %d ms over the whole run.%n",
                segs, segs == 0 ? 0.0 : (double) c.getOrDefault("bytesTimed", 0L) / segs, acks,
                acks == 0 ? 0.0 : (double) segs / acks, c.getOrDefault("udpRcvbufErrors", 0L),
                c.getOrDefault("retransmissionsA", 0L),
                c.getOrDefault("fastRetransmitsA", 0L), c.getOrDefault("timeoutsA", 0L),
                c.getOrDefault("outOfOrderB", 0L), r.gcCount(), r.gcMillis()));
        return b.toString();
    }

    private static void row(StringBuilder b, String label, Summary x, double scale, String unit, int decimals) {
        b.append("| ").append(label).append(" | ").append(fmt(x.median() * scale, decimals)).append(" | ")
                .append(fmt(x.min() * scale, decimals)).append(" | ").append(fmt(x.max() * scale, decimals))
                .append(" | ").append(unit).append(" |\n");
    }

    private static void lat(StringBuilder b, String label, Latency l) {
        b.append("| ").append(label).append(" | ").append(fmt(l.p50(), 1)).append(" | ").append(fmt(l.p90(), 1))
                .append(" | ").append(fmt(l.p99(), 1)).append(" | ").append(fmt(l.mean(), 1)).append(" | ")
                .append(String.format(Locale.ROOT, "%,d", l.n())).append(" |\n");
    }

    private static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? Long.toString(bytes >> 20) : String.format(Locale.ROOT, "%.2f", bytes / 1048576.0);
    }

    /**
     * tcp.json: every measured quantity, numbers with 3 decimals (null if unknown); one line per
     * top-level field, a few short ones grouped on a line.
     */
    static String json(Result r) {
        return ReportJson.write(1, (g, layout) -> {
            g.writeStartObject();
            g.writeBooleanField("quick", r.settings().quick());
            g.writeStringField("java", System.getProperty("java.vm.version"));
            g.writeNumberField("cpus", Runtime.getRuntime().availableProcessors());
            g.writeStringField("loadBefore", r.loadBefore());
            layout.sameLine();
            g.writeStringField("loadAfter", r.loadAfter());
            g.writeNumberField("bulkBytes", r.settings().bulkBytes());
            layout.sameLine();
            g.writeNumberField("trials", r.settings().trials());
            layout.sameLine();
            g.writeNumberField("rrSamples", r.settings().rrSamples());
            g.writeNumberField("datagramBytes", r.datagramSize());
            layout.sameLine();
            g.writeNumberField("mss", r.mss());
            summary(g, "udpReceivedPerSecond", r.udpReceived());
            summary(g, "udpSentPerSecond", r.udpSent());
            summary(g, "udpPacedReceivedPerSecond", r.udpPaced());
            ReportJson.number(g, "ceilingMBps", r.ceilingMBps(), 3);
            summary(g, "kernelTcpMBps", r.kernelMBps());
            summary(g, "ntmTcpMBps", r.ntmMBps());
            if (r.ntmBufferedMBps() != null) {
                summary(g, "whatIfNtmTcpDefaultSocketBuffersMBps", r.ntmBufferedMBps());
                layout.sameLine();
                g.writeNumberField("whatIfDefaultBuffersUdpRcvbufErrors", r.bufferedDrops());
            }
            ReportJson.number(g, "ntmPercentOfCeiling", r.percentOfCeiling(), 3);
            g.writeObjectFieldStart("roundTripUs");
            latency(g, "kernel", r.kernelRr());
            latency(g, "ntm", r.ntmRr());
            latency(g, "ntmLoopEcho", r.ntmRrLoopEcho());
            g.writeEndObject();
            g.writeObjectFieldStart("ntmCpuPercent");
            for (var e : r.cpuPercent().entrySet()) {
                ReportJson.number(g, e.getKey(), e.getValue(), 3);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("ntmLimits");
            for (var e : r.limits().entrySet()) {
                ReportJson.number(g, e.getKey(), e.getValue(), 3);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("ntmCounters");
            for (var e : r.ntmCounters().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("gcCount", r.gcCount());
            layout.sameLine();
            g.writeNumberField("gcMillis", r.gcMillis());
            g.writeEndObject();
        });
    }

    private static void summary(JsonGenerator g, String name, Summary x) throws IOException {
        g.writeObjectFieldStart(name);
        ReportJson.number(g, "median", x.median(), 3);
        ReportJson.number(g, "min", x.min(), 3);
        ReportJson.number(g, "max", x.max(), 3);
        g.writeNumberField("n", x.n());
        g.writeEndObject();
    }

    private static void latency(JsonGenerator g, String name, Latency l) throws IOException {
        g.writeObjectFieldStart(name);
        ReportJson.number(g, "p50", l.p50(), 3);
        ReportJson.number(g, "p90", l.p90(), 3);
        ReportJson.number(g, "p99", l.p99(), 3);
        ReportJson.number(g, "mean", l.mean(), 3);
        g.writeNumberField("n", l.n());
        g.writeEndObject();
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
