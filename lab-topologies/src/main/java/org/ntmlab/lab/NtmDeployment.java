package org.ntmlab.lab;

import java.net.InetAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.images.builder.Transferable;

/**
 * Starts NTMobile in a running lab with the project's CLI ({@code java -jar /opt/ntm/ntm.jar
 * as|dc|rs|node}): one AS (it creates the lab CA), every RS, every DC, then every node, and
 * waits until each node is registered. Ports as in docs/protocol.md.
 *
 * <p>Several DCs (each with its {@code domain}) find each other through DNS (paper section 3.1,
 * docs/protocol.md "Several domains"): each gets a {@code --peer} secret per other domain
 * (random, shared by the pair) and the other DCs' DNS responders as {@code --resolver}s. Every
 * node registers with the DC of its FQDN's domain. RSs belong to the first DC (an RS shares its
 * secret with one DC), so relayed cross-domain tunnels need the MN in that DC's domain.
 */
public final class NtmDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(NtmDeployment.class);
    /** Ports as in docs/protocol.md: AS (TLS, TCP), DC (UDP; DNS on 53), RS (UDP), node (UDP). */
    public static final int AS_PORT = 7443;
    public static final int DC_PORT = 7000;
    public static final int RS_PORT = 7100;
    public static final int NODE_PORT = 7200;
    /** Each DC's DNS responder (docs/protocol.md, "Several domains"). */
    public static final int DNS_PORT = 53;
    /**
     * The node's control channel in its container: the default kind, a Unix socket of mode 0600
     * (issue 11 finding 8); the lab reaches it with {@code docker exec ... socat}. See {@link #CONTROL_SOCAT}.
     */
    public static final String CONTROL_SOCKET = "/run/ntm/control.sock";
    /** socat's address of {@link #CONTROL_SOCKET}, for commands run in a node's container. */
    public static final String CONTROL_SOCAT = "UNIX-CONNECT:" + CONTROL_SOCKET;
    /**
     * The {@link LabHost#startBackground} tag of the ntm process (AS, DC, RS or node) in its
     * container: {@code host.restartBackground(NtmDeployment.TAG)} starts it again with the same
     * arguments. State it keeps in files survives: the AS's accounts, lab CA and issued keys
     * ({@code /run/ntm/accounts.keys}, mode 0600) are in the container's file system.
     */
    public static final String TAG = "ntm";
    /** The AS's accounts file; its issued keys are kept next to it, in {@code <accounts>.keys}. */
    public static final String AS_ACCOUNTS = "/run/ntm/accounts";
    private static final String CA = "/run/ntm/ca.pem";
    /** Small heaps and C1 only: nine JVMs share two cores, and throughput is not measured here. */
    private static final String JAVA = "java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "
            + LabOptions.JAR_IN_CONTAINER;

    private final Lab lab;
    private final Topology t;
    private final NtmPlan plan;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> passwords = new LinkedHashMap<>();

    private NtmDeployment(Lab lab) {
        this.lab = lab;
        this.t = lab.topology();
        this.plan = new NtmPlan(t);
    }

    static void start(Lab lab, int timeoutSeconds) {
        new NtmDeployment(lab).run(timeoutSeconds);
    }

    private void run(int timeoutSeconds) {
        long t0 = System.nanoTime();
        if (lab.options().ntmJar() == null || !Files.isRegularFile(lab.options().ntmJar())) {
            throw new LabException("no ntm jar at " + lab.options().ntmJar() + ": build it with"
                    + " 'mvn -B -pl ntm-impl -am package -DskipTests' (or set -Dntm.jar)");
        }
        Server as = plan.as();
        Map<String, Server> dcByDomain = plan.dcsByDomain();
        List<Server> relays = plan.relays();
        // one token per DC, each reading only its own domain's keys at the AS (issue 11 finding 9)
        Map<String, String> dcTokens = new java.util.LinkedHashMap<>();
        for (String domain : dcByDomain.keySet()) {
            dcTokens.put(domain, hex(32));
        }

        // AS first: it creates the lab CA and a certificate valid for all its addresses.
        List<String> users = new ArrayList<>();
        for (Node n : t.nodes()) {
            String pw = hex(12);
            passwords.put(n.name(), pw);
            users.add(n.name() + ":" + n.fqdn() + ":" + pw);
        }
        List<String> asNames = new ArrayList<>();
        for (HostAddress a : t.addresses().of(as.name())) {
            Optional.ofNullable(a.ipv4()).map(IpLiteral::format).ifPresent(asNames::add);
            Optional.ofNullable(a.ipv6()).map(IpLiteral::format).ifPresent(asNames::add);
        }
        LabHost asHost = lab.host(as.name());
        asHost.startBackground(TAG, JAVA + " as --bind [::]:" + AS_PORT + " --accounts " + AS_ACCOUNTS
                + " --tls-dir /run/ntm/tls --tls-name " + String.join(",", asNames) + dcTokens.entrySet().stream()
                .map(e -> " --dc-token " + e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining())
                + " --iterations 1000 --user " + String.join(",", users));
        asHost.execOk("for i in $(seq 600); do [ -s /run/ntm/tls/ca.pem ] && ss -Htln | grep -q ':" + AS_PORT
                + " ' && exit 0; sleep 0.1; done; echo 'AS did not come up (see " + as.name() + ".log)'; exit 1");
        byte[] ca = asHost.container().copyFileFromContainer("/run/ntm/tls/ca.pem", in -> in.readAllBytes());

        // Relays, then the DC that knows them.
        List<String> relayArgs = new ArrayList<>();
        int relayId = 0;
        for (Server rs : relays) {
            String secret = hex(32);
            relayId++; // the CLI wants numeric RS ids
            InetAddress v4 = plan.firstAddress(rs.name(), false);
            InetAddress v6 = plan.firstAddress(rs.name(), true);
            lab.host(rs.name()).startBackground(TAG, JAVA + " rs --id " + relayId
                    + (v4 != null ? " --bind4 " + hostPort(v4, RS_PORT) : "")
                    + (v6 != null ? " --bind6 " + hostPort(v6, RS_PORT) : "") + " --secret " + secret);
            relayArgs.add(" --relay " + relayId + "," + (v4 == null ? "-" : hostPort(v4, RS_PORT)) + ","
                    + (v6 == null ? "-" : hostPort(v6, RS_PORT)) + "," + secret);
        }
        Map<String, String> pairSecrets = new HashMap<>(); // "a|b" (sorted domains) -> secret
        boolean first = true;
        for (Map.Entry<String, Server> e : dcByDomain.entrySet()) {
            startDc(e.getValue(), e.getKey(), dcByDomain, pairSecrets, ca, as, dcTokens.get(e.getKey()),
                    first ? String.join("", relayArgs) : "");
            first = false;
        }
        for (Server dc : dcByDomain.values()) {
            // A node gives up after 20 unanswered REGISTERs (about 8 s): the DC must listen first.
            lab.host(dc.name()).execOk("for i in $(seq 900); do ss -Huln | grep -q ':" + DC_PORT + " ' && exit 0;"
                    + " [ -d /proc/$(cat /run/ntm/ntm.pid) ] || break; sleep 0.1; done;"
                    + " echo 'DC did not come up (see " + dc.name() + ".log)'; exit 1");
        }

        // Nodes: each talks to the AS and DC addresses it can reach (through its NAT if any).
        for (Node n : t.nodes()) {
            LabHost h = lab.host(n.name());
            h.container().copyFileToContainer(Transferable.of(ca), CA);
            InetAddress asAddr = plan.reachableAddress(as, plan.segmentsReachableFrom(n.name()), n.name());
            // A mobile node (LabMobility) also gets the DC addresses of the segments it will move to.
            NtmPlan.DcAddresses dcs = plan.dcAddresses(n, lab.roamingSegments(n.name()));
            Optional<InetAddress> nodeDc4 = dcs.v4();
            Optional<InetAddress> nodeDc6 = dcs.v6();
            h.startBackground(TAG, JAVA + " node --as " + hostPort(asAddr, AS_PORT) + " --as-ca " + CA
                    + " --user " + n.name() + " --password " + passwords.get(n.name())
                    + nodeDc4.map(a -> " --dc4 " + hostPort(a, DC_PORT)).orElse("")
                    + nodeDc6.map(a -> " --dc6 " + hostPort(a, DC_PORT)).orElse("")
                    + " --port " + NODE_PORT + " --control unix:" + CONTROL_SOCKET
                    + " --events /run/ntm/events.log --wait 60");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (Node n : t.nodes()) {
            String last = "";
            while (true) {
                last = lab.control(n.name(), "status");
                if (last.contains("registered=true")) {
                    break;
                }
                if (!lab.host(n.name()).backgroundAlive(TAG)) { // a zombie is no node
                    throw new LabException("ntm node '" + n.name() + "' exited: "
                            + lab.host(n.name()).container().getLogs().strip().lines().reduce((a, b) -> b).orElse("")
                            + " (logs in " + lab.artifactDir() + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException("node '" + n.name() + "' not registered after " + timeoutSeconds
                            + " s (last status: '" + last + "'; logs in " + lab.artifactDir() + ")");
                }
                sleep(250);
            }
            lab.note("ntm " + n.name() + " " + last);
        }
        LOG.info("event=ntm-up topology={} nodes={} ms={}", t.name(), t.nodes().size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Starts one DC: its own domain, the RSs it knows, and the other domains it may work with. */
    private void startDc(Server dc, String domain, Map<String, Server> dcByDomain, Map<String, String> pairSecrets,
                         byte[] ca, Server as, String dcToken, String relayArgs) {
        LabHost dcHost = lab.host(dc.name());
        dcHost.container().copyFileToContainer(Transferable.of(ca), CA);
        InetAddress dc4 = plan.firstAddress(dc.name(), false);
        InetAddress dc6 = plan.firstAddress(dc.name(), true);
        List<String> dns = new ArrayList<>();
        if (dc4 != null) {
            dns.add(hostPort(dc4, DNS_PORT));
        }
        if (dc6 != null) {
            dns.add(hostPort(dc6, DNS_PORT));
        }
        StringBuilder peers = new StringBuilder();
        List<String> resolvers = new ArrayList<>();
        List<String> reach = plan.segmentsReachableFrom(dc.name());
        for (Map.Entry<String, InetAddress> other : plan.peerDcs(dc).entrySet()) {
            String secret = pairSecrets.computeIfAbsent(NtmPlan.pair(domain, other.getKey()), k -> hex(32));
            peers.append(" --peer ").append(other.getKey()).append('=').append(secret);
            // the other DC's own DNS responder publishes _ntm-dc._udp.<its domain>
            resolvers.add(hostPort(other.getValue(), DNS_PORT));
        }
        InetAddress asForDc = plan.reachableAddress(as, reach, dc.name());
        dcHost.startBackground(TAG, JAVA + " dc --domain " + domain
                + (dc4 != null ? " --bind4 " + hostPort(dc4, DC_PORT) : "")
                + (dc6 != null ? " --bind6 " + hostPort(dc6, DC_PORT) : "")
                + " --dns " + String.join(",", dns) + " --as " + hostPort(asForDc, AS_PORT) + " --as-ca " + CA
                + " --dc-token " + dcToken + relayArgs + peers
                + (resolvers.isEmpty() ? "" : " --resolver " + String.join(",", resolvers)));
        LOG.info("event=dc-start dc={} domain={} peers={} resolvers={}", dc.name(), domain,
                dcByDomain.size() - 1, resolvers);
    }

    private static String hostPort(InetAddress a, int port) {
        String s = IpLiteral.format(a);
        return (s.contains(":") ? "[" + s + "]" : s) + ":" + port;
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
