package org.ntmlab.lab.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that need the whole network, run before any container starts (issue 12, pre-flight): a
 * topology that passes them can run its matrix. Each problem names the field to change.
 * <ul>
 * <li>a DC or RS has at most one segment per IP version (it listens on one address of each);</li>
 * <li>every node reaches an AS and a DC of its domain, when the file has them;</li>
 * <li>every cell the rule table expects to relay has an RS that both ends reach (for IPv4 x IPv6,
 * one with both families).</li>
 * </ul>
 * What a node reaches: on IPv4, servers attached to its segment or to any segment on its way out
 * through NATs (its chain); on IPv6, servers on its own segment (the lab does not route between
 * segments).
 */
public final class Preflight {

    private Preflight() {
    }

    static void check(Topology t, Problems p) {
        // (whether every router has someone behind it for the NAT check is the Docker lab's
        // question, asked before any container starts: Lab.start with verifyNat; a mobility lab
        // moves its node onto a router's segment later and checks no NAT)
        for (int i = 0; i < t.servers().size(); i++) {
            // the servers listen on one address per IP version (NtmDeployment, the memory lab): a
            // second segment of a family would have nothing listening for the hosts on it
            Server s = t.servers().get(i);
            for (boolean v6 : new boolean[] {false, true}) {
                List<String> segs = s.attach().stream().map(a -> t.segment(a.segment()).orElse(null))
                        .filter(seg -> seg != null && (v6 ? seg.kind().hasIpv6() : seg.kind().hasIpv4()))
                        .map(Segment::name).toList();
                if (segs.size() > 1 && s.role() != ServerRole.AS) {
                    p.add("servers[" + i + "].attach", s.role().yamlName().toUpperCase(java.util.Locale.ROOT) + " '"
                            + s.name() + "' has " + (v6 ? "IPv6" : "IPv4") + " on " + segs + ", but listens on one"
                            + " address per IP version: hosts on " + segs.get(1) + " would find nothing there");
                }
            }
        }
        boolean anyAs = t.servers().stream().anyMatch(s -> s.role() == ServerRole.AS);
        boolean anyDc = t.servers().stream().anyMatch(s -> s.role() == ServerRole.DC);
        for (int i = 0; i < t.nodes().size(); i++) {
            Node n = t.nodes().get(i);
            String at = "nodes[" + i + "].segment";
            if (anyAs && reachable(t, n, ServerRole.AS, null).isEmpty()) {
                p.add(at, "node '" + n.name() + "' reaches no AS from " + n.segments() + " (" + way(t, n)
                        + "); attach an AS to one of those segments");
            }
            if (anyDc) {
                String domain = n.fqdn().substring(n.fqdn().indexOf('.') + 1);
                if (reachable(t, n, ServerRole.DC, domain).isEmpty()) {
                    p.add(at, "node '" + n.name() + "' reaches no DC serving " + domain + " from " + n.segments()
                            + " (" + way(t, n) + "); attach that DC to one of those segments");
                }
            }
        }
        if (!anyDc) {
            return; // no NTMobile in this lab: nothing relays
        }
        List<Matrix.Cell> cells = t.matrix().cells();
        for (Matrix.Cell c : cells) {
            if (!"relay".equals(PathOracle.expected(t, c.mn(), c.cn()).path())) {
                continue;
            }
            Set<String> both = new TreeSet<>(reachable(t, t.node(c.mn()).orElseThrow(), ServerRole.RS, null));
            both.retainAll(reachable(t, t.node(c.cn()).orElseThrow(), ServerRole.RS, null));
            if (both.isEmpty()) {
                p.add("matrix", "cell " + c.mn() + " -> " + c.cn() + " is expected to relay, but no RS is reachable"
                        + " from both (" + c.mn() + ": " + way(t, t.node(c.mn()).orElseThrow()) + "; " + c.cn() + ": "
                        + way(t, t.node(c.cn()).orElseThrow()) + "); attach an RS to a segment of each");
            }
        }
    }

    /** Names of the servers of {@code role} (and {@code domain}, for a DC with one) that node {@code n} reaches. */
    static Set<String> reachable(Topology t, Node n, ServerRole role, String domain) {
        List<String> v4 = n.segmentWith(t, false).map(s -> PathOracle.chain(t, s.name())).orElse(List.of());
        String v6 = n.segmentWith(t, true).map(Segment::name).orElse(null);
        Set<String> out = new TreeSet<>();
        for (Server s : t.servers()) {
            if (s.role() != role || (domain != null && s.domain() != null && !s.domain().equals(domain))) {
                continue;
            }
            for (Attachment a : s.attach()) {
                Segment seg = t.segment(a.segment()).orElse(null);
                if (seg == null) {
                    continue;
                }
                boolean byV4 = seg.kind().hasIpv4() && v4.contains(seg.name());
                boolean byV6 = seg.kind().hasIpv6() && seg.name().equals(v6);
                if (byV4 || byV6) {
                    out.add(s.name());
                }
            }
        }
        return out;
    }

    /** "its way out: p1 -> g4" or "IPv6 on v6". */
    private static String way(Topology t, Node n) {
        List<String> parts = new ArrayList<>();
        n.segmentWith(t, false).ifPresent(s -> parts.add("IPv4 way out "
                + String.join(" -> ", PathOracle.chain(t, s.name()))));
        n.segmentWith(t, true).ifPresent(s -> parts.add("IPv6 on " + s.name()));
        return String.join(", ", parts);
    }

    /**
     * Routers with no node or server on their inside segment, from which stun-client could
     * classify them (docs/lab.md, "NAT verification"); a nested router would skew the check (its
     * own firewall drops the changed-port reply).
     */
    public static java.util.List<Router> uncheckableRouters(Topology t) {
        return t.routers().stream().filter(r -> t.nodes().stream().noneMatch(n -> n.segments().contains(r.inside()))
                && t.servers().stream().noneMatch(s -> s.attach().stream().anyMatch(a -> r.inside().equals(a.segment()))))
                .toList();
    }
}
