package org.ntmlab.lab.memory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ntmlab.lab.LabException;
import org.ntmlab.lab.NtmDeployment;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.NtmPlan;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.InterDcConfig;
import org.ntmlab.ntm.dc.RelayInfo;
import org.ntmlab.ntm.memlab.MemoryNtm;
import org.ntmlab.ntm.node.ControlHandler;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.NatRouter;
import org.ntmlab.ntm.transport.memory.Segment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's second backend: any validated topology, the same file the Docker lab ({@code Lab})
 * runs, started in this JVM on ntm-impl's in-memory network, with NTMobile's own DC, RS and node
 * code on it. Scenarios written against {@link NtmLab} (the connectivity matrix) run unchanged.
 *
 * <p>What is built, from the topology alone:
 * <ul>
 * <li>one memory segment per segment. As in the Docker lab (one Docker internal network per
 * segment, no routing between them) a segment reaches no other segment except through NAT routers:
 * none is joined to the others as an "Internet", whatever its kind, so two global segments do not
 * reach each other, on IPv4 or IPv6;</li>
 * <li>one {@link NatRouter} per router, from its inside to its outside segment at its outside
 * address, behaving as {@link MemoryNat} maps its NAT type; a router whose outside is another
 * private segment is a nested NAT (its traffic goes on through that segment's router);</li>
 * <li>one host per server and node with exactly the addresses of {@link Topology#addresses()}, so
 * the addresses the nodes see and report are those {@code PathOracle} and the matrix check;</li>
 * <li>the NTMobile deployment of {@link NtmPlan}, as {@link NtmDeployment} starts it in Docker:
 * every RS (RS ids 1, 2, ... in file order, each with its own secret, all known to the first DC),
 * one DC per domain with its DNS responder on port {@value NtmDeployment#DNS_PORT}, and with
 * several DCs a secret per pair of domains and the other DCs' DNS responders as resolvers (they
 * find each other as in Docker, docs/protocol.md "Several domains"); every node registers with the
 * DC of its domain at the DC addresses it reaches. Servers listen on their first address of each
 * family; ports, cipher suite (AES-128-GCM) and keepalive (10 s) are the CLI's defaults;</li>
 * <li><b>no AS</b>: a key store in this JVM stands in for it (ntm-impl's {@link MemoryNtm}); each
 * node gets its key as if it had logged in, and the DCs look keys up there. The AS's host is
 * still made, with its addresses, but nothing listens on it.</li>
 * </ul>
 * {@link #control(String)} runs each command line through the node's {@link ControlHandler}, as
 * the node's control socket does in Docker. {@link #start} returns once every node is registered.
 * Not modelled: impairments (refused), the kernel (no ICMP errors, no MTU, no TCP of the host), and
 * captures; see docs/lab.md, "Two backends".
 */
public final class InMemoryLab implements NtmLab {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryLab.class);
    /** How long {@link #start(Topology)} waits for every node to register. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** This run's manifest.json (org.ntmlab.lab.RunManifest), in the artifact folder. */
    private final Map<String, Object> manifest;
    /** The DC's keepalive interval, as {@code ntm dc}'s default. */
    static final int KEEPALIVE_SECONDS = 10;
    static final CipherSuite SUITE = CipherSuite.AES_128_GCM;

    private final Topology t;
    private final NtmPlan plan;
    private final MemoryNetwork net;
    private final MemoryNtm ntm = new MemoryNtm();
    private final Map<String, Segment> segments = new LinkedHashMap<>();
    private final Map<String, NatRouter> routers = new LinkedHashMap<>();
    private final Map<String, MemoryHost> hosts = new LinkedHashMap<>();
    private final Map<String, NtmNode> nodes = new LinkedHashMap<>();
    private final Map<String, ControlHandler> controls = new LinkedHashMap<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final Path artifactDir;
    private boolean closed;

    private InMemoryLab(Topology t) {
        this.t = t;
        this.plan = new NtmPlan(t);
        this.net = new MemoryNetwork(t.name().hashCode());
        this.manifest = new java.util.LinkedHashMap<>();
        this.artifactDir = Path.of(System.getProperty("ntm.lab.artifacts", "target/lab"), "memory", t.name())
                .toAbsolutePath();
    }

    /** Builds {@code topology} in memory, starts NTMobile and waits until every node is registered. */
    public static InMemoryLab start(Topology topology) {
        return start(topology, START_TIMEOUT);
    }

    /**
     * As {@link #start(Topology)}, waiting at most {@code timeout} for the nodes.
     *
     * @throws LabException naming the topology file and what could not be built, or the node that
     *                      did not register
     */
    public static InMemoryLab start(Topology topology, Duration timeout) {
        if (!topology.impairments().isEmpty()) {
            throw new LabException(topology.source() + ": the memory backend does not model impairments ("
                    + topology.impairments().size() + " in the file); run it on the Docker lab");
        }
        InMemoryLab lab = new InMemoryLab(topology);
        try {
            long t0 = System.nanoTime();
            lab.buildNetwork();
            lab.startNtm(timeout);
            LOG.info("event=memory-lab-up topology={} nodes={} ms={}", topology.name(), topology.nodes().size(),
                    (System.nanoTime() - t0) / 1_000_000);
            Map<String, Object> m = lab.manifest;
            m.putAll(org.ntmlab.lab.RunManifest.machine(null));
            m.put("backend", "memory");
            m.put("topology", topology.name());
            m.put("topologySource", topology.source());
            m.put("seed", topology.name().hashCode()); // MemoryNetwork's: the same topology, the same random choices
            m.put("moduleDir", System.getProperty("user.dir"));
            org.ntmlab.lab.RunManifest.write(lab.artifactDir, m);
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ building

    private void buildNetwork() {
        for (org.ntmlab.lab.topology.Segment s : t.segments()) {
            // false: not joined to other segments (see the class comment); a private one gets its router below
            segments.put(s.name(), net.segment(s.name(), false));
        }
        for (Router r : t.routers()) {
            InetAddress outside = t.addresses().on(r.name(), r.outside()).ipv4();
            routers.put(r.name(), net.natRouter(r.name(), segments.get(r.inside()), segments.get(r.outside()),
                    IpLiteral.format(outside), MemoryNat.behaviour(r)));
        }
        for (Server s : t.servers()) {
            host(s.name());
        }
        for (Node n : t.nodes()) {
            host(n.name());
        }
    }

    /** A host with the topology's addresses of {@code name}, each on its segment. */
    private MemoryHost host(String name) {
        MemoryHost h = net.host(name);
        for (HostAddress a : t.addresses().of(name)) {
            if (a.ipv4() != null) {
                h.attach(segments.get(a.segment()), IpLiteral.format(a.ipv4()));
            }
            if (a.ipv6() != null) {
                h.attach(segments.get(a.segment()), IpLiteral.format(a.ipv6()));
            }
        }
        hosts.put(name, h);
        return h;
    }

    private void startNtm(Duration timeout) {
        try {
            List<RelayInfo> relays = new ArrayList<>();
            for (Server rs : plan.relays()) {
                long id = relays.size() + 1;
                byte[] secret = ntm.secret();
                InetSocketAddress v4 = at(plan.firstAddress(rs.name(), false), NtmDeployment.RS_PORT);
                InetSocketAddress v6 = at(plan.firstAddress(rs.name(), true), NtmDeployment.RS_PORT);
                ntm.startRs(id, secret, SUITE, v4, v6, hosts.get(rs.name()), "rs-" + rs.name());
                relays.add(new RelayInfo(id, v4, v6, secret));
            }
            Map<String, byte[]> pairSecrets = new LinkedHashMap<>();
            boolean first = true;
            for (Map.Entry<String, Server> e : plan.dcsByDomain().entrySet()) {
                startDc(e.getValue(), e.getKey(), first ? relays : List.of(), pairSecrets);
                first = false;
            }
        } catch (IOException e) {
            throw new LabException(t.source() + ": a server could not open its sockets: " + e.getMessage(), e);
        }
        Map<String, CompletableFuture<Void>> registered = new LinkedHashMap<>();
        for (Node n : t.nodes()) {
            NtmPlan.DcAddresses dcs = plan.dcAddresses(n, List.of());
            NodeConfig config = new NodeConfig(dcs.v4().map(a -> at(a, NtmDeployment.DC_PORT)).orElse(null),
                    dcs.v6().map(a -> at(a, NtmDeployment.DC_PORT)).orElse(null), NtmDeployment.NODE_PORT, SUITE);
            NtmNode node = ntm.node(config, n.fqdn(), hosts.get(n.name()), "node-" + n.name());
            nodes.put(n.name(), node);
            controls.put(n.name(), new ControlHandler(node));
            registered.put(n.name(), node.start());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, CompletableFuture<Void>> e : registered.entrySet()) {
            String name = e.getKey();
            try {
                e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException x) {
                NtmNode n = nodes.get(name);
                throw new LabException(t.source() + ": node '" + name + "' not registered after " + timeout.toSeconds()
                        + " s (DC " + n.config().dcV4() + " / " + n.config().dcV6() + ", counters " + n.counters()
                        + ")");
            } catch (ExecutionException x) {
                throw new LabException(t.source() + ": node '" + name + "' could not register: " + x.getCause(),
                        x.getCause());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while node '" + name + "' registered", x);
            }
            note("ntm " + name + " " + control(name).send("status"));
        }
    }

    /** One DC: its domain, the RSs it knows, and the other domains' DCs, found through their DNS. */
    private void startDc(Server dc, String domain, List<RelayInfo> relays, Map<String, byte[]> pairSecrets)
            throws IOException {
        InetSocketAddress v4 = at(plan.firstAddress(dc.name(), false), NtmDeployment.DC_PORT);
        InetSocketAddress v6 = at(plan.firstAddress(dc.name(), true), NtmDeployment.DC_PORT);
        List<InetSocketAddress> dns = new ArrayList<>();
        for (InetSocketAddress a : new InetSocketAddress[] {v4, v6}) {
            if (a != null) {
                dns.add(new InetSocketAddress(a.getAddress(), NtmDeployment.DNS_PORT));
            }
        }
        Map<String, byte[]> peers = new LinkedHashMap<>();
        List<InetSocketAddress> resolvers = new ArrayList<>();
        for (Map.Entry<String, InetAddress> other : plan.peerDcs(dc).entrySet()) {
            peers.put(other.getKey(), pairSecrets.computeIfAbsent(NtmPlan.pair(domain, other.getKey()),
                    k -> ntm.secret()));
            resolvers.add(new InetSocketAddress(other.getValue(), NtmDeployment.DNS_PORT));
        }
        ntm.startDc(new DcConfig(domain, v4, v6, dns, relays, SUITE, KEEPALIVE_SECONDS,
                new InterDcConfig(peers, resolvers, List.of())), hosts.get(dc.name()), "dc-" + dc.name());
    }

    private static InetSocketAddress at(InetAddress a, int port) {
        return a == null ? null : new InetSocketAddress(a, port);
    }

    // ------------------------------------------------------------------ NtmLab

    @Override
    public String backend() {
        return "memory";
    }

    /** Adds a fact to this run's manifest.json (e.g. the CLI's {@code rerun}) and writes it again. */
    public synchronized void manifest(String key, Object value) {
        manifest.put(key, value);
        org.ntmlab.lab.RunManifest.write(artifactDir, manifest);
    }

    @Override
    public Topology topology() {
        return t;
    }

    /**
     * The node's control channel: each line goes through its {@link ControlHandler} in order on
     * the caller's thread; a command that throws answers {@code ERR <why>}, as on the control socket.
     */
    @Override
    public NodeControl control(String node) {
        ControlHandler h = named(controls, "node", node);
        return new NodeControl(node, lines -> {
            List<String> out = new ArrayList<>();
            for (String line : lines) {
                out.add(reply(h, line));
            }
            return out;
        });
    }

    private static String reply(ControlHandler h, String line) {
        try {
            return h.handle(line.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ERR interrupted";
        } catch (Exception e) {
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return "ERR " + String.valueOf(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage())
                    .replace('\n', ' ');
        }
    }

    /** The running node (for scenarios that need more than the control channel). */
    public NtmNode node(String name) {
        return named(nodes, "node", name);
    }

    /** The in-memory network (taps, counters). */
    public MemoryNetwork network() {
        return net;
    }

    /** A router's in-memory NAT (counters, {@code flushMappings}). */
    public NatRouter router(String name) {
        return named(routers, "router", name);
    }

    private <T> T named(Map<String, T> all, String kind, String name) {
        T x = all.get(name);
        if (x == null) {
            throw new LabException("no " + kind + " '" + name + "' in " + t.name() + " (" + kind + "s: " + all.keySet()
                    + ")");
        }
        return x;
    }

    /** Where lab.txt goes: {@code <ntm.lab.artifacts, default target/lab>/memory/<topology>/}. */
    @Override
    public Path artifactDir() {
        return artifactDir;
    }

    @Override
    public void note(String line) {
        notes.add(line);
    }

    /** Writes lab.txt (hosts, addresses, notes, network and NAT counters), then stops every part. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writeNotes();
        } finally {
            ntm.close();
            net.close();
        }
    }

    private void writeNotes() {
        StringBuilder sb = new StringBuilder("topology=").append(t.name()).append(" source=").append(t.source())
                .append(" backend=memory\n");
        for (String host : hosts.keySet()) {
            sb.append(host);
            for (HostAddress a : t.addresses().of(host)) {
                sb.append(' ').append(a.segment()).append(a.ipv4() == null ? "" : " " + IpLiteral.format(a.ipv4()))
                        .append(a.ipv6() == null ? "" : " " + IpLiteral.format(a.ipv6()));
            }
            sb.append('\n');
        }
        notes.forEach(n -> sb.append(n).append('\n'));
        sb.append("network delivered=").append(net.delivered()).append(" dropped=").append(net.dropped()).append('\n');
        routers.forEach((name, r) -> sb.append("router ").append(name).append(" filteredInbound=")
                .append(r.filteredInbound()).append(" (").append(r.behaviour()).append(")\n"));
        nodes.forEach((name, n) -> sb.append("counters ").append(name).append(' ').append(n.counters()).append('\n'));
        try {
            Files.createDirectories(artifactDir);
            Files.writeString(artifactDir.resolve("lab.txt"), sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("event=note-write-failed dir={} error={}", artifactDir, e.toString());
        }
    }
}
