package org.ntmlab.lab.topology;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same topology on other prefixes, so that a second lab of it runs beside the first on one
 * Docker engine (Docker refuses a network whose subnet overlaps another's). Every segment prefix
 * moves to a prefix of the same length in the relocation slot's own pools, and every address
 * moves with its segment, keeping its host number: 198.51.100.40 in 198.51.100.0/24 becomes
 * 198.18.16.40 in slot 1. Names, roles, NAT types and the matrix do not change, so whatever a
 * scenario reads from the topology (addresses included) stays true; a test that writes an
 * address literal does not, which is why a lab relocates only when asked
 * ({@code LabOptions.withRelocation}, docs/lab.md "Parallel labs").
 *
 * <p>Pools of slot {@code k} (1 to {@link #MAX_SLOT}), one family class each, so a relocated
 * address keeps the class the node library judges it by ({@code HostEndpoints.isPrivate}):
 * <ul>
 *   <li>public IPv4 (the RFC 5737 ranges): the /20 {@code 198.18.0.0 + k*4096} of 198.18.0.0/15,
 *       the RFC 2544 range set aside for benchmarking networks, which no lab file uses;</li>
 *   <li>RFC 1918 IPv4: the /15 {@code 10.(128+2k).0.0} (room for a /16 carrier network and the
 *       home networks behind it);</li>
 *   <li>RFC 6598 IPv4 (the inside of a carrier-grade NAT): {@code 100.(96+k).0.0/16};</li>
 *   <li>IPv6: {@code 2001:db8:(f000+k)::/48} of the RFC 3849 range.</li>
 * </ul>
 * Inside a pool, segments are laid out widest first, each aligned to its own size.
 */
public final class Relocation {

    /** Slots 1..31: the public IPv4 pool holds 32 /20s. */
    public static final int MAX_SLOT = 31;
    /** RFC 2544: 198.18.0.0/15 for benchmark tests of network devices; a relocation target only. */
    public static final Cidr BENCHMARK = Cidr.of("198.18.0.0/15");

    private Relocation() {
    }

    /**
     * The prefix moves of slot {@code slot} for {@code t}: each segment's IPv4 and IPv6 prefix to
     * its new one. Throws {@link IllegalArgumentException} for a slot out of range or a
     * topology whose prefixes do not fit the slot's pools.
     */
    public static Map<Cidr, Cidr> moves(Topology t, int slot) {
        if (slot < 1 || slot > MAX_SLOT) {
            throw new IllegalArgumentException("relocation slot " + slot + " out of range 1.." + MAX_SLOT);
        }
        Map<String, Pool> pools = new HashMap<>();
        Map<Cidr, Cidr> out = new LinkedHashMap<>();
        List<Map.Entry<Cidr, String>> wanted = new ArrayList<>();
        for (Segment s : t.segments()) {
            for (Cidr c : new Cidr[] {s.ipv4(), s.ipv6()}) {
                if (c != null) {
                    wanted.add(Map.entry(c, s.name()));
                }
            }
        }
        // widest first: aligned, they then fill the pool without gaps
        wanted.sort(java.util.Comparator.comparingInt(e -> e.getKey().prefixLength()));
        for (Map.Entry<Cidr, String> e : wanted) {
            Cidr c = e.getKey();
            if (!out.containsKey(c)) {
                Pool pool = pools.computeIfAbsent(poolClass(c), k -> new Pool(poolOf(k, slot)));
                out.put(c, pool.take(c, t.source() + ": segment " + e.getValue()));
            }
        }
        return out;
    }

    /** {@code t} on the prefixes of slot {@code slot} ({@link #moves}); {@link Topology#relocation()} says which. */
    public static Topology relocate(Topology t, int slot) {
        Map<Cidr, Cidr> moves = moves(t, slot);
        List<Segment> segments = new ArrayList<>();
        for (Segment s : t.segments()) {
            segments.add(new Segment(s.name(), s.kind(), moved(moves, s.ipv4()), moved(moves, s.ipv6()), s.behind()));
        }
        List<Router> routers = new ArrayList<>();
        for (Router r : t.routers()) {
            routers.add(new Router(r.name(), r.nat(), r.mappingTimeout(), r.inside(), r.outside(),
                    address(moves, r.insideAddress()), address(moves, r.outsideAddress())));
        }
        List<Server> servers = new ArrayList<>();
        for (Server s : t.servers()) {
            List<Attachment> attach = new ArrayList<>();
            for (Attachment a : s.attach()) {
                attach.add(new Attachment(a.segment(), address(moves, a.ipv4()), address(moves, a.ipv6())));
            }
            servers.add(new Server(s.name(), s.role(), attach, s.domain()));
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : t.nodes()) {
            nodes.add(new Node(n.name(), n.fqdn(), n.segments(), address(moves, n.ipv4()), address(moves, n.ipv6())));
        }
        return new Topology(t.name(), t.description(), segments, routers, servers, nodes, t.impairments(),
                t.matrix(), new Problems(t.source(), Map.of()), slot);
    }

    /** Where {@code a} moves: the same host number in its segment's new prefix; unchanged outside every moved prefix. */
    static InetAddress address(Map<Cidr, Cidr> moves, InetAddress a) {
        if (a == null) {
            return null;
        }
        for (Map.Entry<Cidr, Cidr> e : moves.entrySet()) {
            if (e.getKey().contains(a)) {
                return e.getValue().host(e.getKey().indexOf(a));
            }
        }
        return a;
    }

    private static Cidr moved(Map<Cidr, Cidr> moves, Cidr c) {
        return c == null ? null : moves.getOrDefault(c, c);
    }

    private static String poolClass(Cidr c) {
        if (c.isIpv6()) {
            return "v6";
        }
        if (c.within(Cidr.PRIVATE_10) || c.within(Cidr.PRIVATE_192_168)) {
            return "rfc1918";
        }
        return c.within(Cidr.SHARED_100_64) ? "rfc6598" : "public";
    }

    private static Cidr poolOf(String cls, int slot) {
        return switch (cls) {
            case "v6" -> Cidr.of("2001:db8:" + Integer.toHexString(0xf000 + slot) + "::/48");
            case "rfc1918" -> Cidr.of("10." + (128 + 2 * slot) + ".0.0/15");
            case "rfc6598" -> Cidr.of("100." + (96 + slot) + ".0.0/16");
            default -> new Cidr(BENCHMARK.host(4096L * slot), 20);
        };
    }

    /** Hands out aligned prefixes of one pool in order. */
    private static final class Pool {
        private final Cidr range;
        /** Host number in {@code range} of the next free address. */
        private BigInteger next = BigInteger.ZERO;

        Pool(Cidr range) {
            this.range = range;
        }

        Cidr take(Cidr like, String what) {
            BigInteger size = like.size();
            // the range itself is aligned to its size, so aligning the host number aligns the prefix
            BigInteger aligned = next.add(size).subtract(BigInteger.ONE).divide(size).multiply(size);
            if (like.prefixLength() < range.prefixLength() || aligned.add(size).compareTo(range.size()) > 0) {
                throw new IllegalArgumentException(what + ": " + like + " does not fit the relocation pool "
                        + range + " beside the topology's other prefixes (docs/lab.md \"Parallel labs\")");
            }
            next = aligned.add(size);
            return new Cidr(range.host(aligned), like.prefixLength());
        }
    }
}
