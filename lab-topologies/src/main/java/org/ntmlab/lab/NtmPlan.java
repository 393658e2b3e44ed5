package org.ntmlab.lab;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.PathOracle;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.SegmentKind;
import org.ntmlab.lab.topology.Topology;

/**
 * Who in a topology plays which NTMobile part and which addresses they talk to, whichever backend
 * starts them ({@link NtmDeployment} in Docker, {@code memory.MemoryBackend} in memory), so both
 * start the same deployment: one AS (the first), the DC of each domain, the RSs (all belong to the
 * first DC: an RS shares its secret with one DC), and for each node the AS and DC addresses it
 * reaches. What a host reaches: the segments it is attached to and, from a private one, the
 * outsides of the NATs above it; a server is reached at its address on the first of those
 * segments where it has one of the family. A server listens on one address per family, its first
 * (as {@code ntm dc --bind4/--bind6} and {@code ntm rs} do).
 */
public final class NtmPlan {
    private final Topology t;

    public NtmPlan(Topology t) {
        this.t = t;
    }

    public Topology topology() {
        return t;
    }

    /** The AS (the first server with that role). */
    public Server as() {
        return single(ServerRole.AS);
    }

    /** The first server of {@code role}; a {@link LabException} naming the file if there is none. */
    public Server single(ServerRole role) {
        return t.servers().stream().filter(s -> s.role() == role).findFirst().orElseThrow(() -> new LabException(
                t.source() + ": NTMobile needs a server with role " + role.yamlName()));
    }

    /** Every RS, in file order. */
    public List<Server> relays() {
        return t.servers().stream().filter(s -> s.role() == ServerRole.RS).toList();
    }

    /**
     * Each DC with the domain it serves, in topology order. A single DC without a {@code domain}
     * serves the nodes' common domain (what follows the first label of every FQDN; all must agree).
     */
    public Map<String, Server> dcsByDomain() {
        List<Server> dcs = t.servers().stream().filter(s -> s.role() == ServerRole.DC).toList();
        if (dcs.isEmpty()) {
            throw new LabException(t.source() + ": NTMobile needs a server with role " + ServerRole.DC.yamlName());
        }
        Map<String, Server> out = new LinkedHashMap<>();
        if (dcs.size() == 1 && dcs.get(0).domain() == null) {
            List<String> domains = t.nodes().stream().map(Node::domain).distinct().toList();
            if (domains.size() != 1) {
                throw new LabException(t.source() + ": all nodes must be in one DC domain, found " + domains
                        + " (or give each DC its domain)");
            }
            out.put(domains.get(0), dcs.get(0));
            return out;
        }
        for (Server dc : dcs) {
            out.put(dc.domain(), dc); // the validator made sure each has a distinct one
        }
        return out;
    }

    /** The DC a node registers with: the one of its FQDN's domain. */
    public Server dcOf(Node n) {
        Map<String, Server> dcs = dcsByDomain();
        return dcs.size() == 1 ? dcs.values().iterator().next() : dcs.get(n.domain());
    }

    /**
     * The DC addresses a node registers with ({@code --dc4}, {@code --dc6}): its DC's address of
     * each family the node has, on a segment the node reaches.
     */
    public record DcAddresses(Server dc, Optional<InetAddress> v4, Optional<InetAddress> v6) {
    }

    /**
     * The DC addresses of node {@code n}; a mobile node also gets those of the segments it will
     * move to ({@code roaming}) and the families it will have there.
     *
     * @throws LabException when the node reaches no address of its DC
     */
    public DcAddresses dcAddresses(Node n, List<String> roaming) {
        Server dc = dcOf(n);
        List<String> reach = new ArrayList<>(segmentsReachableFrom(n.name()));
        // a dual-stack node has an address of each family, on two segments
        boolean v4 = t.addresses().of(n.name()).stream().anyMatch(a -> a.ipv4() != null);
        boolean v6 = t.addresses().of(n.name()).stream().anyMatch(a -> a.ipv6() != null);
        for (String seg : roaming) {
            SegmentKind kind = t.segment(seg).orElseThrow().kind();
            v4 |= kind.hasIpv4();
            v6 |= kind.hasIpv6();
            addChain(reach, seg);
        }
        Optional<InetAddress> dc4 = v4 ? reachable(dc, reach, false) : Optional.empty();
        Optional<InetAddress> dc6 = v6 ? reachable(dc, reach, true) : Optional.empty();
        if (dc4.isEmpty() && dc6.isEmpty()) {
            throw new LabException(t.source() + ": node '" + n.name() + "' cannot reach DC '" + dc.name() + "'");
        }
        return new DcAddresses(dc, dc4, dc6);
    }

    /**
     * The other DCs a DC works with (several domains, docs/protocol.md): each other domain, with
     * the address this DC reaches that domain's DC at (where its DNS responder answers).
     */
    public Map<String, InetAddress> peerDcs(Server dc) {
        Map<String, InetAddress> out = new LinkedHashMap<>();
        List<String> reach = segmentsReachableFrom(dc.name());
        dcsByDomain().forEach((domain, other) -> {
            if (other != dc) {
                out.put(domain, reachableAddress(other, reach, dc.name()));
            }
        });
        return out;
    }

    /** Names the secret two domains share, the same from either side ({@code a|b}, sorted). */
    public static String pair(String domain, String other) {
        return domain.compareTo(other) < 0 ? domain + "|" + other : other + "|" + domain;
    }

    /** Adds {@code segment}'s chain ({@link PathOracle#chain}: it, then each NAT's outside) to {@code out}, once each. */
    private void addChain(List<String> out, String segment) {
        for (String s : PathOracle.chain(t, segment)) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
    }

    /** The host's own segments, plus for private ones the chain of NAT outsides above them. */
    public List<String> segmentsReachableFrom(String host) {
        List<String> out = new ArrayList<>();
        for (HostAddress a : t.addresses().of(host)) {
            addChain(out, a.segment());
        }
        return out;
    }

    /** Server {@code s}'s address of the family on the first of {@code segments} where it has one. */
    public Optional<InetAddress> reachable(Server s, List<String> segments, boolean v6) {
        for (String seg : segments) {
            Optional<HostAddress> a = t.addresses().find(s.name(), seg);
            if (a.isPresent() && (v6 ? a.get().ipv6() : a.get().ipv4()) != null) {
                return Optional.of(v6 ? a.get().ipv6() : a.get().ipv4());
            }
        }
        return Optional.empty();
    }

    /** As {@link #reachable}, IPv4 first; a {@link LabException} when {@code from} reaches neither. */
    public InetAddress reachableAddress(Server s, List<String> segments, String from) {
        return reachable(s, segments, false).or(() -> reachable(s, segments, true)).orElseThrow(() ->
                new LabException(t.source() + ": '" + from + "' shares no segment with " + s.role().yamlName() + " '"
                        + s.name() + "' (it reaches " + segments + ")"));
    }

    /** The host's first address of the family (the one a server listens on), or null. */
    public InetAddress firstAddress(String host, boolean v6) {
        return t.addresses().of(host).stream().map(a -> v6 ? a.ipv6() : a.ipv4()).filter(a -> a != null)
                .findFirst().orElse(null);
    }
}
