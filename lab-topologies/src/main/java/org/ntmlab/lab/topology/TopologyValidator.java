package org.ntmlab.lab.topology;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Checks a topology's meaning; every problem names the field it comes from. */
final class TopologyValidator {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern FQDN = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]");

    private TopologyValidator() {
    }

    static void validate(Topology t, Problems p) {
        if (t.name() == null || !NAME.matcher(t.name()).matches()) {
            if (!p.reported("name")) {
                p.add("name", "topology name '" + t.name() + "' must match " + NAME.pattern());
            }
        }
        Map<String, Segment> segments = new HashMap<>();
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < t.segments().size(); i++) {
            Segment s = t.segments().get(i);
            String at = "segments[" + i + "]";
            if (name(p, at, s.name()) && segments.putIfAbsent(s.name(), s) != null) {
                p.add(at + ".name", "duplicate segment name '" + s.name() + "'");
            }
            segment(t, p, at, s);
        }
        if (t.segments().isEmpty() && !p.reported("segments")) {
            p.add("segments", "a topology needs at least one segment");
        }
        overlaps(t, p);
        for (int i = 0; i < t.routers().size(); i++) {
            router(t, p, "routers[" + i + "]", t.routers().get(i), segments, hosts);
        }
        for (int i = 0; i < t.servers().size(); i++) {
            server(p, "servers[" + i + "]", t.servers().get(i), segments, hosts);
        }
        Set<String> fqdns = new HashSet<>();
        for (int i = 0; i < t.nodes().size(); i++) {
            Node n = t.nodes().get(i);
            String at = "nodes[" + i + "]";
            hostName(p, at, n.name(), hosts);
            if (n.fqdn() == null) {
                required(p, at + ".fqdn");
            } else if (!FQDN.matcher(n.fqdn()).matches()) {
                p.add(at + ".fqdn", "'" + n.fqdn() + "' is not a lower-case DNS name such as p1.ntm.example");
            } else if (!fqdns.add(n.fqdn())) {
                p.add(at + ".fqdn", "duplicate fqdn '" + n.fqdn() + "'");
            }
            nodeSegments(p, at, n, segments);
        }
        for (int i = 0; i < t.impairments().size(); i++) {
            impairment(t, p, "impairments[" + i + "]", t.impairments().get(i), segments);
        }
        domains(t, p);
        matrix(t, p);
        if (p.isEmpty()) {
            Preflight.check(t, p); // needs a sound structure: names resolve, routers chain
        }
    }

    /**
     * A node is on one segment, or on two for a dual-stack host: one with IPv4 and one with IPv6
     * (a node has one address per family, NtmDeployment gives it one DC address per family). Its
     * fixed addresses belong to the segment of their family.
     */
    private static void nodeSegments(Problems p, String at, Node n, Map<String, Segment> segments) {
        boolean several = n.segments().size() > 1;
        String field = several ? at + ".segments" : at + ".segment";
        if (n.segments().isEmpty()) {
            if (!p.reported(at + ".segment") && !p.reported(at + ".segments")) {
                required(p, at + ".segment");
            }
            return;
        }
        if (n.segments().size() > 2) {
            p.add(field, "a node has at most two segments (one with IPv4, one with IPv6)");
            return;
        }
        Segment v4 = null;
        Segment v6 = null;
        Segment last = null;
        for (int j = 0; j < n.segments().size(); j++) {
            Segment s = segmentRef(p, several ? field + "[" + j + "]" : field, n.segments().get(j), segments);
            if (s == null) {
                continue;
            }
            last = s;
            if (s.kind().hasIpv4()) {
                if (v4 != null) {
                    p.add(field, "segments '" + v4.name() + "' and '" + s.name() + "' both have IPv4: a dual-stack"
                            + " node has one segment per IP version");
                }
                v4 = s;
            }
            if (s.kind().hasIpv6()) {
                if (v6 != null) {
                    p.add(field, "segments '" + v6.name() + "' and '" + s.name() + "' both have IPv6: a dual-stack"
                            + " node has one segment per IP version");
                }
                v6 = s;
            }
        }
        // with one segment, "segment 'x' has no IPv6" says it all; with two, the family's segment
        Segment forV4 = v4 != null ? v4 : several ? null : last;
        Segment forV6 = v6 != null ? v6 : several ? null : last;
        if (n.ipv4() != null && forV4 == null && last != null) {
            p.add(at + ".ipv4", "no segment of node '" + n.name() + "' has IPv4");
        } else if (forV4 != null) {
            address(p, at + ".ipv4", n.ipv4(), forV4, false);
        }
        if (n.ipv6() != null && forV6 == null && last != null) {
            p.add(at + ".ipv6", "no segment of node '" + n.name() + "' has IPv6");
        } else if (forV6 != null) {
            address(p, at + ".ipv6", n.ipv6(), forV6, true);
        }
    }

    /**
     * The matrix names nodes of this file, each at most once per side; every override is a cell
     * of the matrix (an MN and a different CN), once.
     */
    private static void matrix(Topology t, Problems p) {
        Matrix m = t.matrix();
        Set<String> nodes = new HashSet<>();
        t.nodes().forEach(n -> nodes.add(n.name()));
        for (String side : m.pairs().isEmpty() ? List.of("mns", "cns") : List.<String>of()) {
            List<String> names = side.equals("mns") ? m.mns() : m.cns();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                String at = "matrix." + side + "[" + i + "]";
                if (!nodes.contains(names.get(i))) {
                    p.add(at, "no node '" + names.get(i) + "' in this topology");
                } else if (!seen.add(names.get(i))) {
                    p.add(at, "node '" + names.get(i) + "' named twice");
                }
            }
        }
        Set<Matrix.Cell> seenPairs = new HashSet<>();
        for (int i = 0; i < m.pairs().size(); i++) {
            Matrix.Cell c = m.pairs().get(i);
            String at = "matrix.pairs[" + i + "]";
            if (c.mn() == null || c.cn() == null) {
                continue; // not a pair: reported by the parser
            }
            for (String n : List.of(c.mn(), c.cn())) {
                if (!nodes.contains(n)) {
                    p.add(at, "no node '" + n + "' in this topology");
                }
            }
            if (c.mn().equals(c.cn())) {
                p.add(at, "a node does not talk to itself");
            } else if (!seenPairs.add(c)) {
                p.add(at, "'" + c.mn() + " -> " + c.cn() + "' is listed twice");
            }
        }
        Set<Matrix.Cell> cells = new HashSet<>(m.cells());
        Set<Matrix.Cell> overridden = new HashSet<>();
        for (int i = 0; i < m.expect().size(); i++) {
            Matrix.Expectation e = m.expect().get(i);
            String at = "matrix.expect[" + i + "]";
            if (e.mn() == null || e.cn() == null) {
                continue; // reported by the parser
            }
            Matrix.Cell c = new Matrix.Cell(e.mn(), e.cn());
            if (!cells.contains(c)) {
                p.add(at, "'" + e.mn() + " -> " + e.cn() + "' is not a cell of the matrix (an MN from matrix.mns"
                        + " and a different CN from matrix.cns)");
            } else if (!overridden.add(c)) {
                p.add(at, "a second expectation for " + e.mn() + " -> " + e.cn());
            }
            if ("relay".equals(e.path()) && Boolean.TRUE.equals(e.optimised())) {
                p.add(at + ".optimised", "only a direct path can be optimised");
            }
        }
        if (t.nodes().size() >= 2 && m.cells().isEmpty() && !p.reported("matrix")) {
            p.add("matrix", "the matrix has no cell (it needs an MN and a different CN)");
        }
    }

    /**
     * DC domains: only a DC has one; with several DCs each names its own, distinct domain,
     * and every node's domain (its FQDN without the first label) must be one a DC serves.
     */
    private static void domains(Topology t, Problems p) {
        List<Server> dcs = new ArrayList<>();
        Map<String, String> byDomain = new HashMap<>();
        for (int i = 0; i < t.servers().size(); i++) {
            Server s = t.servers().get(i);
            String at = "servers[" + i + "].domain";
            if (s.domain() != null && s.role() != ServerRole.DC) {
                p.add(at, "only a DC serves a domain (this is " + (s.role() == null ? "no role" : "an "
                        + s.role().yamlName()) + ")");
                continue;
            }
            if (s.role() != ServerRole.DC) {
                continue;
            }
            dcs.add(s);
            if (s.domain() != null) {
                if (!FQDN.matcher(s.domain()).matches()) {
                    p.add(at, "'" + s.domain() + "' is not a lower-case DNS name such as a.ntm.example");
                } else if (byDomain.putIfAbsent(s.domain(), s.name()) != null) {
                    p.add(at, "domain '" + s.domain() + "' is already served by DC '" + byDomain.get(s.domain()) + "'");
                }
            }
        }
        if (dcs.size() > 1) {
            for (int i = 0; i < t.servers().size(); i++) {
                Server s = t.servers().get(i);
                if (s.role() == ServerRole.DC && s.domain() == null) {
                    p.add("servers[" + i + "].domain", "required: with several DCs each must name the domain it"
                            + " serves");
                }
            }
        }
        if (byDomain.isEmpty()) {
            return; // one DC without a domain: it serves the nodes' common domain (checked at start)
        }
        for (int i = 0; i < t.nodes().size(); i++) {
            Node n = t.nodes().get(i);
            if (n.fqdn() == null || !FQDN.matcher(n.fqdn()).matches()) {
                continue;
            }
            String d = n.domain();
            if (!byDomain.containsKey(d)) {
                p.add("nodes[" + i + "].fqdn", "no DC serves domain '" + d + "' (DCs serve " + new TreeSet<>(
                        byDomain.keySet()) + ")");
            }
        }
    }

    private static final String GLOBAL_V4 = "198.51.100.0/24 or 203.0.113.0/24 (RFC 5737), or 198.18.0.0/15"
            + " (RFC 2544, where parallel labs are relocated)";
    private static final Cidr[] GLOBAL_V4_RANGES = {Cidr.TEST_NET_2, Cidr.TEST_NET_3, Relocation.BENCHMARK};

    private static void segment(Topology t, Problems p, String at, Segment s) {
        if (s.kind() == null) {
            required(p, at + ".kind");
            return;
        }
        switch (s.kind()) {
            case IPV4_GLOBAL -> {
                prefix(p, at + ".ipv4", s.ipv4(), false, GLOBAL_V4, GLOBAL_V4_RANGES);
                absent(p, at + ".ipv6", s.ipv6(), "an ipv4-global segment has no IPv6 (use kind dual-stack)");
            }
            case IPV4_PRIVATE -> {
                prefix(p, at + ".ipv4", s.ipv4(), false, "10.0.0.0/8 or 192.168.0.0/16 (RFC 1918), or 100.64.0.0/10"
                        + " (RFC 6598, the inside of a carrier-grade NAT)", Cidr.PRIVATE_10, Cidr.PRIVATE_192_168,
                        Cidr.SHARED_100_64);
                if (s.ipv4() != null && s.ipv4().overlaps(Cidr.LAB_RESERVED)) {
                    p.add(at + ".ipv4", s.ipv4() + " overlaps 10.255.0.0/16, which the lab keeps for itself");
                }
                absent(p, at + ".ipv6", s.ipv6(), "an ipv4-private segment has no IPv6");
                if (s.behind() == null) {
                    required(p, at + ".behind");
                } else if (t.router(s.behind()).isEmpty()) {
                    p.add(at + ".behind", "no router named '" + s.behind() + "' (routers: "
                            + t.routers().stream().map(Router::name).toList() + ")");
                } else if (!s.name().equals(t.router(s.behind()).get().inside())) {
                    p.add(at + ".behind", "router '" + s.behind() + "' has inside '"
                            + t.router(s.behind()).get().inside() + "', not '" + s.name() + "'");
                }
            }
            case IPV6_ONLY -> {
                absent(p, at + ".ipv4", s.ipv4(), "an ipv6-only segment has no IPv4 (use kind dual-stack)");
                prefix(p, at + ".ipv6", s.ipv6(), true, "inside 2001:db8::/32 (RFC 3849)", Cidr.DOC_V6);
            }
            case DUAL_STACK -> {
                prefix(p, at + ".ipv4", s.ipv4(), false, GLOBAL_V4, GLOBAL_V4_RANGES);
                prefix(p, at + ".ipv6", s.ipv6(), true, "inside 2001:db8::/32 (RFC 3849)", Cidr.DOC_V6);
            }
        }
        if (s.kind() != SegmentKind.IPV4_PRIVATE && s.behind() != null) {
            p.add(at + ".behind", "only ipv4-private segments sit behind a router");
        }
    }

    private static void prefix(Problems p, String at, Cidr c, boolean v6, String expected, Cidr... allowed) {
        if (c == null) {
            required(p, at);
            return;
        }
        if (c.isIpv6() != v6) {
            p.add(at, c + " is not an " + (v6 ? "IPv6" : "IPv4") + " prefix");
            return;
        }
        if (c.hasHostBits()) {
            p.add(at, c.network().getHostAddress() + "/" + c.prefixLength() + " has host bits set (did you mean "
                    + c + "?)");
        }
        boolean ok = false;
        for (Cidr a : allowed) {
            ok |= c.within(a);
        }
        if (!ok) {
            p.add(at, c + " is not an allowed range (expected " + expected + ")");
        }
        int min = v6 ? 48 : 16;
        int max = v6 ? 120 : 29;
        if (c.prefixLength() < min || c.prefixLength() > max) {
            p.add(at, "prefix length /" + c.prefixLength() + " out of range /" + min + "../" + max);
        }
    }

    private static void overlaps(Topology t, Problems p) {
        List<Segment> s = t.segments();
        for (int i = 0; i < s.size(); i++) {
            for (int j = 0; j < i; j++) {
                for (boolean v6 : new boolean[] {false, true}) {
                    Cidr a = v6 ? s.get(i).ipv6() : s.get(i).ipv4();
                    Cidr b = v6 ? s.get(j).ipv6() : s.get(j).ipv4();
                    if (a != null && b != null && a.isIpv6() == b.isIpv6() && a.overlaps(b)) {
                        p.add("segments[" + i + "]." + (v6 ? "ipv6" : "ipv4"), a + " overlaps segment '"
                                + s.get(j).name() + "' (" + b + ")");
                    }
                }
            }
        }
    }

    private static void router(Topology t, Problems p, String at, Router r, Map<String, Segment> segments,
                               Set<String> hosts) {
        hostName(p, at, r.name(), hosts);
        if (r.nat() == null) {
            required(p, at + ".nat");
        } else {
            r.nat().dockerLimitation().ifPresent(why -> p.add(at + ".nat", r.nat().yamlName()
                    + " is not available in the Docker lab (the in-memory network has it): " + why));
        }
        if (r.mappingTimeout() != null && r.mappingTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
            p.add(at + ".mappingTimeout", "must be at least 1s (is " + r.mappingTimeout() + ")");
        }
        Segment in = segmentRef(p, at + ".inside", r.inside(), segments);
        Segment out = segmentRef(p, at + ".outside", r.outside(), segments);
        if (in != null) {
            if (in.kind() != SegmentKind.IPV4_PRIVATE) {
                p.add(at + ".inside", "segment '" + in.name() + "' is " + in.kind().yamlName()
                        + "; a NAT router's inside must be ipv4-private");
            } else if (!r.name().equals(in.behind())) {
                p.add(at + ".inside", "segment '" + in.name() + "' says it is behind '" + in.behind()
                        + "'; set its 'behind: " + r.name() + "'");
            }
            address(p, at + ".insideAddress", r.insideAddress(), in, false);
        }
        if (out != null) {
            if (!out.kind().hasIpv4()) {
                p.add(at + ".outside", "segment '" + out.name() + "' has no IPv4; a NAT router's outside needs IPv4");
            }
            if (in != null && in.name().equals(out.name())) {
                p.add(at + ".outside", "inside and outside are the same segment '" + in.name() + "'");
            }
            address(p, at + ".outsideAddress", r.outsideAddress(), out, false);
        }
        if (out != null && out.kind() == SegmentKind.IPV4_PRIVATE && t.gatewayOf(out.name()).isPresent()) {
            // Nested NAT: refuse a cycle r1 -> r2 -> r1.
            Set<String> seen = new HashSet<>();
            String cur = r.name();
            while (cur != null && seen.add(cur)) {
                cur = t.router(cur).flatMap(x -> t.segment(x.outside())).map(Segment::behind).orElse(null);
            }
            if (cur != null) {
                p.add(at + ".outside", "routers form a loop through '" + cur + "'");
            }
        }
    }

    private static void server(Problems p, String at, Server s, Map<String, Segment> segments, Set<String> hosts) {
        hostName(p, at, s.name(), hosts);
        if (s.role() == null) {
            required(p, at + ".role");
        }
        if (s.attach().isEmpty() && !p.reported(at + ".attach")) {
            p.add(at + ".attach", "a server needs at least one segment attachment");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < s.attach().size(); i++) {
            Attachment a = s.attach().get(i);
            String aat = at + ".attach[" + i + "]";
            Segment seg = segmentRef(p, aat + ".segment", a.segment(), segments);
            if (seg == null) {
                continue;
            }
            if (!seen.add(seg.name())) {
                p.add(aat + ".segment", "attached twice to segment '" + seg.name() + "'");
            }
            address(p, aat + ".ipv4", a.ipv4(), seg, false);
            address(p, aat + ".ipv6", a.ipv6(), seg, true);
        }
    }

    private static void impairment(Topology t, Problems p, String at, Impairment im, Map<String, Segment> segments) {
        if (im.host() == null) {
            required(p, at + ".host");
        } else if (!t.hostNames().contains(im.host())) {
            p.add(at + ".host", "no router, server or node named '" + im.host() + "'");
        }
        if (im.segment() == null) {
            required(p, at + ".segment");
        } else if (!segments.containsKey(im.segment())) {
            p.add(at + ".segment", "no segment named '" + im.segment() + "'");
        } else if (im.host() != null && t.hostNames().contains(im.host())
                && !segmentsOf(t, im.host()).contains(im.segment())) {
            p.add(at + ".segment", "'" + im.host() + "' is not attached to segment '" + im.segment()
                    + "' (it is on " + segmentsOf(t, im.host()) + ")");
        }
        if (im.delay() != null && im.delay().isNegative()) {
            p.add(at + ".delay", "must not be negative");
        }
        if (im.jitter() != null) {
            if (im.jitter().isNegative()) {
                p.add(at + ".jitter", "must not be negative");
            } else if (im.delay() == null || im.jitter().compareTo(im.delay()) > 0) {
                p.add(at + ".jitter", "jitter " + im.jitter().toMillis() + "ms exceeds delay "
                        + (im.delay() == null ? 0 : im.delay().toMillis()) + "ms");
            }
        }
        if (im.lossPercent() < 0 || im.lossPercent() > 100 || Double.isNaN(im.lossPercent())) {
            p.add(at + ".loss", "must be between 0% and 100% (is " + im.lossPercent() + "%)");
        }
        if (im.rateBitsPerSecond() < 0) {
            p.add(at + ".rate", "must be positive");
        }
        if (!im.needsDelay() && im.lossPercent() == 0 && im.rateBitsPerSecond() == 0
                && !p.reported(at + ".delay") && !p.reported(at + ".loss") && !p.reported(at + ".rate")) {
            p.add(at, "impairment has no effect: give at least one of delay, jitter, loss, rate");
        }
    }

    static List<String> segmentsOf(Topology t, String host) {
        for (Router r : t.routers()) {
            if (r.name().equals(host)) {
                return List.of(r.inside(), r.outside());
            }
        }
        for (Server s : t.servers()) {
            if (s.name().equals(host)) {
                return s.attach().stream().map(Attachment::segment).toList();
            }
        }
        return t.nodes().stream().filter(n -> n.name().equals(host)).map(Node::segment).toList();
    }

    private static void address(Problems p, String at, InetAddress a, Segment s, boolean v6) {
        if (a == null) {
            return;
        }
        Cidr c = v6 ? s.ipv6() : s.ipv4();
        if (c == null) {
            p.add(at, "segment '" + s.name() + "' (" + s.kind().yamlName() + ") has no " + (v6 ? "IPv6" : "IPv4"));
            return;
        }
        if (!c.contains(a)) {
            p.add(at, IpLiteral.format(a) + " is not in segment '" + s.name() + "' (" + c + ")");
            return;
        }
        if (a.equals(c.gateway())) {
            p.add(at, IpLiteral.format(a) + " is Docker's bridge address on '" + s.name()
                    + "'; pick another host (routers conventionally use ." + (v6 ? ":fe" : "254") + ")");
        } else if (c.indexOf(a).signum() == 0 || (!v6 && c.indexOf(a).equals(c.size().subtract(
                java.math.BigInteger.ONE)))) {
            p.add(at, IpLiteral.format(a) + " is the network or broadcast address of " + c);
        }
    }

    private static Segment segmentRef(Problems p, String at, String name, Map<String, Segment> segments) {
        if (name == null) {
            required(p, at);
            return null;
        }
        Segment s = segments.get(name);
        if (s == null) {
            p.add(at, "no segment named '" + name + "' (segments: " + segments.keySet().stream().sorted().toList() + ")");
        }
        return s;
    }

    private static boolean name(Problems p, String at, String name) {
        if (name == null) {
            required(p, at + ".name");
            return false;
        }
        if (!NAME.matcher(name).matches()) {
            p.add(at + ".name", "'" + name + "' must be lower case letters, digits and '-', starting with a letter,"
                    + " at most 31 characters");
            return false;
        }
        return true;
    }

    private static void hostName(Problems p, String at, String name, Set<String> hosts) {
        if (name(p, at, name) && !hosts.add(name)) {
            p.add(at + ".name", "duplicate host name '" + name + "' (routers, servers and nodes share one namespace)");
        }
    }

    private static void required(Problems p, String at) {
        if (!p.reported(at)) {
            p.add(at, "missing (required)");
        }
    }

    private static void absent(Problems p, String at, Object value, String why) {
        if (value != null) {
            p.add(at, why);
        }
    }
}
