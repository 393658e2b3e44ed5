package org.ntmlab.lab.topology;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ntmlab.lab.topology.YamlTree.YList;
import org.ntmlab.lab.topology.YamlTree.YMap;
import org.ntmlab.lab.topology.YamlTree.YNode;
import org.ntmlab.lab.topology.YamlTree.YScalar;

/**
 * Reads a topology YAML file (format: docs/topology-format.md). Every problem is reported as
 * {@code file:line: field.path: message}, all of them at once.
 */
public final class TopologyParser {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(bit|kbit|mbit|gbit)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");

    /**
     * Largest topology file read: 1 MiB, far above any lab (table1.yaml is about 3 KB). A bigger
     * file is refused before it is read (issue 11 finding 15: 30 MB took minutes to parse).
     */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Most entries one list (segments, routers, servers, nodes, impairments) may have. */
    public static final int MAX_ENTRIES = 256;

    private final String source;
    private final Map<String, Integer> lines = new HashMap<>();
    private final Problems problems;

    private TopologyParser(String source) {
        this.source = source;
        this.problems = new Problems(source, lines);
    }

    /** Parses a file; the topology's source is the file name. */
    public static Topology parse(Path file) {
        String source = file.getFileName().toString();
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw tooBig(source, size);
            }
        } catch (IOException e) {
            throw new TopologyException(List.of(new TopologyException.Problem(source, 0, "(file)",
                    "cannot read " + file.toAbsolutePath() + ": " + e)));
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new TopologyParser(source).run(r, defaultName(source));
        } catch (IOException e) {
            throw new TopologyException(List.of(new TopologyException.Problem(source, 0, "(file)",
                    "cannot read " + file.toAbsolutePath() + ": " + e)));
        }
    }

    /** Parses YAML text; {@code source} names it in error messages (e.g. "table1.yaml"). */
    public static Topology parse(String source, String yaml) {
        if (yaml.length() > MAX_FILE_BYTES) {
            throw tooBig(source, yaml.length());
        }
        try {
            return new TopologyParser(source).run(new StringReader(yaml), defaultName(source));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
    }

    /** Every *.yaml / *.yml file in a folder, sorted by name: the topology matrix. */
    public static List<Path> topologyFiles(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list topology folder " + folder.toAbsolutePath() + ": " + e, e);
        }
    }

    private static TopologyException tooBig(String source, long size) {
        return new TopologyException(List.of(new TopologyException.Problem(source, 0, "(file)",
                "the file has " + size + " bytes, more than the " + MAX_FILE_BYTES + " a topology may have")));
    }

    private static String defaultName(String source) {
        return source.replaceFirst("\\.ya?ml$", "");
    }

    private Topology run(Reader in, String defaultName) throws IOException {
        YNode root;
        try {
            root = YamlTree.read(in);
        } catch (YamlTree.SyntaxError e) {
            throw new TopologyException(List.of(new TopologyException.Problem(source, e.line, "(file)",
                    e.getMessage())));
        }
        lines.put("", root.line());
        if (!(root instanceof YMap top)) {
            problems.add("(file)", "the document must be a mapping with keys name, segments, routers, servers,"
                    + " nodes, impairments");
            problems.throwIfAny();
            return null;
        }
        Fields f = new Fields(top, "");
        f.allow("name", "description", "segments", "routers", "servers", "nodes", "impairments", "matrix");
        String name = Optional.ofNullable(f.string("name", false)).orElse(defaultName);
        String description = f.string("description", false);
        List<Segment> segments = f.list("segments", true, this::segment);
        List<Router> routers = f.list("routers", false, this::router);
        List<Server> servers = f.list("servers", false, this::server);
        List<Node> nodes = f.list("nodes", false, this::node);
        List<Impairment> impairments = f.list("impairments", false, this::impairment);
        Matrix matrix = f.mapping("matrix", m -> matrix(m, nodes));
        if (!problems.isEmpty()) {
            // Still run the semantic checks, so one run reports everything it can.
            try {
                new Topology(name, description, segments, routers, servers, nodes, impairments, matrix, problems);
            } catch (RuntimeException e) {
                if (e instanceof TopologyException) {
                    throw e;
                }
            }
            problems.throwIfAny();
        }
        return new Topology(name, description, segments, routers, servers, nodes, impairments, matrix, problems);
    }

    private Segment segment(Fields f) {
        f.allow("name", "kind", "ipv4", "ipv6", "behind");
        return new Segment(f.string("name", true),
                f.choice("kind", true, SegmentKind::fromYaml, "segment kind", SegmentKind.expected()),
                f.cidr("ipv4"), f.cidr("ipv6"), f.string("behind", false));
    }

    private Router router(Fields f) {
        f.allow("name", "nat", "mappingTimeout", "inside", "outside", "insideAddress", "outsideAddress");
        return new Router(f.string("name", true), f.nat("nat"), f.duration("mappingTimeout"), f.string("inside", true), f.string("outside", true),
                f.address("insideAddress"), f.address("outsideAddress"));
    }

    private Server server(Fields f) {
        f.allow("name", "role", "attach", "domain");
        return new Server(f.string("name", true),
                f.choice("role", true, ServerRole::fromYaml, "server role", ServerRole.expected()),
                f.list("attach", true, a -> {
                    a.allow("segment", "ipv4", "ipv6");
                    return new Attachment(a.string("segment", true), a.address("ipv4"), a.address("ipv6"));
                }), f.string("domain", false));
    }

    private Node node(Fields f) {
        f.allow("name", "fqdn", "segment", "segments", "ipv4", "ipv6");
        String one = f.string("segment", false);
        List<String> several = f.names("segments");
        if (one != null && several != null) {
            problems.add(f.at("segments"), "give 'segment' or 'segments', not both");
        } else if (one == null && several == null) {
            problems.add(f.at("segment"), "missing (required; 'segments: [a, b]' for a dual-stack node)");
        }
        return new Node(f.string("name", true), f.string("fqdn", true), several != null ? several
                : one == null ? List.of() : List.of(one), f.address("ipv4"), f.address("ipv6"));
    }

    /**
     * {@code matrix: { mns: [..], cns: [..], expect: [ { mn, cn, path, optimised?, why? } ] }}, or
     * {@code pairs: ["a -> b", ...]} instead of {@code mns}/{@code cns} for chosen cells.
     */
    private Matrix matrix(Fields f, List<Node> nodes) {
        f.allow("mns", "cns", "pairs", "expect");
        List<String> all = nodes.stream().map(Node::name).toList();
        List<String> mns = f.names("mns");
        List<String> cns = f.names("cns");
        List<String> pairs = f.names("pairs");
        List<Matrix.Expectation> expect = f.list("expect", false, e -> {
            e.allow("mn", "cn", "path", "optimised", "why");
            return new Matrix.Expectation(e.string("mn", true), e.string("cn", true),
                    e.choice("path", true, p -> Optional.of(p).filter(x -> x.equals("direct") || x.equals("relay")),
                            "path", "direct, relay"), e.bool("optimised"), e.string("why", false));
        });
        if (pairs != null) {
            if (mns != null || cns != null) {
                problems.add(f.at("pairs"), "give 'pairs' or 'mns'/'cns', not both");
            }
            List<Matrix.Cell> cells = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                String[] ends = pairs.get(i).split("\\s*->\\s*");
                if (ends.length != 2 || ends[0].isBlank() || ends[1].isBlank()) {
                    problems.add(f.at("pairs") + "[" + i + "]", "'" + pairs.get(i) + "' is not a pair such as 'p2 -> p1'");
                    cells.add(new Matrix.Cell(pairs.get(i), null)); // keeps the file's indexes for later problems
                    continue;
                }
                cells.add(new Matrix.Cell(ends[0].strip(), ends[1].strip()));
            }
            return Matrix.of(cells, expect);
        }
        return new Matrix(mns == null ? all : mns, cns == null ? all : cns, expect);
    }

    private Impairment impairment(Fields f) {
        f.allow("host", "segment", "delay", "jitter", "loss", "rate");
        return new Impairment(f.string("host", true), f.string("segment", true), f.duration("delay"),
                f.duration("jitter"), f.percent("loss"), f.rate("rate"));
    }

    /** Typed access to one mapping, recording the line of every field it reads. */
    private final class Fields {
        private final YMap map;
        private final String path;

        Fields(YMap map, String path) {
            this.map = map;
            this.path = path;
            lines.put(path, map.line());
            map.keyLines().forEach((k, l) -> lines.put(at(k), l));
        }

        String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        void allow(String... keys) {
            Set<String> ok = Set.of(keys);
            for (String k : map.entries().keySet()) {
                if (!ok.contains(k)) {
                    problems.add(at(k), "unknown field '" + k + "' (expected one of " + String.join(", ", keys) + ")");
                }
            }
        }

        String string(String key, boolean required) {
            YNode n = map.entries().get(key);
            if (n == null || (n instanceof YScalar s && s.text() == null)) {
                if (required) {
                    problems.add(at(key), "missing (required)");
                }
                return null;
            }
            if (n instanceof YScalar s) {
                return s.text();
            }
            problems.add(at(key), "expected a single value, not a " + (n instanceof YMap ? "mapping" : "list"));
            return null;
        }

        <T> T choice(String key, boolean required, Function<String, Optional<T>> lookup, String what,
                     String expected) {
            String s = string(key, required);
            if (s == null) {
                return null;
            }
            Optional<T> v = lookup.apply(s);
            if (v.isEmpty()) {
                problems.add(at(key), "unknown " + what + " '" + s + "' (expected one of " + expected + ")");
            }
            return v.orElse(null);
        }

        /**
         * A NAT type: a preset name, or a mapping with {@code mapping}, {@code filtering} (both
         * required), {@code hairpinning} and {@code portPreservation} (docs/topology-format.md).
         */
        NatType nat(String key) {
            YNode n = map.entries().get(key);
            if (!(n instanceof YMap m)) {
                return choice(key, true, NatType::fromYaml, "NAT type", NatType.expected()
                        + ", or a mapping such as { mapping: endpoint-independent, filtering: address-dependent }");
            }
            Fields nf = new Fields(m, at(key));
            nf.allow("mapping", "filtering", "hairpinning", "portPreservation");
            NatType.Mapping mapping = nf.choice("mapping", true, NatType.Mapping::fromTerm, "mapping behaviour",
                    NatType.expectedTerms());
            NatType.Filtering filtering = nf.choice("filtering", true, NatType.Filtering::fromTerm,
                    "filtering behaviour", NatType.expectedTerms());
            Boolean hairpinning = nf.bool("hairpinning");
            Boolean portPreservation = nf.bool("portPreservation");
            if (mapping == null || filtering == null) {
                return null;
            }
            return new NatType(mapping, filtering, hairpinning != null && hairpinning,
                    portPreservation != null ? portPreservation : NatType.defaultPortPreservation(mapping));
        }

        Cidr cidr(String key) {
            String s = string(key, false);
            if (s == null) {
                return null;
            }
            Optional<Cidr> c = Cidr.parse(s.trim());
            if (c.isEmpty()) {
                problems.add(at(key), "'" + s + "' is not a prefix such as 198.51.100.0/24 or 2001:db8:6::/64");
            }
            return c.orElse(null);
        }

        InetAddress address(String key) {
            String s = string(key, false);
            if (s == null) {
                return null;
            }
            Optional<InetAddress> a = IpLiteral.parse(s.trim());
            if (a.isEmpty()) {
                problems.add(at(key), "'" + s + "' is not an IPv4 or IPv6 address literal");
            }
            return a.orElse(null);
        }

        Duration duration(String key) {
            String s = string(key, false);
            if (s == null) {
                return null;
            }
            Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                problems.add(at(key), "'" + s + "' is not a duration such as 20ms, 1.5s or 2m");
                return null;
            }
            double v = Double.parseDouble(m.group(1));
            double micros = switch (m.group(2)) {
                case "us" -> v;
                case "ms" -> v * 1e3;
                case "s" -> v * 1e6;
                default -> v * 60e6;
            };
            return Duration.ofNanos(Math.round(micros * 1000));
        }

        double percent(String key) {
            String s = string(key, false);
            if (s == null) {
                return 0;
            }
            Matcher m = PERCENT.matcher(s.trim());
            if (!m.matches()) {
                problems.add(at(key), "'" + s + "' is not a percentage such as 1% or 0.5%");
                return 0;
            }
            return Double.parseDouble(m.group(1));
        }

        long rate(String key) {
            String s = string(key, false);
            if (s == null) {
                return 0;
            }
            Matcher m = RATE.matcher(s.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                problems.add(at(key), "'" + s + "' is not a rate such as 512kbit, 10mbit or 1gbit");
                return 0;
            }
            double v = Double.parseDouble(m.group(1));
            long mult = switch (m.group(2)) {
                case "bit" -> 1L;
                case "kbit" -> 1_000L;
                case "mbit" -> 1_000_000L;
                default -> 1_000_000_000L;
            };
            return Math.round(v * mult);
        }

        /** A nested mapping, read by {@code item}; null when absent (a problem when it is not a mapping). */
        <T> T mapping(String key, Function<Fields, T> item) {
            YNode n = map.entries().get(key);
            if (n == null || (n instanceof YScalar s && s.text() == null)) {
                return null;
            }
            if (!(n instanceof YMap m)) {
                problems.add(at(key), "expected a mapping (fields such as 'mns: [...]')");
                return null;
            }
            return item.apply(new Fields(m, at(key)));
        }

        /** A list of plain names ({@code [a, b]} or {@code - a} items); null when absent. */
        List<String> names(String key) {
            YNode n = map.entries().get(key);
            if (n == null || (n instanceof YScalar s && s.text() == null)) {
                return null;
            }
            if (!(n instanceof YList l)) {
                problems.add(at(key), "expected a list of names ([a, b])");
                return List.of();
            }
            if (l.items().size() > MAX_ENTRIES) {
                problems.add(at(key), l.items().size() + " entries, more than the " + MAX_ENTRIES
                        + " a topology may have");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < l.items().size(); i++) {
                YNode e = l.items().get(i);
                lines.put(at(key) + "[" + i + "]", e.line());
                if (e instanceof YScalar s && s.text() != null) {
                    out.add(s.text());
                } else {
                    problems.add(at(key) + "[" + i + "]", "expected a name");
                }
            }
            return out;
        }

        /** true/false; null when absent. */
        Boolean bool(String key) {
            String s = string(key, false);
            if (s == null) {
                return null;
            }
            if (!s.equals("true") && !s.equals("false")) {
                problems.add(at(key), "'" + s + "' is not true or false");
                return null;
            }
            return Boolean.valueOf(s);
        }

        <T> List<T> list(String key, boolean required, Function<Fields, T> item) {
            YNode n = map.entries().get(key);
            if (n == null || (n instanceof YScalar s && s.text() == null)) {
                if (required) {
                    problems.add(at(key), "missing (required)");
                }
                return List.of();
            }
            if (!(n instanceof YList l)) {
                problems.add(at(key), "expected a list ('- ...' items)");
                return List.of();
            }
            if (l.items().size() > MAX_ENTRIES) {
                problems.add(at(key), l.items().size() + " entries, more than the " + MAX_ENTRIES
                        + " a topology may have");
                return List.of();
            }
            List<T> out = new ArrayList<>();
            for (int i = 0; i < l.items().size(); i++) {
                YNode e = l.items().get(i);
                String ip = at(key) + "[" + i + "]";
                lines.put(ip, e.line());
                if (e instanceof YMap m) {
                    out.add(item.apply(new Fields(m, ip)));
                } else {
                    problems.add(ip, "expected a mapping (fields such as 'name: ...')");
                }
            }
            return out;
        }
    }
}
