package org.ntmlab.lab.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The path a pair of nodes should end up on, computed over the whole way between them (every NAT
 * on each side, nested NATs, a NAT both share, address families), as NTMobile's DC directs it and
 * route optimisation can improve it (paper section 3.2 and Table 1; docs/protocol.md "Route
 * optimisation"). The rule table is docs/topology-format.md, "Expected paths"; each rule has an id
 * so reports say which one decided a cell. A file's {@code matrix.expect} entry overrides it.
 *
 * <p>Terms: a node's <em>chain</em> is the list of segments from its own outward, each private
 * segment followed by the outside of the NAT it sits behind, up to a segment without NAT. Two
 * nodes <em>meet</em> on the first segment of one chain that is also in the other; the NATs
 * below that segment are each side's own, those above it are <em>shared</em>. The DC sees a node
 * as NATed when its chain has any NAT. IPv6 segments have no NAT (docs/topology-format.md).
 */
public final class PathOracle {

    /** Rule ids, in the order they are tried (docs/topology-format.md, "Expected paths"). */
    public enum Rule {
        /** Both have IPv6: direct over IPv6 (the DC prefers it; no NAT on IPv6). */
        IPV6,
        /** No IP version in common: relay through a dual-stack RS (paper Table 1). */
        NO_COMMON_FAMILY,
        /** Both IPv4, on one segment: direct; through route optimisation with host endpoints when both are NATed. */
        SAME_SEGMENT,
        /** Both IPv4, one sits on the segment where they meet (no NAT of its own in between): direct. */
        ONE_SIDE_OPEN,
        /** NATs on both sides below the global segment: hole punching (RFC 4787 behaviours decide). */
        TWO_NATS,
        /** NATs on both sides below a NAT they share: only through the shared NAT's hairpinning. */
        SHARED_NAT,
        /** Both IPv4 but no segment in common: no way between them. */
        DISCONNECTED,
        /** The file's {@code matrix.expect} said so. */
        FILE
    }

    /**
     * @param path      {@code direct} or {@code relay}
     * @param optimised direct only after route optimisation (the tunnel starts on the relay)
     * @param rule      which rule decided
     * @param why       one sentence for reports
     */
    public record Expected(String path, boolean optimised, Rule rule, String why) {
        /** {@code direct}, {@code direct(optimised)} or {@code relay}. */
        public String label() {
            return optimised ? path + "(optimised)" : path;
        }
    }

    private PathOracle() {
    }

    /** The expected path of the cell {@code mn -> cn}: the file's override if any, else the rules. */
    public static Expected expected(Topology t, String mn, String cn) {
        Optional<Matrix.Expectation> o = t.matrix().override(mn, cn);
        Expected rules = byRules(t, mn, cn);
        if (o.isPresent()) {
            Matrix.Expectation e = o.get();
            boolean optimised = "direct".equals(e.path())
                    && (e.optimised() != null ? e.optimised() : rules.optimised() || "relay".equals(rules.path()));
            return new Expected(e.path(), optimised, Rule.FILE, (e.why() == null ? "set in the file" : e.why())
                    + " (rules: " + rules.label() + ", " + rules.rule() + ")");
        }
        return rules;
    }

    /** The rule table alone, without the file's overrides. */
    public static Expected byRules(Topology t, String mn, String cn) {
        Node a = t.node(mn).orElseThrow(() -> new IllegalArgumentException("no node " + mn + " in " + t));
        Node b = t.node(cn).orElseThrow(() -> new IllegalArgumentException("no node " + cn + " in " + t));
        Segment sa = t.segment(a.segment()).orElseThrow();
        Segment sb = t.segment(b.segment()).orElseThrow();
        if (sa.kind().hasIpv6() && sb.kind().hasIpv6()) {
            return new Expected("direct", false, Rule.IPV6, "both ends have IPv6, which has no NAT");
        }
        if (!(sa.kind().hasIpv4() && sb.kind().hasIpv4())) {
            return new Expected("relay", false, Rule.NO_COMMON_FAMILY,
                    "no IP version in common: an RS with both relays");
        }
        List<String> ca = chain(t, a.segment());
        List<String> cb = chain(t, b.segment());
        boolean natA = ca.size() > 1;
        boolean natB = cb.size() > 1;
        boolean bothNated = natA && natB;
        int ia = -1;
        int ib = -1;
        for (int i = 0; i < ca.size() && ia < 0; i++) {
            int j = cb.indexOf(ca.get(i));
            if (j >= 0) {
                ia = i;
                ib = j;
            }
        }
        if (ia < 0) {
            return new Expected("relay", false, Rule.DISCONNECTED, "no IPv4 segment in common");
        }
        List<Router> own = routersBelow(t, ca, ia);
        List<Router> theirs = routersBelow(t, cb, ib);
        String meet = ca.get(ia);
        if (bothNated && (own.isEmpty() || theirs.isEmpty()) && !domain(a).equals(domain(b))) {
            // the way between them is a private segment: only host endpoints reach it, and a DC
            // hands those over only between two nodes of its own domain (docs/protocol.md)
            return new Expected("relay", false, own.isEmpty() && theirs.isEmpty() ? Rule.SAME_SEGMENT
                    : Rule.ONE_SIDE_OPEN, "they meet on the private segment " + meet + ", but host endpoints are"
                    + " handed over only within one domain (" + domain(a) + ", " + domain(b) + ")");
        }
        if (own.isEmpty() && theirs.isEmpty()) {
            return new Expected("direct", bothNated, Rule.SAME_SEGMENT, bothNated
                    ? "same segment " + meet + " behind a NAT: the DC sees both NATed; the host endpoints it hands"
                    + " over after the shared public address go direct"
                    : "same segment " + meet + ", no NAT between");
        }
        if (own.isEmpty() || theirs.isEmpty()) {
            String open = own.isEmpty() ? mn : cn;
            return new Expected("direct", bothNated, Rule.ONE_SIDE_OPEN, bothNated
                    ? open + " sits on " + meet + ", which the other reaches through its own NATs; both share a"
                    + " public address, so the host endpoints are tried and the reply proves the path"
                    : open + " has no NAT on the way: the NATed end opens the path");
        }
        List<Router> all = routersBelow(t, ca, ca.size() - 1);
        List<Router> shared = all.subList(own.size(), all.size()); // from the NAT right above the meeting segment out
        Optional<String> punch = holePunch(own, theirs, mn, cn);
        if (shared.isEmpty()) {
            return punch.isEmpty()
                    ? new Expected("direct", true, Rule.TWO_NATS, "NATs on both sides: " + describe(own) + " and "
                    + describe(theirs) + " let route optimisation punch through")
                    : new Expected("relay", false, Rule.TWO_NATS, punch.get());
        }
        Router outermost = shared.get(shared.size() - 1);
        List<String> sharedNo = new ArrayList<>();
        if (!outermost.nat().hairpinning()) {
            sharedNo.add("the shared NAT " + outermost.name() + " does not hairpin");
        }
        shared.stream().filter(r -> !r.nat().endpointIndependentMapping()).forEach(r -> sharedNo.add(
                "the shared NAT " + r.name() + " maps per destination"));
        punch.ifPresent(sharedNo::add);
        return sharedNo.isEmpty()
                ? new Expected("direct", true, Rule.SHARED_NAT, "both behind the shared NAT " + outermost.name()
                + ", which hairpins the mapped addresses")
                : new Expected("relay", false, Rule.SHARED_NAT, "NATs on both sides below " + meet + ": "
                + String.join("; ", sharedNo));
    }

    /**
     * Whether route optimisation punches through own-side NATs {@code a} and {@code b}; empty if
     * it does, else why not. Each side PROBEs the other's mapping as the DC saw it. A side whose
     * NATs all map independently of the destination (RFC 4787 REQ-1) sends from that very
     * mapping, which the other side's PROBEs opened; a side that maps per destination sends from
     * a new port, which gets in only where the other side filters by address at most (it did send
     * to that address) and then learns the path from the answer (with a triggered PROBE back,
     * RFC 8445 section 7.3.1.4). Both mapping per destination: nothing is predictable.
     */
    static Optional<String> holePunch(List<Router> a, List<Router> b, String mn, String cn) {
        boolean eimA = a.stream().allMatch(r -> r.nat().endpointIndependentMapping());
        boolean eimB = b.stream().allMatch(r -> r.nat().endpointIndependentMapping());
        if (eimA && eimB) {
            return Optional.empty();
        }
        if (!eimA && !eimB) {
            return Optional.of("both sides map per destination (" + describe(a) + ", " + describe(b)
                    + "): route optimisation cannot predict either mapping");
        }
        List<Router> open = eimA ? a : b;
        Optional<Router> strict = open.stream()
                .filter(r -> r.nat().filtering() == NatType.Filtering.ADDRESS_AND_PORT_DEPENDENT).findFirst();
        return strict.map(r -> (eimA ? cn : mn) + " maps per destination and " + r.name() + " on "
                + (eimA ? mn : cn) + "'s side filters by address and port: the PROBE from the new mapping is"
                + " dropped");
    }

    private static String domain(Node n) {
        return n.fqdn().substring(n.fqdn().indexOf('.') + 1);
    }

    /** The segment chain of a node: its own segment, then each NAT's outside, to a segment without NAT. */
    public static List<String> chain(Topology t, String segment) {
        List<String> out = new ArrayList<>();
        String s = segment;
        while (s != null && !out.contains(s)) {
            out.add(s);
            s = t.gatewayOf(s).map(Router::outside).orElse(null);
        }
        return out;
    }

    /** The NATs a chain passes before reaching its segment at {@code index}. */
    private static List<Router> routersBelow(Topology t, List<String> chain, int index) {
        List<Router> out = new ArrayList<>();
        for (int i = 0; i < index; i++) {
            out.add(t.gatewayOf(chain.get(i)).orElseThrow());
        }
        return out;
    }

    private static String describe(List<Router> rs) {
        return String.join(" + ", rs.stream().map(r -> r.name() + " " + r.nat().yamlName()).toList());
    }
}
