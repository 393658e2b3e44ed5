package org.ntmlab.pcap.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.ntmlab.pcap.decode.DecodeStats;
import org.ntmlab.pcap.decode.DecodedPacket;
import org.ntmlab.pcap.decode.NtmDetector;
import org.ntmlab.pcap.decode.PacketDecoder;
import org.ntmlab.pcap.io.CaptureReader;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.path.PathClassifier;
import org.ntmlab.pcap.path.PathReport;
import org.ntmlab.pcap.path.Roles;
import org.ntmlab.pcap.timeline.EventLog;
import org.ntmlab.pcap.timeline.HandoverAnalyzer;
import org.ntmlab.pcap.timeline.TimelineReport;

/**
 * Command line front end.
 * <pre>
 * pcap-tool summary  &lt;capture&gt;... [--list] [--ports 7300,7400] [--any-port]
 * pcap-tool paths    &lt;capture&gt;... --roles roles.properties [--json f] [--md f] [--ports ...]
 * pcap-tool timeline &lt;capture&gt;... --events events.log [--events more.log] --out dir [--ports ...]
 * </pre>
 * Exit status: 0 done, 1 a file could not be read, 2 bad usage.
 */
public final class PcapTool {
    static final String USAGE = """
            usage: pcap-tool <command> <capture>... [options]
              summary  <capture>...                        frames, protocols, NTM message counts, malformed counts
                       [--list]                            also one line per packet
              paths    <capture>... --roles <file>         NTM tunnel paths (DIRECT/RELAY) per tunnel id
                       [--json <file>] [--md <file>]       also write the report as JSON / Markdown
              timeline <capture>... --events <log> --out <dir>
                                                           handover timeline: timeline.md, timeline.json, timeline.svg
            common options:
              --ports <p,q,...>   UDP ports carrying NTM besides 7000, 7100, 7200
              --any-port          detect NTM by header shape on any UDP port
            """;

    private PcapTool() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit status instead of exiting (for tests and embedding). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("pcap-tool: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            switch (o.command) {
                case "summary" -> summary(o, out);
                case "paths" -> paths(o, out);
                case "timeline" -> timeline(o, out, err);
                default -> throw new IllegalStateException(o.command);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("pcap-tool: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("pcap-tool: " + e.getMessage());
            return 1;
        }
    }

    static final class Options {
        String command;
        final List<Path> captures = new ArrayList<>();
        final List<Path> events = new ArrayList<>();
        Path roles;
        Path out;
        Path json;
        Path md;
        boolean list;
        boolean anyPort;
        int[] ports = new int[0];

        static Options parse(String[] args) {
            if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
                throw new IllegalArgumentException("no command given");
            }
            Options o = new Options();
            o.command = args[0];
            if (!List.of("summary", "paths", "timeline").contains(o.command)) {
                throw new IllegalArgumentException("unknown command '" + o.command + "'");
            }
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--list" -> o.list = true;
                    case "--any-port" -> o.anyPort = true;
                    case "--roles" -> o.roles = Path.of(value(args, ++i, a));
                    case "--events" -> o.events.add(Path.of(value(args, ++i, a)));
                    case "--out" -> o.out = Path.of(value(args, ++i, a));
                    case "--json" -> o.json = Path.of(value(args, ++i, a));
                    case "--md" -> o.md = Path.of(value(args, ++i, a));
                    case "--ports" -> o.ports = ports(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option '" + a + "'");
                        }
                        o.captures.add(Path.of(a));
                    }
                }
            }
            if (o.captures.isEmpty()) {
                throw new IllegalArgumentException(o.command + ": give at least one capture file");
            }
            if (o.command.equals("paths") && o.roles == null) {
                throw new IllegalArgumentException("paths: --roles <file> is required (lines '<ip> = <kind>:<name>')");
            }
            if (o.command.equals("timeline") && (o.events.isEmpty() || o.out == null)) {
                throw new IllegalArgumentException("timeline: --events <log> and --out <dir> are required");
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int[] ports(String s) {
            try {
                int[] p = java.util.Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                for (int x : p) {
                    if (x < 1 || x > 65535) {
                        throw new NumberFormatException();
                    }
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ports wants comma-separated port numbers 1-65535, got '" + s + "'");
            }
        }

        NtmDetector detector() {
            return anyPort ? NtmDetector.anyPort() : NtmDetector.withPorts(ports);
        }
    }

    private static List<DecodedPacket> decode(Options o, PacketDecoder decoder, PrintStream out, boolean describe)
            throws IOException {
        List<DecodedPacket> all = new ArrayList<>();
        for (Path p : o.captures) {
            try (CaptureReader r = CaptureReader.open(p)) {
                Map<String, Integer> links = new TreeMap<>();
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (CapturedFrame f : r) {
                    links.merge(LinkType.name(f.linkType()), 1, Integer::sum);
                    first = Math.min(first, f.timestampNanos());
                    last = Math.max(last, f.timestampNanos());
                    all.add(decoder.decode(f));
                }
                if (describe) {
                    out.printf(Locale.ROOT, "%s: %d frames, link types %s%s%n", p, r.stats().frames(), links,
                            r.stats().frames() == 0 ? ""
                                    : String.format(Locale.ROOT, ", %s .. %s (%.3f s)", Instant.ofEpochSecond(0, first),
                                    Instant.ofEpochSecond(0, last), (last - first) / 1e9));
                    if (r.stats().truncatedTail() > 0 || !r.stats().problems().isEmpty()) {
                        out.println("  reader: " + r.stats());
                    }
                }
            }
        }
        return all;
    }

    private static void summary(Options o, PrintStream out) throws IOException {
        PacketDecoder decoder = new PacketDecoder(o.detector());
        List<DecodedPacket> packets = decode(o, decoder, out, true);
        DecodeStats s = decoder.stats();
        out.println("seen:");
        s.seen().forEach((k, v) -> out.printf(Locale.ROOT, "  %-28s %d%n", k, v));
        out.println("malformed: " + (s.malformed().isEmpty() ? "none" : ""));
        s.malformed().forEach((k, v) -> out.printf(Locale.ROOT, "  %-28s %d%n", k, v));
        if (o.list) {
            packets.forEach(p -> out.println(p.summary()));
        }
    }

    private static void paths(Options o, PrintStream out) throws IOException {
        Roles roles = Roles.load(o.roles);
        PacketDecoder decoder = new PacketDecoder(o.detector().withAddresses(roles.all().keySet()));
        PathReport report = new PathClassifier(roles).classify(decode(o, decoder, out, false));
        if (report.tunnels().isEmpty()) {
            out.println("no NTM DATA packets found; if nodes use other ports, try --ports or --any-port");
        } else {
            out.print(report.console());
        }
        if (o.json != null) {
            Files.writeString(o.json, report.json(), StandardCharsets.UTF_8);
        }
        if (o.md != null) {
            Files.writeString(o.md, report.markdown(), StandardCharsets.UTF_8);
        }
    }

    private static void timeline(Options o, PrintStream out, PrintStream err) throws IOException {
        EventLog log = EventLog.load(o.events);
        log.skipped().forEach(s -> err.println("skipped event line " + s));
        PacketDecoder decoder = new PacketDecoder(o.detector());
        TimelineReport report = new HandoverAnalyzer(decode(o, decoder, out, false), log).analyse();
        out.print(report.console());
        report.warnings().forEach(w -> err.println("warning: " + w));
        for (Path p : report.writeTo(o.out)) {
            out.println("wrote " + p);
        }
    }
}
