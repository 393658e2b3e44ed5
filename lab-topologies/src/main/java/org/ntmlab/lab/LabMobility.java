package org.ntmlab.lab;

import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.Cidr;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.SegmentKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network moves of one node in a running {@link Lab} (docs/mobility-docker.md).
 *
 * <p>{@link #prepare} attaches the node to every segment it will visit up front (one veth
 * per segment, all but the current one down and without addresses), starts a DHCP server
 * (dnsmasq) in the NAT router of every private segment among them, a capture on all the
 * node's interfaces ({@code tcpdump -i any}, so DHCP on a link that was just brought up is
 * in it) and an {@code ip monitor address} log. Call it after {@link Lab#start} and before
 * {@link Lab#startNtm}, so the node gets DC addresses for every family it will use.
 *
 * <p>{@link #move} leaves the current segment (old address flushed, link down) and joins
 * another (link up, then DHCP from the segment's router with {@code dhclient -1}, or the
 * lab's fixed address on segments without a router: global IPv4 and IPv6), logging
 * {@code move-start}, {@code link-down}, {@code link-up} and {@code dhcp-done} /
 * {@code address-configured} with the container's clock in the key=value format of
 * docs/pcap-analysis.md. The node application's process and sockets are not touched.
 */
public final class LabMobility {
    private static final Logger LOG = LoggerFactory.getLogger(LabMobility.class);
    /** The lab's move events (same key=value format as the node's event log). */
    public static final String MOVE_LOG = "/run/ntm/move-events.log";
    /** The node's own event log, as NtmDeployment starts it. */
    public static final String NODE_EVENTS = "/run/ntm/events.log";
    private static final String IPMON_LOG = "/run/ntm/ipmon.log";
    private static final String CAPTURE_DIR = Lab.CAPTURE_DIR;
    /** First host number of the DHCP pool on private segments (the lab's fixed addresses start at 10). */
    static final int DHCP_FIRST_HOST = 100;
    /** Host number the mover uses on segments without DHCP (IPv6 has no DHCP here). */
    static final int STATIC_HOST = 0x60;

    /**
     * One segment the node can be on.
     *
     * @param router DHCP server and default gateway (the segment's NAT router), null on global segments
     */
    public record Link(String segment, SegmentKind kind, String ifname, String mac, InetAddress staticV4,
                       InetAddress staticV6, InetAddress router, int prefixV4, int prefixV6) {
        public boolean dhcp() {
            return router != null;
        }
    }

    /**
     * One completed move, with timestamps (epoch nanoseconds, container clock) taken inside the
     * node's container by the move script.
     */
    public record Move(int index, String from, String to, long startNanos, long linkDownNanos, long linkUpNanos,
                       long addressNanos, String address, boolean dhcp) {
        public double linkMs() {
            return (linkUpNanos - startNanos) / 1e6;
        }

        public double addressMs() {
            return (addressNanos - linkUpNanos) / 1e6;
        }

        public double totalMs() {
            return (addressNanos - startNanos) / 1e6;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "move %d %s -> %s: link %.1f ms, %s %.1f ms, address %s", index, from,
                    to, linkMs(), dhcp ? "dhcp" : "static", addressMs(), address);
        }
    }

    /**
     * Files copied to the lab's artifact directory by {@link #collect()}, and how many packets the
     * capture lost ({@code tcpdump}'s "packets dropped by kernel"; -1 when it did not say): a
     * capture that dropped packets may find a milestone late, so reports should say so.
     */
    public record Artifacts(Path capture, Path moveEvents, Path nodeEvents, Path kernelEvents, Path handoverEvents,
                            long captureDropped) {
    }

    /** tcpdump's last words on exit: {@code 12 packets dropped by kernel}. */
    private static final java.util.regex.Pattern DROPPED =
            java.util.regex.Pattern.compile("(\\d+) packets? dropped by kernel");

    private final Lab lab;
    private final LabHost host;
    private final Node node;
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final List<Move> moves = new ArrayList<>();
    private String current;
    private boolean collected;

    private LabMobility(Lab lab, Node node) {
        this.lab = lab;
        this.node = node;
        this.host = lab.host(node.name());
        this.current = node.segment();
    }

    /**
     * Attaches {@code nodeName} to {@code segments} (besides its own), starts DHCP in their
     * routers, the capture and the address monitor.
     */
    public static LabMobility prepare(Lab lab, String nodeName, List<String> segments) {
        Node n = lab.topology().node(nodeName).orElseThrow(() -> new LabException("no node '" + nodeName + "'"));
        LabMobility m = new LabMobility(lab, n);
        m.setUp(segments);
        return m;
    }

    private void setUp(List<String> segments) {
        long t0 = System.nanoTime();
        Set<String> all = new LinkedHashSet<>();
        all.add(node.segment());
        all.addAll(segments);
        Map<String, InetAddress[]> extra = new LinkedHashMap<>();
        // Docker sets a default route when it attaches a network to a running container and
        // fails ("file exists") if the lab's own default route is there: lift it meanwhile.
        String savedDefault = host.execOk("ip -4 route show default").strip();
        for (String seg : all) {
            host.exec("ip route del default 2>/dev/null; ip -6 route del default 2>/dev/null; true");
            Segment s = segment(seg);
            if (seg.equals(node.segment())) {
                continue;
            }
            InetAddress v4 = s.kind() == SegmentKind.IPV6_ONLY || !s.kind().hasIpv4() ? null
                    : lab.topology().addresses().allocateIpv4(seg, 1).get(0);
            InetAddress v6 = s.kind().hasIpv6() ? freeV6(s) : null;
            ContainerNetwork.Ipam ipam = new ContainerNetwork.Ipam();
            if (v4 != null) {
                ipam.withIpv4Address(IpLiteral.format(v4));
            }
            if (v6 != null) {
                ipam.withIpv6Address(IpLiteral.format(v6));
            }
            lab.dockerClient().connectToNetworkCmd().withContainerId(host.containerId())
                    .withNetworkId(lab.networkId(seg)).withContainerNetwork(new ContainerNetwork().withIpamConfig(ipam))
                    .exec();
            extra.put(seg, new InetAddress[] {v4, v6});
        }
        host.exec("ip route del default 2>/dev/null; ip -6 route del default 2>/dev/null; true");
        if (!savedDefault.isEmpty()) {
            host.execOk("ip route replace " + savedDefault);
        }
        Map<String, String> ifByMac = interfacesByMac();
        var networks = lab.dockerClient().inspectContainerCmd(host.containerId()).exec().getNetworkSettings()
                .getNetworks();
        for (String seg : all) {
            Segment s = segment(seg);
            String netId = lab.networkId(seg);
            ContainerNetwork cn = networks.values().stream().filter(c -> netId.equals(c.getNetworkID())).findFirst()
                    .orElseThrow(() -> new LabException(node.name() + " is not attached to segment '" + seg + "'"));
            String mac = cn.getMacAddress().toLowerCase(Locale.ROOT);
            String ifname = ifByMac.get(mac);
            if (ifname == null) {
                throw new LabException(node.name() + ": no interface with MAC " + mac + " (segment '" + seg + "')");
            }
            InetAddress v4;
            InetAddress v6;
            if (seg.equals(node.segment())) {
                HostAddress a = lab.topology().addresses().on(node.name(), seg);
                v4 = a.ipv4();
                v6 = a.ipv6();
            } else {
                v4 = extra.get(seg)[0];
                v6 = extra.get(seg)[1];
            }
            InetAddress router = lab.topology().gatewayOf(seg)
                    .map(r -> lab.topology().addresses().on(r.name(), seg).ipv4()).orElse(null);
            host.putInterface(seg, ifname); // so Lab.impair and captures can name the new link
            links.put(seg, new Link(seg, s.kind(), ifname, mac, v4, v6, router,
                    s.ipv4() == null ? 0 : s.ipv4().prefixLength(), s.ipv6() == null ? 0 : s.ipv6().prefixLength()));
        }
        lab.roam(node.name(), List.copyOf(links.keySet()));

        List<String> cmds = new ArrayList<>();
        for (Link l : links.values()) {
            if (!l.kind().hasIpv6()) {
                // No link-local address on IPv4-only links: a new fe80:: at every link-up would be
                // reported by netlink as an address change that is not the move's address.
                cmds.add("ip link set " + l.ifname() + " addrgenmode none");
            }
            if (l.kind().hasIpv6()) {
                // RetransTimer 100 ms instead of Linux's 1 s (RFC 4861 6.3.2 lets the network set
                // it). Adding the fixed IPv6 address races with the first neighbour solicitation:
                // its advertisement can arrive before the kernel accepts packets for the new
                // address and is dropped, and the node's first REGISTER then waits a whole
                // RetransTimer in the neighbour queue (seen under load: 1.0 s of a 1.1 s move).
                // The lab's IPv6 segment has no router to announce a value, so the lab sets it.
                cmds.add("ip ntable change name ndisc_cache dev " + l.ifname() + " retrans 100");
            }
            if (!l.segment().equals(current)) {
                cmds.add("ip addr flush dev " + l.ifname());
                cmds.add("ip link set " + l.ifname() + " down");
            }
        }
        cmds.add("mkdir -p /run/ntm " + CAPTURE_DIR + " && : > " + MOVE_LOG);
        for (String c : cmds) {
            host.execOk(c);
        }
        lab.note("mobility " + node.name() + " links: " + links.values());

        for (Link l : links.values()) {
            if (l.dhcp()) {
                startDhcpServer(lab.topology().gatewayOf(l.segment()).orElseThrow(), segment(l.segment()));
            }
        }
        String pcap = CAPTURE_DIR + "/" + node.name() + "-any.pcap";
        // -s 640: whole DHCP messages (the handover timeline decodes their options; RFC 2131 clients
        // accept 576-byte messages) and every header, without the bulk streams' payloads.
        // -B 32768: a 32 MiB kernel buffer, as the bulk TCP stream beside the moves fills 8 MiB
        // when the 2-core machine is busy (the capture then misses the first DATA after a move)
        host.startBackground("tcpdump-any", "exec tcpdump -i any -n -U -s 640 -B 32768 -w " + pcap + " 2>" + pcap
                + ".log");
        host.startBackground("ipmon", "exec ip -o -ts monitor address > " + IPMON_LOG + " 2>&1");
        host.execOk("for i in $(seq 50); do [ -e " + pcap + " ] && exit 0; sleep 0.1; done; exit 1");
        LOG.info("event=mobility-ready node={} links={} ms={}", node.name(), links.values(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** dnsmasq as DHCP server only ({@code --port=0}: no DNS), on the router's inside interface. */
    private void startDhcpServer(Router r, Segment s) {
        LabHost rh = lab.host(r.name());
        Cidr p = s.ipv4();
        long size = p.size().longValue();
        long first = Math.min(DHCP_FIRST_HOST, size / 2);
        long last = Math.min(first + 99, size - 3);
        InetAddress gw = lab.topology().addresses().on(r.name(), s.name()).ipv4();
        String mask = IpLiteral.format(maskOf(p.prefixLength()));
        String tag = "dnsmasq-" + s.name();
        if (rh.exec("[ -f /run/ntm/" + tag + ".pid ]").getExitCode() == 0) {
            return;
        }
        // --no-ping: without it dnsmasq pings every address before offering it (about 3 s).
        rh.startBackground(tag, "exec dnsmasq --no-daemon --port=0 --interface=" + rh.interfaceOn(s.name())
                + " --bind-interfaces --no-ping --dhcp-authoritative --dhcp-range=" + IpLiteral.format(p.host(first))
                + "," + IpLiteral.format(p.host(last)) + "," + mask + ",1h --dhcp-option=3," + IpLiteral.format(gw)
                + " --dhcp-leasefile=/run/ntm/" + tag + ".leases --log-dhcp");
        rh.execOk("for i in $(seq 50); do ss -Huln | grep -q ':67 ' && exit 0; sleep 0.1; done;"
                + " echo 'dnsmasq did not start (see " + r.name() + ".log)'; exit 1");
        lab.note("dhcp " + r.name() + " on " + s.name() + ": " + IpLiteral.format(p.host(first)) + "-"
                + IpLiteral.format(p.host(last)) + " gateway " + IpLiteral.format(gw));
        LOG.info("event=dhcp-server router={} segment={} range={}-{}", r.name(), s.name(),
                IpLiteral.format(p.host(first)), IpLiteral.format(p.host(last)));
    }

    private static InetAddress maskOf(int prefix) {
        long m = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8),
                (byte) m});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Segment segment(String seg) {
        return lab.topology().segment(seg).orElseThrow(() -> new LabException("no segment '" + seg + "'"));
    }

    /** An IPv6 address on the segment that no host of the plan uses. */
    private InetAddress freeV6(Segment s) {
        Set<BigInteger> used = new java.util.HashSet<>();
        for (String h : lab.topology().hostNames()) {
            lab.topology().addresses().find(h, s.name()).map(HostAddress::ipv6).filter(a -> a != null)
                    .ifPresent(a -> used.add(s.ipv6().indexOf(a)));
        }
        for (long i = STATIC_HOST; ; i++) {
            if (!used.contains(BigInteger.valueOf(i))) {
                return s.ipv6().host(i);
            }
        }
    }

    private Map<String, String> interfacesByMac() {
        String out = host.execOk("for i in /sys/class/net/*; do echo \"$(basename $i) $(cat $i/address)\"; done");
        Map<String, String> m = new LinkedHashMap<>();
        out.lines().map(l -> l.split(" ")).filter(p -> p.length == 2)
                .forEach(p -> m.put(p[1].toLowerCase(Locale.ROOT), p[0]));
        return m;
    }

    // ------------------------------------------------------------------ moves

    /**
     * Leaves the current segment and joins {@code to}; returns when the node has its new
     * address (DHCP done, or the fixed address configured). Throws if DHCP fails.
     */
    public synchronized Move move(String to) {
        Link from = links.get(current);
        Link dst = links.get(to);
        if (dst == null) {
            throw new LabException(node.name() + " cannot move to '" + to + "' (prepared: " + links.keySet() + ")");
        }
        if (to.equals(current)) {
            throw new LabException(node.name() + " is already on '" + to + "'");
        }
        int index = moves.size() + 1;
        String fq = node.fqdn();
        StringBuilder sh = new StringBuilder();
        sh.append("L=").append(MOVE_LOG).append("; ")
                .append("ev() { l=\"ts=$(date +%s.%N) node=").append(fq).append(" event=$*\"; echo \"$l\" >> $L;"
                        + " echo \"$l\"; }; ")
                .append("ev move-start index=").append(index).append(" from=").append(current).append(" to=")
                .append(to).append(" iface=").append(dst.ifname()).append(" mac=").append(dst.mac()).append("; ");
        // Leave: stop the old lease's client (no release: the link is gone), drop the address, link down.
        String oldPid = "/run/ntm/dhclient-" + from.ifname() + ".pid";
        sh.append("[ -f ").append(oldPid).append(" ] && kill $(cat ").append(oldPid).append(") 2>/dev/null; rm -f ")
                .append(oldPid).append("; ")
                .append("ip addr flush dev ").append(from.ifname()).append("; ip link set ").append(from.ifname())
                .append(" down; ev link-down iface=").append(from.ifname()).append("; ");
        // Join: link up, wait for carrier.
        sh.append("ip link set ").append(dst.ifname()).append(" up; i=0; while [ \"$(cat /sys/class/net/")
                .append(dst.ifname()).append("/operstate)\" != up ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i+1));"
                        + " done; ev link-up iface=").append(dst.ifname()).append(" mac=").append(dst.mac())
                .append("; ");
        if (dst.dhcp()) {
            String pid = "/run/ntm/dhclient-" + dst.ifname() + ".pid";
            // -1: one try; the lease file per interface makes a return a one-round-trip INIT-REBOOT.
            sh.append("dhclient -1 -pf ").append(pid).append(" -lf /run/ntm/dhclient-").append(dst.ifname())
                    .append(".leases ").append(dst.ifname()).append(" 2>/run/ntm/dhclient.err || { ev dhcp-failed iface=")
                    .append(dst.ifname()).append("; cat /run/ntm/dhclient.err; exit 3; }; ")
                    .append("A=$(ip -4 -o addr show dev ").append(dst.ifname())
                    .append(" | awk '{print $4}' | head -1); ev dhcp-done iface=").append(dst.ifname())
                    .append(" addr=$A; ");
        } else {
            String a = dst.staticV4() != null ? IpLiteral.format(dst.staticV4()) + "/" + dst.prefixV4()
                    : IpLiteral.format(dst.staticV6()) + "/" + dst.prefixV6();
            sh.append("ip addr add ").append(a).append(" dev ").append(dst.ifname());
            if (dst.staticV4() == null) {
                sh.append(" nodad");
            }
            sh.append(" && ev address-configured iface=").append(dst.ifname()).append(" addr=").append(a)
                    .append("; ");
            if (dst.staticV4() != null && dst.staticV6() != null) {
                sh.append("ip addr add ").append(IpLiteral.format(dst.staticV6())).append("/")
                        .append(dst.prefixV6()).append(" dev ").append(dst.ifname()).append(" nodad; ");
            }
        }
        var r = host.exec(sh.toString());
        String out = r.getStdout();
        if (r.getExitCode() != 0) {
            throw new LabException(node.name() + ": move " + current + " -> " + to + " failed (exit " + r.getExitCode()
                    + "): " + (out + r.getStderr()).strip());
        }
        Map<String, String> ts = new LinkedHashMap<>();
        String address = null;
        for (String line : out.lines().toList()) {
            String ev = field(line, "event");
            String t = field(line, "ts");
            if (ev != null && t != null) {
                ts.putIfAbsent(ev, t);
                if (ev.equals("dhcp-done") || ev.equals("address-configured")) {
                    address = field(line, "addr");
                }
            }
        }
        Move m = new Move(index, current, to, nanos(ts.get("move-start")), nanos(ts.get("link-down")),
                nanos(ts.get("link-up")), nanos(ts.getOrDefault("dhcp-done", ts.get("address-configured"))), address,
                dst.dhcp());
        moves.add(m);
        current = to;
        LOG.info("event=move node={} {}", node.name(), m);
        return m;
    }

    private static String field(String line, String key) {
        for (String f : line.split(" ")) {
            if (f.startsWith(key + "=")) {
                return f.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** "1714550400.123456789" -> epoch nanoseconds. */
    static long nanos(String secondsDotNanos) {
        if (secondsDotNanos == null) {
            return 0;
        }
        int dot = secondsDotNanos.indexOf('.');
        String frac = (secondsDotNanos.substring(dot + 1) + "000000000").substring(0, 9);
        return Long.parseLong(secondsDotNanos.substring(0, dot)) * 1_000_000_000L + Long.parseLong(frac);
    }

    public String current() {
        return current;
    }

    public Map<String, Link> links() {
        return Map.copyOf(links);
    }

    public List<Move> moves() {
        return List.copyOf(moves);
    }

    public String node() {
        return node.name();
    }

    // ------------------------------------------------------------------ artifacts

    /**
     * Stops the capture and the address monitor and copies, to the lab's artifact directory:
     * {@code <node>-any.pcap}, {@code <node>-move-events.log} (lab), {@code <node>-events.log}
     * (the node application's own log), {@code <node>-kernel-events.log} (ip monitor, as
     * {@code kernel-address-added/-removed} events) and {@code <node>-handover-events.log}:
     * the three as they are, one after the other (the analyser orders them by time). The
     * node writes its events in the format the handover analyser reads ({@code address-added
     * addr=<the new address>}, docs/pcap-analysis.md "Node event log"), so nothing is
     * rewritten. Call before {@link Lab#close()}; calling it again copies nothing new.
     */
    public synchronized Artifacts collect() {
        Path dir = lab.artifactDir();
        String n = node.name();
        Path pcap = dir.resolve(n + "-any.pcap");
        Path moveLog = dir.resolve(n + "-move-events.log");
        Path nodeLog = dir.resolve(n + "-events.log");
        Path kernelLog = dir.resolve(n + "-kernel-events.log");
        Path merged = dir.resolve(n + "-handover-events.log");
        if (collected) {
            return new Artifacts(pcap, moveLog, nodeLog, kernelLog, merged,
                    captureDropped(dir.resolve(n + "-any.pcap.log")));
        }
        collected = true;
        // the capture is written into the artifact directory through the lab's bind mount
        // (Lab.CAPTURE_DIR): stopping tcpdump (which waits for it to flush) is enough
        host.stopBackground("tcpdump-any", "INT");
        host.stopBackground("ipmon", "TERM");
        try {
            Files.createDirectories(dir);
            String moves = host.exec("cat " + MOVE_LOG + " 2>/dev/null").getStdout();
            String events = host.exec("cat " + NODE_EVENTS + " 2>/dev/null").getStdout();
            String ipmon = host.exec("cat " + IPMON_LOG + " 2>/dev/null").getStdout();
            String kernel = kernelEvents(ipmon);
            Files.writeString(moveLog, moves, StandardCharsets.UTF_8);
            Files.writeString(nodeLog, events, StandardCharsets.UTF_8);
            Files.writeString(kernelLog, kernel, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>();
            all.addAll(moves.lines().toList());
            all.addAll(events.lines().toList());
            all.addAll(kernel.lines().toList());
            Files.write(merged, all, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new LabException("cannot collect mobility artifacts of " + n + " into " + dir + ": " + e, e);
        }
        long dropped = captureDropped(dir.resolve(n + "-any.pcap.log"));
        if (dropped > 0) {
            LOG.warn("event=capture-dropped node={} packets={} file={}", n, dropped, pcap);
        }
        return new Artifacts(pcap, moveLog, nodeLog, kernelLog, merged, dropped);
    }

    /** Packets the capture's tcpdump said it dropped, from its stderr; -1 when it said nothing. */
    static long captureDropped(Path tcpdumpLog) {
        try {
            java.util.regex.Matcher m = DROPPED.matcher(Files.readString(tcpdumpLog, StandardCharsets.UTF_8));
            long n = -1;
            while (m.find()) {
                n = Long.parseLong(m.group(1));
            }
            return n;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * {@code [2026-11-26T10:00:00.123456] 662: eth1    inet 10.77.1.188/24 ...} (and
     * {@code Deleted ...}) -> {@code ts=2026-11-26T10:00:00.123456Z node=<fqdn>
     * event=kernel-address-added addr=10.77.1.188/24 iface=eth1}. The container clock is UTC.
     */
    String kernelEvents(String ipmon) {
        StringBuilder sb = new StringBuilder();
        for (String line : ipmon.lines().toList()) {
            if (!line.startsWith("[")) {
                continue;
            }
            int close = line.indexOf(']');
            if (close < 0) {
                continue;
            }
            String ts = line.substring(1, close);
            String rest = line.substring(close + 1).strip();
            boolean deleted = rest.startsWith("Deleted ");
            if (deleted) {
                rest = rest.substring("Deleted ".length());
            }
            String[] f = rest.split("\\s+");
            if (f.length < 4 || !(f[2].equals("inet") || f[2].equals("inet6"))) {
                continue;
            }
            sb.append("ts=").append(ts).append(ts.endsWith("Z") ? "" : "Z").append(" node=").append(node.fqdn())
                    .append(" event=kernel-address-").append(deleted ? "removed" : "added").append(" addr=")
                    .append(f[3]).append(" iface=").append(f[1]).append('\n');
        }
        return sb.toString();
    }
}
