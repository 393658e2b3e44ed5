package org.ntmlab.lab.topology;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every address in a topology: the ones the file gives and the ones the lab picks.
 *
 * <p>Rules: Docker's bridge owns {@code .1}; a router's inside interface defaults to
 * {@code .254}; other hosts without an address get the lowest free one from {@code .10}
 * up, in file order (routers, servers, nodes). A router the lab builds as 1:1 NAT (full cone,
 * restricted cone, any hairpinning one: {@link NatType#dockerOneToOne()}) maps each inside
 * host to its own outside address: the router's outside address for the first, newly
 * allocated ones for the others. IPv6-only segments get an IPv4 prefix from 10.255.0.0/16
 * only because Docker requires one; the lab removes those addresses from containers.
 */
public final class AddressPlan {
    /** First host number handed out automatically (room below for hand-picked addresses). */
    static final int FIRST_AUTO_HOST = 10;
    /** A router's default inside address: never Docker's {@code .1}. */
    static final int ROUTER_INSIDE_HOST = 254;

    /** One host's interface on one segment. Addresses are null where the segment has no such family. */
    public record HostAddress(String segment, InetAddress ipv4, InetAddress ipv6) {
    }

    private final Map<String, List<HostAddress>> byHost = new LinkedHashMap<>();
    private final Map<String, Cidr> dockerIpv4 = new HashMap<>();
    private final Map<String, Map<InetAddress, InetAddress>> oneToOne = new HashMap<>();
    private final Map<String, List<InetAddress>> used = new HashMap<>();
    private final Topology topology;

    private AddressPlan(Topology topology) {
        this.topology = topology;
    }

    static AddressPlan allocate(Topology t, Problems p) {
        AddressPlan plan = new AddressPlan(t);
        java.util.Set<Integer> auxUsed = new java.util.HashSet<>();
        for (Segment s : t.segments()) {
            if (s.kind() == SegmentKind.IPV6_ONLY) {
                // The /24 is picked from the IPv6 prefix (its third 16-bit group, folded to a
                // byte: 2001:db8:6:: -> 10.255.6.0/24), so labs with different IPv6 prefixes
                // also get different Docker IPv4 pools and can run on one engine at once.
                byte[] v6 = s.ipv6().network().getAddress();
                int aux = ((v6[4] & 0xff) ^ (v6[5] & 0xff)) & 0xff;
                while (!auxUsed.add(aux)) {
                    aux = (aux + 1) & 0xff;
                }
                plan.dockerIpv4.put(s.name(), new Cidr(Cidr.LAB_RESERVED.host(256L * aux), 24));
            } else {
                plan.dockerIpv4.put(s.name(), s.ipv4());
            }
        }
        // 1. Hand-picked addresses, so automatic ones never collide with them.
        for (int i = 0; i < t.routers().size(); i++) {
            Router r = t.routers().get(i);
            plan.claim(p, "routers[" + i + "].insideAddress", r.inside(), r.insideAddress());
            plan.claim(p, "routers[" + i + "].outsideAddress", r.outside(), r.outsideAddress());
        }
        for (int i = 0; i < t.servers().size(); i++) {
            for (int j = 0; j < t.servers().get(i).attach().size(); j++) {
                Attachment a = t.servers().get(i).attach().get(j);
                String at = "servers[" + i + "].attach[" + j + "]";
                plan.claim(p, at + ".ipv4", a.segment(), a.ipv4());
                plan.claim(p, at + ".ipv6", a.segment(), a.ipv6());
            }
        }
        for (int i = 0; i < t.nodes().size(); i++) {
            Node n = t.nodes().get(i);
            plan.claim(p, "nodes[" + i + "].ipv4", n.segmentWith(t, false).map(Segment::name).orElse(n.segment()),
                    n.ipv4());
            plan.claim(p, "nodes[" + i + "].ipv6", n.segmentWith(t, true).map(Segment::name).orElse(n.segment()),
                    n.ipv6());
        }
        // 2. Router inside addresses default to .254.
        for (int i = 0; i < t.routers().size(); i++) {
            Router r = t.routers().get(i);
            InetAddress in = r.insideAddress();
            if (in == null) {
                in = t.segment(r.inside()).orElseThrow().ipv4().host(ROUTER_INSIDE_HOST);
                plan.claim(p, "routers[" + i + "].inside", r.inside(), in);
            }
            InetAddress out = r.outsideAddress() != null ? r.outsideAddress() : plan.next(r.outside(), false);
            plan.byHost.put(r.name(), List.of(new HostAddress(r.inside(), in, null),
                    new HostAddress(r.outside(), out, null)));
        }
        // 3. Everything else, in file order.
        for (Server s : t.servers()) {
            List<HostAddress> list = new ArrayList<>();
            for (Attachment a : s.attach()) {
                list.add(plan.fill(a.segment(), a.ipv4(), a.ipv6()));
            }
            plan.byHost.put(s.name(), List.copyOf(list));
        }
        for (Node n : t.nodes()) {
            List<HostAddress> list = new ArrayList<>();
            for (String seg : n.segments()) {
                // a dual-stack node's fixed IPv4 address belongs to its IPv4 segment, IPv6 to its IPv6 one
                Segment s = t.segment(seg).orElseThrow();
                list.add(plan.fill(seg, s.kind().hasIpv4() ? n.ipv4() : null, s.kind().hasIpv6() ? n.ipv6() : null));
            }
            plan.byHost.put(n.name(), List.copyOf(list));
        }
        // 4. 1:1 NAT mappings.
        for (Router r : t.routers()) {
            if (!r.nat().dockerOneToOne()) {
                continue;
            }
            Map<InetAddress, InetAddress> map = new LinkedHashMap<>();
            InetAddress routerOut = plan.on(r.name(), r.outside()).ipv4();
            for (var e : plan.byHost.entrySet()) {
                if (e.getKey().equals(r.name())) {
                    continue;
                }
                for (HostAddress h : e.getValue()) {
                    if (h.segment().equals(r.inside()) && h.ipv4() != null) {
                        map.put(h.ipv4(), map.isEmpty() ? routerOut : plan.next(r.outside(), false));
                    }
                }
            }
            plan.oneToOne.put(r.name(), map);
        }
        return plan;
    }

    private void claim(Problems p, String at, String segment, InetAddress a) {
        if (a == null) {
            return;
        }
        List<InetAddress> list = used.computeIfAbsent(segment, k -> new ArrayList<>());
        if (list.contains(a)) {
            p.add(at, IpLiteral.format(a) + " is used twice on segment '" + segment + "'");
        }
        list.add(a);
    }

    private HostAddress fill(String segment, InetAddress v4, InetAddress v6) {
        Segment s = topology.segment(segment).orElseThrow();
        InetAddress a4 = s.ipv4() == null ? null : v4 != null ? v4 : next(segment, false);
        InetAddress a6 = s.ipv6() == null ? null : v6 != null ? v6 : next(segment, true);
        return new HostAddress(segment, a4, a6);
    }

    /** Lowest free address from .10 up on the segment; also used for lab helpers (STUN server). */
    synchronized InetAddress next(String segment, boolean v6) {
        Segment s = topology.segment(segment).orElseThrow();
        Cidr c = v6 ? s.ipv6() : s.ipv4();
        List<InetAddress> list = used.computeIfAbsent(segment, k -> new ArrayList<>());
        BigInteger last = c.size().subtract(BigInteger.TWO); // skip broadcast (v4)
        for (long i = FIRST_AUTO_HOST; BigInteger.valueOf(i).compareTo(last) <= 0; i++) {
            InetAddress a = c.host(i);
            if (i != ROUTER_INSIDE_HOST && !list.contains(a)) {
                list.add(a);
                return a;
            }
        }
        throw new TopologyException(List.of(new TopologyException.Problem(topology.source(), 0,
                "segments." + segment, "no free " + (v6 ? "IPv6" : "IPv4") + " address left in " + c)));
    }

    /** Allocates {@code count} more IPv4 addresses on a segment for a lab helper container. */
    public List<InetAddress> allocateIpv4(String segment, int count) {
        List<InetAddress> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(next(segment, false));
        }
        return out;
    }

    /** The host's interfaces in attachment order (routers: inside, then outside). */
    public List<HostAddress> of(String host) {
        List<HostAddress> l = byHost.get(host);
        if (l == null) {
            throw new IllegalArgumentException("no host '" + host + "' in " + topology);
        }
        return l;
    }

    public HostAddress on(String host, String segment) {
        return find(host, segment).orElseThrow(() -> new IllegalArgumentException(
                "host '" + host + "' is not on segment '" + segment + "'"));
    }

    public Optional<HostAddress> find(String host, String segment) {
        return of(host).stream().filter(h -> h.segment().equals(segment)).findFirst();
    }

    /** The subnets of the Docker networks the topology makes: what another lab must not overlap. */
    public List<Cidr> dockerSubnets() {
        List<Cidr> out = new java.util.ArrayList<>();
        for (Segment s : topology.segments()) {
            out.add(dockerIpv4(s.name()));
            if (s.ipv6() != null) {
                out.add(s.ipv6());
            }
        }
        return out;
    }

    /** The IPv4 prefix Docker is given for the segment (a 10.255.x.0/24 for IPv6-only ones). */
    public Cidr dockerIpv4(String segment) {
        return dockerIpv4.get(segment);
    }

    /** For a 1:1 router ({@link NatType#dockerOneToOne()}): inside address -> its static outside address. */
    public Map<InetAddress, InetAddress> oneToOne(String router) {
        return oneToOne.getOrDefault(router, Map.of());
    }
}
