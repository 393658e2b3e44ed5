package org.ntmlab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the send and receive benchmarks with JMH's GC profiler and prints the paper's
 * Table 2 (section 5.2) beside our numbers: rows virtual IP / encryption (decryption) /
 * MAC (verify) / other / kernel / total, per 1,024-byte UDP payload. Also writes
 * {@code table2.md} and {@code table2.json} to {@code target/ntm-report/} (or {@code --out DIR}).
 *
 * <p>"other" is not measured on its own: it is the whole pipeline minus the measured parts
 * (NTM header, buffer handling, header precheck, replay window, and what the parts lose or
 * gain when run together), as the paper's "other" is what remains of its total.
 *
 * <p>Usage: {@code java -jar ntm-bench/target/benchmarks.jar [--quick] [--out DIR]}.
 * About 3 minutes on 2 cores; {@code --quick} (about 1 minute) is for trying the harness.
 */
public final class Table2Report {

    /** Paper Table 2, microseconds per 1,024-byte UDP packet (NTMfw on a 2-core 2.8 GHz VM host). */
    static final Map<String, Double> PAPER = Map.ofEntries(
            Map.entry("send.virtualIp", 1250.0), Map.entry("send.crypt", 1227.0), Map.entry("send.mac", 106.0),
            Map.entry("send.other", 372.0), Map.entry("send.kernel", 160.0), Map.entry("send.total", 3116.0),
            Map.entry("receive.virtualIp", 1020.0), Map.entry("receive.crypt", 1117.0),
            Map.entry("receive.mac", 92.0), Map.entry("receive.other", 651.0), Map.entry("receive.kernel", 226.0),
            Map.entry("receive.total", 3106.0));

    /** The aim: all NTM processing (everything but the kernel) under 2 us per packet and direction. */
    static final double AIM_US = 2.0;

    private Table2Report() {
    }

    /**
     * One JMH result (sample-time mode): median and mean ns per operation, the 90th
     * percentile, and bytes allocated per op (NaN if unknown). The tables use the median: the
     * machine is shared, and a thread preempted in the middle of one sample inflates the
     * mean but not the median.
     */
    record Measured(String name, double p50Ns, double meanNs, double p90Ns, double allocBytes) {
        double us() {
            return p50Ns / 1000.0;
        }
    }

    /** One table row: the paper's value (or NaN), ours in us, how it was obtained, allocation (or NaN). */
    record Row(String label, double paperUs, double oursUs, String source, double allocBytes) {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        boolean whatIf = false;
        Path out = Path.of("target", "ntm-report");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--what-if" -> whatIf = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: java -jar benchmarks.jar [--quick] [--what-if] [--out DIR]\n"
                            + "       (JMH's own CLI: java -cp benchmarks.jar org.openjdk.jmh.Main -h)");
                    System.exit(2);
                }
            }
        }
        ChainedOptionsBuilder opt = new OptionsBuilder()
                .include(SendBenchmarks.class.getName() + "\\.")
                .include(ReceiveBenchmarks.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .forks(1)
                .shouldFailOnError(true);
        if (whatIf) {
            opt.include(HeapBufferBenchmarks.class.getName() + "\\.");
        }
        if (quick) {
            opt.warmupIterations(2).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
        } else {
            opt.warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        }
        String loadBefore = loadAverage();
        Collection<RunResult> results = new Runner(opt.build()).run();

        Map<String, Measured> m = new LinkedHashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String cls = full.substring(0, full.lastIndexOf('.'));
            String method = full.substring(full.lastIndexOf('.') + 1);
            String key = (cls.endsWith("SendBenchmarks") ? "send." : cls.endsWith("ReceiveBenchmarks") ? "receive."
                    : "heap.") + withSuite(method, r.getParams().getParam("suite"));
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            var stats = r.getPrimaryResult().getStatistics();
            m.put(key, new Measured(key, stats.getPercentile(50), stats.getMean(), stats.getPercentile(90),
                    alloc == null ? Double.NaN : alloc.getScore()));
        }
        String md = markdown(m, quick, loadBefore, loadAverage());
        System.out.println();
        System.out.println(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("table2.md"), md, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("table2.json"), json(m, quick), StandardCharsets.UTF_8);
        System.out.println("written: " + out.resolve("table2.md") + ", " + out.resolve("table2.json"));
    }

    /** The AEAD suites shown in their own tables: name suffix of their benchmarks, and title. */
    static final String[][] AEAD_SUITES = {
        {"Gcm", "default suite (AES-128-GCM)", "AES-GCM", "gcm"},
        {"ChaCha", "ChaCha20-Poly1305 suite (pure Java, RFC 8439)", "ChaCha20-Poly1305", "chacha20Poly1305"},
    };

    /**
     * A per-suite benchmark's name in the report: the method with the suite as a suffix
     * (seal + AES_128_GCM = sealGcm; sealHeap + CHACHA20_POLY1305 = sealChaChaHeap), the
     * names these benchmarks had when each suite had its own method.
     */
    static String withSuite(String method, String suite) {
        if (suite == null) {
            return method;
        }
        String s = switch (CipherSuite.valueOf(suite)) {
            case AES_128_CBC_HMAC_SHA256 -> "Cbc";
            case AES_128_GCM -> "Gcm";
            case CHACHA20_POLY1305 -> "ChaCha";
        };
        return method.endsWith("Heap") ? method.substring(0, method.length() - 4) + s + "Heap" : method + s;
    }

    /** The paper-layout rows for one direction, paper-compatible suite (CBC + HMAC). */
    static Row[] paperRows(Map<String, Measured> m, String dir) {
        boolean send = dir.equals("send");
        Measured vip = m.get(dir + ".virtualIp");
        Measured crypt = m.get(send ? "send.encryptCbc" : "receive.decryptCbc");
        Measured mac = m.get(send ? "send.macCbc" : "receive.macVerifyCbc");
        Measured kernel = m.get(send ? "send.kernelSend" : "receive.kernelReceive");
        Measured total = m.get(dir + ".pipelineCbc");
        double other = total.us() - vip.us() - crypt.us() - mac.us() - kernel.us();
        return new Row[] {
            row("virtual IP", dir + ".virtualIp", vip),
            row(send ? "encryption" : "decryption", dir + ".crypt", crypt),
            row(send ? "MAC" : "MAC verify", dir + ".mac", mac),
            new Row("other", PAPER.get(dir + ".other"), other, "total - parts", Double.NaN),
            row("kernel (Linux)", dir + ".kernel", kernel),
            row("total", dir + ".total", total),
        };
    }

    /**
     * The same breakdown with an AEAD suite ({@link #AEAD_SUITES}: suffix and name), where
     * encryption and MAC are one pass.
     */
    static Row[] aeadRows(Map<String, Measured> m, String dir, String suffix, String name) {
        boolean send = dir.equals("send");
        Measured vip = m.get(dir + ".virtualIp");
        Measured aead = m.get(send ? "send.seal" + suffix : "receive.open" + suffix);
        Measured kernel = m.get(send ? "send.kernelSend" : "receive.kernelReceive");
        Measured total = m.get(dir + ".pipeline" + suffix);
        double other = total.us() - vip.us() - aead.us() - kernel.us();
        return new Row[] {
            new Row("virtual IP", Double.NaN, vip.us(), vip.name(), vip.allocBytes()),
            new Row(name + (send ? " seal (whole TrafficKey.seal)" : " open (whole TrafficKey.open)"),
                    Double.NaN, aead.us(), aead.name(), aead.allocBytes()),
            new Row("other", Double.NaN, other, "total - parts", Double.NaN),
            new Row("kernel (Linux)", Double.NaN, kernel.us(), kernel.name(), kernel.allocBytes()),
            new Row("total", Double.NaN, total.us(), total.name(), total.allocBytes()),
        };
    }

    private static Row row(String label, String paperKey, Measured x) {
        return new Row(label, PAPER.get(paperKey), x.us(), x.name(), x.allocBytes());
    }

    static String markdown(Map<String, Measured> m, boolean quick, String loadBefore, String loadAfter) {
        StringBuilder b = new StringBuilder();
        b.append("# Table 2: processing time of one 1,024-byte UDP packet (us)\n\n");
        b.append(environment(quick)).append(" Load average (1/5/15 min) before: ").append(loadBefore)
                .append(", after: ").append(loadAfter).append(" (other processes share the CPUs).\n\n");
        for (String dir : new String[] {"send", "receive"}) {
            Row[] rows = paperRows(m, dir);
            b.append("## ").append(dir.equals("send") ? "Send" : "Receive")
                    .append(", paper-compatible suite (AES-128-CBC + HMAC-SHA-256)\n\n");
            b.append("| item | paper (us) | ours (us) | ratio (paper/ours) | alloc (B/op) | measured by |\n");
            b.append("|---|---:|---:|---:|---:|---|\n");
            for (Row r : rows) {
                b.append("| ").append(r.label()).append(" | ").append(fmt(r.paperUs(), 0)).append(" | ")
                        .append(fmt(r.oursUs(), 3)).append(" | ").append(ratio(r.paperUs(), r.oursUs())).append(" | ")
                        .append(fmt(r.allocBytes(), 0)).append(" | ").append(r.source()).append(" |\n");
            }
            Row total = rows[rows.length - 1];
            Row kernel = rows[rows.length - 2];
            b.append(ntmLine(total.oursUs() - kernel.oursUs(), total.paperUs() - kernel.paperUs()));
            b.append("\n");
        }
        for (String[] suite : AEAD_SUITES) {
            for (String dir : new String[] {"send", "receive"}) {
                Row[] rows = aeadRows(m, dir, suite[0], suite[2]);
                b.append("## ").append(dir.equals("send") ? "Send" : "Receive").append(", ").append(suite[1])
                        .append("\n\n");
                b.append("| item | ours (us) | alloc (B/op) | measured by |\n|---|---:|---:|---|\n");
                for (Row r : rows) {
                    b.append("| ").append(r.label()).append(" | ").append(fmt(r.oursUs(), 3)).append(" | ")
                            .append(fmt(r.allocBytes(), 0)).append(" | ").append(r.source()).append(" |\n");
                }
                b.append(ntmLine(rows[rows.length - 1].oursUs() - rows[rows.length - 2].oursUs(), Double.NaN));
                b.append("\n");
            }
        }
        b.append("## All benchmarks (JMH sample time, GC profiler)\n\n");
        b.append("| benchmark | median (ns/op) | mean (ns/op) | p90 (ns/op) | alloc (B/op) |\n|---|---:|---:|---:|---:|\n");
        for (Measured x : m.values()) {
            b.append("| ").append(x.name()).append(" | ").append(fmt(x.p50Ns(), 0)).append(" | ")
                    .append(fmt(x.meanNs(), 0)).append(" | ").append(fmt(x.p90Ns(), 0)).append(" | ")
                    .append(fmt(x.allocBytes(), 1)).append(" |\n");
        }
        b.append("\n\"other\" = total - the other rows (not timed on its own; may be slightly negative within noise).\n");
        b.append("heap.* (only with --what-if): TrafficKey.seal/open with heap instead of direct buffers.\n");
        b.append("seal*/open*/pipeline*: one JMH benchmark each (seal, open, pipeline) with parameter suite;"
                + " Cbc = AES_128_CBC_HMAC_SHA256, Gcm = AES_128_GCM, ChaCha = CHACHA20_POLY1305.\n");
        return b.toString();
    }

    private static String ntmLine(double ntmUs, double paperNtmUs) {
        String paper = Double.isNaN(paperNtmUs) ? "" : " (paper: " + fmt(paperNtmUs, 0) + " us)";
        return "\nNTM processing (total - kernel): **" + fmt(ntmUs, 3) + " us**" + paper + "; aim < "
                + fmt(AIM_US, 0) + " us: " + (ntmUs < AIM_US ? "met" : "NOT met") + "\n";
    }

    private static String environment(boolean quick) {
        return "Measured " + Instant.now() + " on " + cpu() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; JMH "
                + (quick ? "QUICK run (2 x 0.5 s warm-up, 2 x 0.5 s measured)" : "5 x 1 s warm-up, 3 x 1 s measured")
                + ", sample-time mode, ours = median per packet"
                + ", 1 fork per benchmark. Paper: Ubuntu 14.04, 2 cores 2.8 GHz, getrusage, mean of 1,000 packets.";
    }

    /** /proc/loadavg's first three fields: a busy machine inflates every number here. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** table2.json: the rows of every table and every benchmark, numbers with 4 decimals (null if unknown). */
    static String json(Map<String, Measured> m, boolean quick) {
        return ReportJson.write(Integer.MAX_VALUE, (g, layout) -> {
            g.writeStartObject();
            g.writeStringField("unit", "us per 1024-byte UDP packet");
            g.writeBooleanField("quick", quick);
            g.writeStringField("java", System.getProperty("java.vm.version"));
            g.writeStringField("cpu", cpu());
            for (int s = -1; s < AEAD_SUITES.length; s++) {
                String[] aead = s < 0 ? null : AEAD_SUITES[s];
                g.writeObjectFieldStart(aead == null ? "cbcHmac" : aead[3]);
                for (String dir : new String[] {"send", "receive"}) {
                    g.writeArrayFieldStart(dir);
                    for (Row r : aead == null ? paperRows(m, dir) : aeadRows(m, dir, aead[0], aead[2])) {
                        g.writeStartObject();
                        g.writeStringField("item", r.label());
                        ReportJson.number(g, "paperUs", r.paperUs(), 4);
                        ReportJson.number(g, "oursUs", r.oursUs(), 4);
                        ReportJson.number(g, "ratio", r.paperUs() / r.oursUs(), 4);
                        ReportJson.number(g, "allocBytesPerOp", r.allocBytes(), 4);
                        g.writeStringField("source", r.source());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeArrayFieldStart("benchmarks");
            for (Measured x : m.values()) {
                g.writeStartObject();
                g.writeStringField("name", x.name());
                ReportJson.number(g, "medianNs", x.p50Ns(), 4);
                ReportJson.number(g, "meanNs", x.meanNs(), 4);
                ReportJson.number(g, "p90Ns", x.p90Ns(), 4);
                ReportJson.number(g, "allocBytesPerOp", x.allocBytes(), 4);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String ratio(double paper, double ours) {
        if (Double.isNaN(paper) || ours <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,.0fx", paper / ours);
    }
}
