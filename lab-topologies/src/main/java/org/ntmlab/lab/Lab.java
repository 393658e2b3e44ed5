package org.ntmlab.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.nfq.IpsetCreate;
import org.ntmlab.lab.nfq.NfqDelay;
import org.ntmlab.lab.topology.AddressPlan;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.Cidr;
import org.ntmlab.lab.topology.Impairment;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Relocation;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.SegmentKind;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * A running topology: one Docker internal network per segment, one container per router,
 * server and node, NAT rules, routes, impairments and captures. Close it to copy captures
 * and logs to {@code <artifacts>/<topology>/} and remove everything.
 *
 * <pre>{@code
 * try (Lab lab = Lab.start(Topology.load(Path.of("topologies/table1.yaml")))) {
 *     lab.host("p1").execOk("ping -c1 198.51.100.40");
 * }
 * }</pre>
 */
public final class Lab implements NtmLab {
    private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
    /**
     * Where every container writes its captures: the lab's artifact directory, bind-mounted, so
     * a capture is already in place when tcpdump stops. Copying them out through the Docker API
     * took a minute per mobility run (issue 8: ~1.4 GB of pcaps through Testcontainers' tar
     * stream), longer than the moves themselves.
     */
    static final String CAPTURE_DIR = "/tmp/ntm-cap";

    private final Topology topology;
    private final LabOptions options;
    private final String runId;
    private final DockerClient client;
    private final Map<String, Network> networks = new LinkedHashMap<>();
    private final Map<String, LabHost> hosts = new LinkedHashMap<>();
    private final Map<String, LabHost> stunServers = new HashMap<>();
    private final Map<String, String> stunAddresses = new HashMap<>();
    private final List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Mobile node -> further segments it will move to (set by {@link LabMobility}). */
    private final Map<String, List<String>> roaming = new HashMap<>();
    private final Path artifactDir;
    private Thread shutdownHook;
    private boolean closed;
    /** The address blocks {@link LabLock} holds for this lab until {@link #close()}. */
    private List<String> subnetLocks = List.of();
    private Boolean netem;
    private final ContainerJava containerJava = new ContainerJava();
    private final NfqDelayRunner nfqDelay = new NfqDelayRunner(containerJava);
    private int runtimeImpairments;
    /** This run's manifest.json (RunManifest): the machine, the build, the lab. */
    private final Map<String, Object> manifest = new LinkedHashMap<>();

    private Lab(Topology topology, LabOptions options) {
        this.topology = topology;
        this.options = options;
        this.runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        // a relocated copy runs beside the file's own lab: its artifacts must not mix with them
        this.artifactDir = options.artifacts().resolve(topology.name()
                + (topology.relocation() == 0 ? "" : "-relocated-" + topology.relocation())).toAbsolutePath();
        this.client = connectDocker();
    }

    /** Starts a topology with {@link LabOptions#defaults()}. */
    public static Lab start(Topology topology) {
        return start(topology, LabOptions.defaults());
    }

    public static Lab start(Topology topology, LabOptions options) {
        if (options.verifyNat()) {
            // refused before any container starts (issue 12, pre-flight)
            List<String> alone = org.ntmlab.lab.topology.Preflight.uncheckableRouters(topology).stream()
                    .map(r -> r.name() + " (inside " + r.inside() + ")").toList();
            if (!alone.isEmpty()) {
                throw new LabException(topology.source() + ": no node or server behind router(s) " + alone
                        + " to check the NAT from (stun-client runs behind the router, docs/lab.md \"NAT"
                        + " verification\"); add one, or start the lab without the NAT check");
            }
        }
        // Kept labs (./ntm-lab up --keep) outlive their JVM and with it their LabLock: their
        // networks are looked up in Docker instead.
        List<KeptNetwork> kept = keptNetworks(connectDocker());
        List<String> subnetLocks = null;
        if (options.relocate()) {
            // the file's prefixes if free, else the first relocation slot no lab holds (issue 14,
            // parallel labs); when all are taken, wait for the file's own like any lab
            subnetLocks = tryAcquire(topology, kept);
            for (int slot = 1; subnetLocks == null && slot <= Relocation.MAX_SLOT; slot++) {
                Topology moved = topology.relocated(slot);
                subnetLocks = tryAcquire(moved, kept);
                if (subnetLocks != null) {
                    LOG.info("event=lab-relocated topology={} slot={} (another lab holds its prefixes)",
                            topology.name(), slot);
                    topology = moved;
                }
            }
        }
        if (subnetLocks == null) {
            for (KeptNetwork k : kept) {
                for (Cidr c : topology.addresses().dockerSubnets()) {
                    if (c.overlaps(k.subnet())) {
                        throw new LabException(topology.source() + ": the kept lab '" + k.topology() + "' (run "
                                + k.run() + ") holds " + k.subnet() + ", which overlaps " + c + ": stop it with"
                                + " ./ntm-lab down " + k.run() + ", or start this lab relocated"
                                + " (-Dntm.lab.relocate=true, docs/lab.md \"Parallel labs\")");
                    }
                }
            }
            subnetLocks = LabLock.DOCKER.acquire(topology.name(), topology.addresses().dockerSubnets());
        }
        Lab lab;
        try {
            lab = new Lab(topology, options);
        } catch (RuntimeException e) {
            LabLock.DOCKER.release(subnetLocks);
            throw e;
        }
        lab.subnetLocks = subnetLocks;
        try {
            lab.up();
            return lab;
        } catch (RuntimeException e) {
            lab.notes.add("start failed: " + e);
            lab.close();
            throw e;
        }
    }

    /** A Docker network of a kept lab: its subnet is taken until {@code ./ntm-lab down}. */
    record KeptNetwork(String run, String topology, Cidr subnet) {
    }

    /** The subnets of every kept lab's networks. */
    static List<KeptNetwork> keptNetworks(DockerClient client) {
        List<KeptNetwork> out = new ArrayList<>();
        for (com.github.dockerjava.api.model.Network n : LabSweeper.networks(client, null)) {
            if (!LabLabels.kept(n.getLabels()) || n.getIpam() == null || n.getIpam().getConfig() == null) {
                continue;
            }
            for (com.github.dockerjava.api.model.Network.Ipam.Config c : n.getIpam().getConfig()) {
                Cidr.parse(c.getSubnet()).ifPresent(subnet -> out.add(new KeptNetwork(
                        n.getLabels().get(LabLabels.RUN), n.getLabels().get(LabLabels.TOPOLOGY), subnet)));
            }
        }
        return out;
    }

    /** The lab's blocks if neither a running lab nor a kept one overlaps them, else null (nothing taken). */
    private static List<String> tryAcquire(Topology t, List<KeptNetwork> kept) {
        List<Cidr> mine = t.addresses().dockerSubnets();
        if (kept.stream().anyMatch(k -> mine.stream().anyMatch(c -> c.overlaps(k.subnet())))) {
            return null;
        }
        return LabLock.DOCKER.tryAcquire(t.name(), mine);
    }

    private static DockerClient connectDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new LabException("no Docker engine answers: run scripts/lab-host-setup.sh as root (it starts"
                    + " dockerd), and set TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost"
                    + " (docs/lab.md)");
        }
        return DockerClientFactory.instance().client();
    }

    private void up() {
        long t0 = System.nanoTime();
        checkHost();
        int swept = LabSweeper.sweepStale(client);
        if (swept > 0) {
            LOG.info("event=swept-stale count={}", swept);
        }
        prepareArtifactDir();
        shutdownHook = new Thread(this::close, "ntm-lab-" + runId + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.info("event=lab-start topology={} run={} source={}", topology.name(), runId, topology.source());
        for (Segment s : topology.segments()) {
            createNetwork(s);
        }
        AddressPlan plan = topology.addresses();
        // Declared in the topology's order (reports list hosts that way), then started, configured
        // and captured in parallel (HostSteps).
        Map<LabHost, List<HostAddress>> declared = new LinkedHashMap<>();
        for (Router r : topology.routers()) {
            declared.put(declareHost(r.name(), LabHost.Kind.ROUTER, plan.of(r.name()), routerSysctls(r)),
                    plan.of(r.name()));
        }
        for (Server s : topology.servers()) {
            declared.put(declareHost(s.name(), LabHost.Kind.SERVER, plan.of(s.name()), Map.of()), plan.of(s.name()));
        }
        for (Node n : topology.nodes()) {
            declared.put(declareHost(n.name(), LabHost.Kind.NODE, plan.of(n.name()), Map.of()), plan.of(n.name()));
        }
        HostSteps.inParallel(declared.keySet(), h -> {
            startHost(h, declared.get(h));
            configure(h);
        });
        for (int i = 0; i < topology.impairments().size(); i++) {
            impair(topology.impairments().get(i), i, topology.source() + ": impairments[" + i + "]");
        }
        if (options.capture()) {
            HostSteps.inParallel(hosts.values(), this::startCapture);
        }
        if (options.verifyNat() && !topology.routers().isEmpty()) {
            verifyNatTypes();
        }
        LOG.info("event=lab-up topology={} run={} hosts={} ms={}", topology.name(), runId, hosts.size(),
                (System.nanoTime() - t0) / 1_000_000);
        manifest.putAll(RunManifest.machine(options.ntmJar()));
        manifest.put("backend", backend());
        manifest.put("topology", topology.name());
        manifest.put("topologySource", topology.source());
        manifest.put("relocationSlot", topology.relocation());
        manifest.put("run", runId);
        manifest.put("image", options.image());
        manifest.put("imageId", dockerFact(() -> client.inspectImageCmd(options.image()).exec().getId()));
        manifest.put("dockerVersion", dockerFact(() -> client.versionCmd().exec().getVersion()));
        manifest.put("capture", options.capture() ? "snaplen " + options.snaplen() : "off");
        manifest.put("moduleDir", System.getProperty("user.dir"));
        manifest.put("labUpMs", (System.nanoTime() - t0) / 1_000_000);
        writeManifest();
    }

    private static String dockerFact(java.util.function.Supplier<String> f) {
        try {
            return f.get();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Adds a fact to this run's {@code manifest.json} (written now and again when the lab closes),
     * e.g. the command line that repeats it ({@code rerun}, set by the CLI).
     */
    public synchronized void manifest(String key, Object value) {
        manifest.put(key, value);
        writeManifest();
    }

    private synchronized void writeManifest() {
        synchronized (notes) {
            manifest.put("natProbes", notes.stream().filter(n -> n.startsWith("nat-probe "))
                    .map(n -> n.substring("nat-probe ".length())).toList());
        }
        RunManifest.write(artifactDir, manifest);
    }

    private void checkHost() {
        try {
            client.inspectImageCmd(options.image()).exec();
        } catch (NotFoundException e) {
            throw new LabException("image " + options.image() + " not found: run scripts/lab-host-setup.sh as root"
                    + " (builds it with debootstrap, ~2-4 minutes, once)");
        }
        Path nf = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
        try {
            if (Files.exists(nf) && Files.readString(nf).strip().equals("1")) {
                throw new LabException("net.bridge.bridge-nf-call-iptables=1 on this host: Docker's rules would drop"
                        + " traffic routed through NAT router containers. Run scripts/lab-host-setup.sh as root (or"
                        + " sysctl -w net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0)");
            }
        } catch (IOException e) {
            LOG.warn("event=cannot-read path={} error={}", nf, e.toString());
        }
    }

    private void prepareArtifactDir() {
        try {
            Files.createDirectories(artifactDir);
            try (Stream<Path> old = Files.list(artifactDir)) {
                for (Path p : old.toList()) {
                    if (Files.isRegularFile(p)) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot prepare " + artifactDir + ": " + e, e);
        }
    }

    private Map<String, String> labels(String role) {
        Map<String, String> l = new HashMap<>(LabLabels.of(runId, topology.name(), options.keep()));
        l.put(LabLabels.ROLE, role);
        return l;
    }

    private String dockerName(String name) {
        return "ntmlab-" + runId + "-" + name;
    }

    private void createNetwork(Segment s) {
        List<com.github.dockerjava.api.model.Network.Ipam.Config> configs = new ArrayList<>();
        Cidr v4 = topology.addresses().dockerIpv4(s.name());
        configs.add(new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(v4.toString()));
        if (s.ipv6() != null) {
            configs.add(new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(s.ipv6().toString()));
        }
        Network net = Network.builder()
                .createNetworkCmdModifier(c -> c.withName(dockerName(s.name()))
                        .withInternal(true) // nothing leaves the machine
                        .withEnableIpv6(s.kind().hasIpv6())
                        .withIpam(new com.github.dockerjava.api.model.Network.Ipam().withConfig(configs))
                        .withLabels(labels("segment")))
                .build();
        try {
            net.getId(); // the builder creates lazily
        } catch (RuntimeException e) {
            throw new LabException("cannot create network for segment '" + s.name() + "' (" + v4
                    + (s.ipv6() != null ? ", " + s.ipv6() : "") + "): " + e.getMessage()
                    + ". If the pool overlaps, another lab (or a leftover network) uses that subnet: see"
                    + " 'docker network ls --filter label=" + LabLabels.RUN + "'", e);
        }
        networks.put(s.name(), net);
        LOG.info("event=network segment={} kind={} ipv4={} ipv6={} internal=true", s.name(), s.kind().yamlName(),
                v4, s.ipv6());
    }

    private Map<String, String> routerSysctls(Router r) {
        Map<String, String> m = new HashMap<>();
        m.put("net.ipv4.ip_forward", "1");
        if (r.mappingTimeout() != null) {
            // RFC 4787 REQ-5: the UDP mapping timer is conntrack's UDP timeout here.
            String s = Long.toString(Math.max(1, r.mappingTimeout().toSeconds()));
            m.put("net.netfilter.nf_conntrack_udp_timeout", s);
            m.put("net.netfilter.nf_conntrack_udp_timeout_stream", s);
        }
        return m;
    }

    private LabHost createHost(String name, LabHost.Kind kind, List<HostAddress> addresses,
                               Map<String, String> extraSysctls) {
        LabHost host = declareHost(name, kind, addresses, extraSysctls);
        startHost(host, addresses);
        return host;
    }

    /** The host's container, defined and registered (so {@link #close()} removes it) but not started. */
    private LabHost declareHost(String name, LabHost.Kind kind, List<HostAddress> addresses,
                                Map<String, String> extraSysctls) {
        HostAddress first = addresses.get(0);
        Map<String, String> sysctls = new HashMap<>(extraSysctls);
        sysctls.put("net.ipv6.conf.all.disable_ipv6", "0");
        sysctls.put("net.ipv6.conf.default.disable_ipv6", "0");
        // No duplicate address detection: addresses are ours and unique, and DAD would hold
        // them "tentative" (unusable) for a second or two after every attach.
        sysctls.put("net.ipv6.conf.all.accept_dad", "0");
        sysctls.put("net.ipv6.conf.default.accept_dad", "0");
        Path jar = options.ntmJar() != null && Files.isRegularFile(options.ntmJar()) && kind != LabHost.Kind.HELPER
                ? options.ntmJar() : null;
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(options.image()))
                .withImagePullPolicy(image -> false) // no registry: the image is built locally
                .withNetwork(networks.get(first.segment()))
                .withLabels(labels(kind.name().toLowerCase()))
                .withCommand("sleep", "infinity")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName(dockerName(name)).withHostName(name);
                    if (first.ipv4() != null) {
                        cmd.withIpv4Address(IpLiteral.format(first.ipv4()));
                    }
                    if (first.ipv6() != null) {
                        cmd.withIpv6Address(IpLiteral.format(first.ipv6()));
                    }
                    cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN, Capability.NET_RAW).withSysctls(sysctls);
                    // Plain Docker binds: Testcontainers' withFileSystemBind first runs a check
                    // container from alpine, i.e. a registry pull (no traffic may leave).
                    List<Bind> binds = new ArrayList<>();
                    binds.add(new Bind(artifactDir.toString(), new Volume(CAPTURE_DIR), AccessMode.rw));
                    if (jar != null) {
                        binds.add(new Bind(jar.toAbsolutePath().toString(), new Volume(LabOptions.JAR_IN_CONTAINER),
                                AccessMode.ro));
                    }
                    cmd.getHostConfig().withBinds(binds);
                });
        LabHost host = new LabHost(name, kind, c);
        hosts.put(name, host);
        return host;
    }

    /** Starts a declared host, attaches its further networks and maps its interfaces. */
    private void startHost(LabHost host, List<HostAddress> addresses) {
        String name = host.name();
        LabHost.Kind kind = host.kind();
        GenericContainer<?> c = host.container();
        try {
            c.start();
        } catch (RuntimeException e) {
            throw new LabException("cannot start container for " + kind.name().toLowerCase() + " '" + name + "': "
                    + e.getMessage(), e);
        }
        for (HostAddress a : addresses.subList(1, addresses.size())) {
            ContainerNetwork.Ipam ipam = new ContainerNetwork.Ipam();
            if (a.ipv4() != null) {
                ipam.withIpv4Address(IpLiteral.format(a.ipv4()));
            }
            if (a.ipv6() != null) {
                ipam.withIpv6Address(IpLiteral.format(a.ipv6()));
            }
            client.connectToNetworkCmd().withContainerId(c.getContainerId())
                    .withNetworkId(networks.get(a.segment()).getId())
                    .withContainerNetwork(new ContainerNetwork().withIpamConfig(ipam)).exec();
        }
        mapInterfaces(host, addresses);
        LOG.info("event=host name={} kind={} interfaces={}", name, kind.name().toLowerCase(), host.interfaces());
    }

    /** Finds which ethN is on which segment by MAC address (names depend on attach order). */
    private void mapInterfaces(LabHost host, List<HostAddress> addresses) {
        InspectContainerResponse info = client.inspectContainerCmd(host.containerId()).exec();
        Map<String, ContainerNetwork> byNet = info.getNetworkSettings().getNetworks();
        String links = host.execOk("for i in /sys/class/net/*; do echo \"$(basename $i) $(cat $i/address)\"; done");
        Map<String, String> ifByMac = new HashMap<>();
        links.lines().map(l -> l.split(" ")).filter(p -> p.length == 2).forEach(p -> ifByMac.put(p[1], p[0]));
        for (HostAddress a : addresses) {
            ContainerNetwork cn = byNet.get(dockerName(a.segment()));
            String ifname = cn == null ? null : ifByMac.get(cn.getMacAddress());
            if (ifname == null) {
                throw new LabException(host.name() + ": no interface found for segment '" + a.segment() + "' (links: "
                        + ifByMac + ")");
            }
            host.putInterface(a.segment(), ifname);
        }
    }

    private void configure(LabHost h) {
        List<String> cmds = new ArrayList<>();
        for (var e : h.interfaces().entrySet()) {
            Segment s = topology.segment(e.getKey()).orElseThrow();
            if (s.kind() == SegmentKind.IPV6_ONLY) {
                // Docker insists on an IPv4 address; an IPv6-only link has none.
                cmds.add("ip -4 addr flush dev " + e.getValue());
            }
        }
        // Docker gives even internal networks a default route via its bridge (.1). The lab
        // removes it: a host leaves its segments only through a NAT router, or not at all.
        Optional<InetAddress> gw = defaultRoute(h);
        if (gw.isPresent()) {
            cmds.add("ip route replace default via " + IpLiteral.format(gw.get()));
        } else {
            cmds.add("ip route del default 2>/dev/null; true");
        }
        cmds.add("ip -6 route del default 2>/dev/null; true");
        if (h.kind() == LabHost.Kind.ROUTER) {
            Router r = topology.router(h.name()).orElseThrow();
            if (NatRules.needsAdfSet(r.nat())) {
                cmds.add(createAdfSet(h, r));
            }
            cmds.addAll(NatRules.commands(r.nat(), topology.segment(r.inside()).orElseThrow().ipv4(),
                    h.interfaceOn(r.inside()), h.interfaceOn(r.outside()),
                    topology.addresses().oneToOne(r.name())));
        }
        // IPv6 addresses must be usable before anything binds to them.
        cmds.add("for i in $(seq 50); do [ -z \"$(ip -6 addr show tentative)\" ] && break; sleep 0.1; done");
        for (String c : cmds) {
            h.execOk(c);
        }
        notes.add(h + " commands: " + cmds);
    }

    /**
     * Copies {@link IpsetCreate} into a router and returns the command that creates the set an
     * address-dependent filter keeps its permissions in (the image has no ipset program).
     */
    private String createAdfSet(LabHost h, Router r) {
        containerJava.install(h, IpsetCreate.class, NfqDelay.class);
        return ContainerJava.command(IpsetCreate.class, "--name " + NatRules.ADF_SET + " --type "
                + NatRules.ADF_SET_TYPE + " --timeout " + NatRules.filterTimeoutSeconds(r.mappingTimeout()));
    }

    /** Via the router of the first private segment the host is on (for a router: its outside). */
    private Optional<InetAddress> defaultRoute(LabHost h) {
        List<String> segs = new ArrayList<>(h.interfaces().keySet());
        if (h.kind() == LabHost.Kind.ROUTER) {
            segs = List.of(topology.router(h.name()).orElseThrow().outside());
        }
        for (String seg : segs) {
            Optional<Router> gw = topology.gatewayOf(seg);
            if (gw.isPresent()) {
                return Optional.of(topology.addresses().on(gw.get().name(), seg).ipv4());
            }
        }
        return Optional.empty();
    }

    /**
     * Applies an impairment to a running lab, on any interface the host has by now, including
     * links {@link LabMobility} attached after start (the topology file can only name the
     * segments a host starts on). Same mechanism as the file's {@code impairments} (netem where
     * the kernel has it, otherwise NFQUEUE and the delay daemon).
     */
    public synchronized void impair(Impairment im) {
        int queue = topology.impairments().size() + runtimeImpairments++;
        impair(im, queue, "runtime impairment " + runtimeImpairments + " (" + im.host() + " on " + im.segment() + ")");
        note("impairment " + im);
    }

    private void impair(Impairment im, int queue, String where) {
        LabHost h = host(im.host());
        String ifname = h.interfaceOn(im.segment());
        boolean v6 = topology.segment(im.segment()).orElseThrow().kind().hasIpv6();
        boolean netemHere = im.needsDelay() && hasNetem(h);
        // queue = the impairment's index: unique per host, one NFQUEUE (and daemon) per impairment
        if (im.needsDelay() && !netemHere) {
            nfqDelay.start(h, queue, im, where);
        }
        for (String c : ImpairmentRules.commands(im, ifname, v6, netemHere, queue)) {
            h.execOk(c);
        }
        LOG.info("event=impairment host={} segment={} if={} delay={} jitter={} loss={} rate={} via={}", im.host(),
                im.segment(), ifname, im.delay(), im.jitter(), im.lossPercent(), im.rateBitsPerSecond(),
                !im.needsDelay() ? "-" : netemHere ? "netem" : "nfqueue-" + queue);
    }

    /** Whether the kernel has sch_netem (it is shared by all containers, so probe once). */
    public boolean hasNetem(LabHost h) {
        if (netem == null) {
            netem = h.execOk(ImpairmentRules.NETEM_PROBE).strip().equals("yes");
            LOG.info("event=netem-probe available={}", netem);
        }
        return netem;
    }

    private void startCapture(LabHost h) {
        StringBuilder wait = new StringBuilder("for i in $(seq 50); do ok=1;");
        for (var e : h.interfaces().entrySet()) {
            String file = CAPTURE_DIR + "/" + h.name() + "-" + e.getKey() + ".pcap";
            h.execOk("mkdir -p " + CAPTURE_DIR);
            h.startBackground("tcpdump-" + e.getValue(), "exec tcpdump -i " + e.getValue() + " -n -U -s " + options.snaplen() + " -w "
                    + file + " 2>/dev/null");
            wait.append(" [ -e ").append(file).append(" ] || ok=0;");
        }
        wait.append(" [ $ok = 1 ] && exit 0; sleep 0.1; done; exit 1");
        h.execOk(wait.toString());
    }

    // ------------------------------------------------------------------ NAT verification

    /**
     * Classifies every router with stun-client and fails, naming each, if any differs from its
     * file. A hairpinning router with two hosts inside is also checked from one to the other
     * ({@link #hairpinProbe}): stun-client's own hairpin test sends from a socket to its own mapping.
     */
    public List<NatProbe.Result> verifyNatTypes() {
        List<NatProbe.Result> results = probeNats();
        List<String> bad = new ArrayList<>(results.stream().filter(r -> !r.matchesDeclared())
                .map(Object::toString).toList());
        results.forEach(r -> notes.add("nat-probe " + r));
        for (Router r : topology.routers()) {
            if (!r.nat().hairpinning()) {
                continue;
            }
            hairpinPair(r).ifPresent(pair -> {
                String seen = hairpinProbe(r, pair.get(0), pair.get(1));
                String expected = hairpinSource(r, pair.get(0));
                String line = r.name() + ": hairpin " + pair.get(0) + " -> " + pair.get(1) + " seen from '" + seen
                        + "', expected " + expected;
                notes.add("nat-probe " + line);
                if (!seen.equals(expected)) {
                    bad.add(line);
                }
            });
        }
        if (!bad.isEmpty()) {
            throw new LabException(topology.source() + ": routers do not behave as declared:\n  "
                    + String.join("\n  ", bad));
        }
        return results;
    }

    /** UDP ports of {@link #hairpinProbe}: the receiver's, and the sender's source port. */
    static final int HAIRPIN_RX_PORT = 34567;
    static final int HAIRPIN_TX_PORT = 34568;

    /**
     * A sender and a receiver for {@link #hairpinProbe} behind a 1:1 router: two hosts on its
     * inside with a mapping, the receiver not a router (a router drops new flows arriving on its
     * outside, and the router's inside is a nested router's outside).
     */
    public Optional<List<String>> hairpinPair(Router r) {
        Map<InetAddress, InetAddress> map = topology.addresses().oneToOne(r.name());
        List<LabHost> inside = hosts.values().stream()
                .filter(h -> h.kind() != LabHost.Kind.HELPER && !h.name().equals(r.name())
                        && h.interfaces().containsKey(r.inside())
                        && map.containsKey(topology.addresses().on(h.name(), r.inside()).ipv4()))
                .toList();
        Optional<LabHost> to = inside.stream().filter(h -> h.kind() != LabHost.Kind.ROUTER).findFirst();
        Optional<LabHost> from = inside.stream().filter(h -> to.isPresent() && h != to.get()).findFirst();
        return from.isPresent() ? Optional.of(List.of(from.get().name(), to.get().name())) : Optional.empty();
    }

    /** Where a hairpinned datagram from {@code from} should come from: its outside address at r, same port. */
    public String hairpinSource(Router r, String from) {
        InetAddress in = topology.addresses().on(from, r.inside()).ipv4();
        InetAddress out = topology.addresses().oneToOne(r.name()).get(in);
        return out == null ? "" : IpLiteral.format(out) + ":" + HAIRPIN_TX_PORT;
    }

    /**
     * Sends one UDP datagram from {@code from} to {@code to}'s outside address at 1:1 router
     * {@code r} and returns the source {@code to} saw it from ({@code address:port}), or "" when
     * nothing arrived within 2 s. A hairpinning router delivers it from {@code from}'s outside
     * address and port ({@link #hairpinSource}); one that does not, never.
     */
    public String hairpinProbe(Router r, String from, String to) {
        InetAddress target = topology.addresses().oneToOne(r.name()).get(topology.addresses().on(to, r.inside()).ipv4());
        if (target == null) {
            throw new IllegalArgumentException(to + " has no 1:1 mapping at router " + r.name());
        }
        return udpProbe(from, HAIRPIN_TX_PORT, target, HAIRPIN_RX_PORT, to);
    }

    /**
     * Sends one UDP datagram from host {@code from}, source port {@code sourcePort}, to
     * {@code target:port}, while host {@code to} listens on {@code port}; returns the source
     * {@code to} saw ({@code address:port}), or "" when nothing arrived within 2 s.
     */
    public String udpProbe(String from, int sourcePort, InetAddress target, int port, String to) {
        return udpProbe(from, sourcePort, target, port, to, port);
    }

    /** {@link #udpProbe(String, int, InetAddress, int, String)} with {@code to} listening on {@code listenPort}. */
    public String udpProbe(String from, int sourcePort, InetAddress target, int port, String to, int listenPort) {
        LabHost rx = host(to);
        String file = "/run/ntm/udp-probe-" + listenPort + ".txt";
        String tag = "udp-probe-" + listenPort;
        rx.startBackground(tag, "rm -f " + file + "; exec timeout 10 socat -u UDP4-RECVFROM:" + listenPort
                + " SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT >" + file + "'"); // socat splits at ':'
        try {
            rx.execOk("for i in $(seq 50); do ss -Huln | grep -q ':" + listenPort + " ' && exit 0; sleep 0.1; done;"
                    + " exit 1");
            host(from).execOk("echo probe | socat -u - UDP4-SENDTO:" + IpLiteral.format(target) + ":" + port
                    + ",sourceport=" + sourcePort);
            return rx.exec("for i in $(seq 20); do [ -s " + file + " ] && exec cat " + file + "; sleep 0.1; done")
                    .getStdout().strip().replace(' ', ':');
        } finally {
            rx.killBackground(tag);
        }
    }

    /** Runs the stun-client classification for every router. */
    public List<NatProbe.Result> probeNats() {
        List<NatProbe.Result> out = new ArrayList<>();
        for (Router r : topology.routers()) {
            out.add(probeNat(r));
        }
        return out;
    }

    public NatProbe.Result probeNat(Router r) {
        LabHost inside = hosts.values().stream()
                .filter(h -> h.kind() != LabHost.Kind.ROUTER && h.interfaces().containsKey(r.inside()))
                .findFirst()
                .orElseThrow(() -> new LabException(topology.source() + ": router '" + r.name()
                        + "' has no node or server behind it on '" + r.inside() + "' to run stun-client from"));
        LabHost stund = stunServer(r.outside());
        String server = stunAddresses.get(r.outside());
        String output = inside.exec("timeout 30 stun " + server + " -v 2>&1").getStdout();
        String primary = NatProbe.primaryLine(output);
        NatProbe.Result result = new NatProbe.Result(r.name(), r.nat(), primary, NatProbe.classify(primary));
        LOG.info("event=nat-probe router={} from={} declared={} observed='{}'", r.name(), inside.name(),
                r.nat().yamlName(), primary);
        return result;
    }

    /** A helper container running stund with two addresses on the segment (RFC 5780 needs both). */
    private LabHost stunServer(String segment) {
        return stunServers.computeIfAbsent(segment, seg -> {
            String name = "stun-" + seg;
            List<InetAddress> addrs = topology.addresses().allocateIpv4(seg, 2);
            LabHost h = createHost(name, LabHost.Kind.HELPER,
                    List.of(new HostAddress(seg, addrs.get(0), null)), Map.of());
            String a1 = IpLiteral.format(addrs.get(0));
            String a2 = IpLiteral.format(addrs.get(1));
            stunAddresses.put(seg, a1);
            h.execOk("ip addr add " + a2 + "/" + topology.segment(seg).orElseThrow().ipv4().prefixLength() + " dev "
                    + h.interfaceOn(seg));
            h.startBackground("stund", "exec stund -h " + a1 + " -a " + a2);
            h.execOk("for i in $(seq 50); do [ $(ss -Huln | grep -c ':347[89] ') -ge 4 ] && exit 0; sleep 0.1; done;"
                    + " ss -uln; exit 1");
            return h;
        });
    }

    // ------------------------------------------------------------------ NTMobile

    /**
     * Starts AS, RS, DC and every node with the ntm CLI from the mounted jar and waits (up to
     * {@code timeoutSeconds}) until every node is registered with the DC.
     */
    public Lab startNtm(int timeoutSeconds) {
        NtmDeployment.start(this, timeoutSeconds);
        return this;
    }

    /**
     * Sends one line to a node's control channel (docs/protocol.md) from inside its container
     * and returns the reply line ("OK ..." or "ERR ...").
     */
    public String control(String node, String command) {
        return control(node).send(command).line();
    }

    @Override
    public String backend() {
        return "docker";
    }

    /**
     * The node's control channel from inside its container: each call of the channel is one
     * {@code socat} connection carrying its lines back to back (no {@code docker exec} between
     * them), ended by {@code quit}.
     */
    @Override
    public NodeControl control(String node) {
        return new NodeControl(node, lines -> {
            StringBuilder printf = new StringBuilder();
            for (String c : lines) {
                if (c.contains("'") || c.contains("%") || c.contains("\\")) {
                    throw new IllegalArgumentException("control command must be one plain line: " + c);
                }
                printf.append(c).append("\\n");
            }
            var r = host(node).exec("printf '" + printf + "quit\\n' | timeout 300 socat -t 300 - "
                    + NtmDeployment.CONTROL_SOCAT + " 2>&1");
            List<String> out = new ArrayList<>(r.getStdout().strip().lines().toList());
            while (out.size() < lines.size()) {
                out.add("ERR no reply (exit " + r.getExitCode() + ": " + r.getStderr().strip() + ")");
            }
            return out.subList(0, lines.size());
        });
    }

    /** Declares that a node will move to these segments (NtmDeployment then gives it DC addresses there too). */
    void roam(String node, List<String> segments) {
        roaming.put(node, List.copyOf(segments));
    }

    /** Segments a node will move to besides its own (empty for a node that stays). */
    public List<String> roamingSegments(String node) {
        return roaming.getOrDefault(node, List.of());
    }

    // ------------------------------------------------------------------ access

    public LabOptions options() {
        return options;
    }

    public Topology topology() {
        return topology;
    }

    public String runId() {
        return runId;
    }

    public LabHost host(String name) {
        LabHost h = hosts.get(name);
        if (h == null) {
            throw new LabException("no host '" + name + "' in " + topology.name() + " (hosts: " + hosts.keySet() + ")");
        }
        return h;
    }

    public Collection<LabHost> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Docker network id of a segment. */
    public String networkId(String segment) {
        return networks.get(segment).getId();
    }

    public DockerClient dockerClient() {
        return client;
    }

    /** Where captures and logs of this topology go: {@code <artifacts>/<topology>/}. */
    public Path artifactDir() {
        return artifactDir;
    }

    /** Adds a line to lab.txt in the artifact directory. */
    public void note(String line) {
        notes.add(line);
    }

    /** The run's notes so far (NAT probe verdicts, matrix cells...), as lab.txt will list them. */
    public List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    // ------------------------------------------------------------------ teardown

    /**
     * Leaves a kept lab ({@link LabOptions#keep()}) running after this JVM: no teardown at exit,
     * the subnet locks handed back (the lab's Docker networks guard its prefixes from now on,
     * {@link #keptNetworks}), and {@link #close()} does nothing more. {@code ./ntm-lab down}
     * removes it. Captures keep running into the artifact folder.
     *
     * <p>Without Ryuk, Testcontainers removes every container and network of its session in a JVM
     * shutdown hook, and Docker labels cannot be changed after creation: the process must end with
     * {@link Runtime#halt} once it detached a lab, as {@code ./ntm-lab up --keep} does.
     */
    public synchronized void detach() {
        if (!options.keep()) {
            throw new IllegalStateException("only a lab started with LabOptions.withKeep(true) can be left running:"
                    + " the others are swept as leftovers once their JVM ends");
        }
        if (closed) {
            return;
        }
        closed = true;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        writeLabTxt();
        LabLock.DOCKER.release(subnetLocks);
        subnetLocks = List.of();
        LOG.info("event=lab-detached topology={} run={} artifacts={}", topology.name(), runId, artifactDir);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            long t0 = System.nanoTime();
            try {
                collectArtifacts();
            } catch (RuntimeException e) {
                LOG.warn("event=artifacts-failed topology={} error={}", topology.name(), e.toString());
            }
            long t1 = System.nanoTime();
            // kill + remove, ~1 s of docker calls per container: one at a time that was most of a
            // big lab's teardown (issue 8: 12 hosts of table1, ~14 s)
            HostSteps.inParallel(hosts.values(), h -> {
                try {
                    h.container().stop();
                } catch (RuntimeException e) {
                    LOG.warn("event=stop-failed host={} error={}", h.name(), e.toString());
                }
            });
            long t2 = System.nanoTime();
            for (Network n : networks.values()) {
                try {
                    n.close();
                } catch (RuntimeException e) {
                    LOG.warn("event=network-close-failed error={}", e.toString());
                }
            }
            LabSweeper.sweepRun(client, runId);
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
            LOG.info("event=lab-closed topology={} run={} artifacts={} ms={} (artifacts {}, containers {}, networks {})",
                    topology.name(), runId, artifactDir, (System.nanoTime() - t0) / 1_000_000, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        } finally {
            LabLock.DOCKER.release(subnetLocks); // networks gone (or never made): another lab may take their subnets
        }
    }

    /**
     * Files tcpdump wrote through the bind belong to the container's users (root, or the uid of
     * its {@code tcpdump} user, which means someone else on the host); a researcher who runs the
     * lab as a member of the docker group could not delete them with {@code mvn clean}. Hands
     * them to the owner of the artifact directory.
     */
    private void giveCapturesToTheUser(List<LabHost> running) {
        if (running.isEmpty()) {
            return;
        }
        try {
            int uid = (Integer) Files.getAttribute(artifactDir, "unix:uid");
            int gid = (Integer) Files.getAttribute(artifactDir, "unix:gid");
            running.get(0).exec("chown -R " + uid + ":" + gid + " " + CAPTURE_DIR);
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=chown-failed dir={} error={}", artifactDir, e.toString());
        }
    }

    private void collectArtifacts() {
        List<LabHost> running = hosts.values().stream().filter(h -> h.containerId() != null).toList();
        // Captures are written straight into the artifact directory (CAPTURE_DIR is bound to it):
        // stopping tcpdump, which flushes on SIGINT, is all that is left to do.
        HostSteps.inParallel(running, h -> {
            try {
                if (options.capture()) {
                    h.stopBackground("INT", h.interfaces().values().stream().map(i -> "tcpdump-" + i).toList());
                }
            } catch (RuntimeException e) {
                LOG.warn("event=capture-stop-failed host={} error={}", h.name(), e.toString());
            }
            try {
                Files.writeString(artifactDir.resolve(h.name() + ".log"), h.container().getLogs(),
                        StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                LOG.warn("event=log-copy-failed host={} error={}", h.name(), e.toString());
            }
        });
        giveCapturesToTheUser(running);
        writeLabTxt();
    }

    /** lab.txt: the run, every host's interfaces and addresses, and the notes (NAT probes...); manifest.json again. */
    private void writeLabTxt() {
        if (!manifest.isEmpty()) {
            manifest.put("closedAt", java.time.Instant.now().toString());
            writeManifest();
        }
        StringBuilder sb = new StringBuilder();
        sb.append("topology=").append(topology.name()).append(" source=").append(topology.source())
                .append(" run=").append(runId).append('\n');
        for (String host : hosts.keySet()) {
            if (stunServers.values().stream().anyMatch(s -> s.name().equals(host))) {
                continue;
            }
            sb.append(host);
            for (HostAddress a : topology.addresses().of(host)) {
                sb.append(' ').append(a.segment()).append('=').append(hosts.get(host).interfaces().get(a.segment()))
                        .append(a.ipv4() == null ? "" : " " + IpLiteral.format(a.ipv4()))
                        .append(a.ipv6() == null ? "" : " " + IpLiteral.format(a.ipv6()));
            }
            sb.append('\n');
        }
        notes.forEach(n -> sb.append(n).append('\n'));
        try {
            Files.writeString(artifactDir.resolve("lab.txt"), sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("event=note-write-failed error={}", e.toString());
        }
    }
}
