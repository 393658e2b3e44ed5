package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.LabOptions;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.pcap.path.PathClassifier;
import org.ntmlab.pcap.path.PathKind;
import org.ntmlab.pcap.path.TunnelPath;

/**
 * Two NTMobile domains in the Docker lab ({@code two-domains.yaml}; ARCHITECTURE.md: "several
 * DCs find each other through DNS"; docs/protocol.md "Several domains"). The MN of domain a,
 * behind a cone NAT, reaches CNs of domain b: its DC (dca) finds dcb by asking dcb's DNS for
 * {@code _ntm-dc._udp.b.ntm.example} (RFC 2782 SRV), learns the CN's position over the
 * authenticated DC-DC channel and directs both ends (the CN through dcb). Checked with
 * {@code dig} against the DCs' own DNS responders, and with UDP, TCP and ICMP over the tunnels
 * on the path the paper's rules give (direct v4; through the RS for IPv4 <-> IPv6), read from
 * the nodes' tunnel tables and, independently, from the CNs' captures (pcap-analysis).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InterDomainDockerIT {
    static final Path TOPOLOGY = Path.of("src/test/resources/topologies/two-domains.yaml");

    private Lab lab;
    private Topology topology;
    /** Tunnels to find in the CNs' captures afterwards: capture file, tunnel id, expected path. */
    private final List<String[]> expected = new ArrayList<>();

    @BeforeAll
    void up() throws Exception {
        // relocatable: every address below is read from the lab's topology, so this lab may run
        // beside another on the file's prefixes (docs/lab.md "Parallel labs")
        lab = Lab.start(Topology.load(TOPOLOGY), LabOptions.defaults().withRelocation(true));
        topology = lab.topology();
        lab.startNtm(180);
    }

    @AfterAll
    void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void eachDcPublishesItselfInItsOwnDnsAndAnswersForItsNodes() {
        // what dca asks to find dcb, asked with dig from dca's container
        String dcbV4 = v4("dcb");
        String dcaV4 = v4("dca");
        String srv = dig("dca", dcbV4, "_ntm-dc._udp.b.ntm.example SRV");
        assertThat(srv).as("SRV of domain b's DC").contains("7000 ntm-dc.b.ntm.example.");
        assertThat(dig("dca", dcbV4, "ntm-dc.b.ntm.example A")).contains(dcbV4);
        assertThat(dig("dca", dcbV4, "ntm-dc.b.ntm.example AAAA")).contains(IpLiteral.format(v6("dcb")));
        assertThat(dig("dcb", dcaV4, "_ntm-dc._udp.a.ntm.example SRV")).contains("7000 ntm-dc.a.ntm.example.");
        // each DC answers for its own registered nodes (virtual addresses) and for no other domain
        assertThat(dig("dcb", dcbV4, "cn.b.ntm.example A")).matches("(?s)100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])"
                + "\\.\\d+\\.\\d+\\s*");
        assertThat(dig("dca", dcaV4, "mn.a.ntm.example AAAA")).startsWith("fd00:6e74:6d00:");
        String foreign = lab.host("dca").exec("dig @" + dcaV4 + " cn.b.ntm.example A +time=2 +tries=1")
                .getStdout();
        assertThat(foreign).as("dca is not authoritative for domain b").contains("status: REFUSED");
    }

    @Test
    @Order(2)
    void mnOfDomainAReachesCnOfDomainBDirectly() {
        String resolve = lab.control("mn", "resolve cn.b.ntm.example");
        assertThat(resolve).as("resolve across domains").startsWith("OK").contains("path=direct");
        expected.add(new String[] {"cn-g.pcap", new NodeControl.Reply(resolve).field("tunnel").orElseThrow(), "DIRECT"});
        traffic("mn", "cn.b.ntm.example");
        NodeControl.TunnelRow row = tunnelRow("mn", "cn.b.ntm.example");
        assertThat(row.path()).isEqualTo("direct");
        assertThat(row.peerEndpoint()).startsWith(v4("cn") + ":");
    }

    @Test
    @Order(3)
    void mnReachesTheIpv6OnlyCnOfDomainBThroughTheRs() {
        String resolve = lab.control("mn", "resolve cn6.b.ntm.example");
        assertThat(resolve).as("IPv4 MN to IPv6 CN across domains").startsWith("OK").contains("path=relay");
        expected.add(new String[] {"cn6-v6.pcap", new NodeControl.Reply(resolve).field("tunnel").orElseThrow(), "RELAY"});
        traffic("mn", "cn6.b.ntm.example");
        NodeControl.TunnelRow mn = tunnelRow("mn", "cn6.b.ntm.example");
        assertThat(mn.path()).isEqualTo("relay");
        assertThat(mn.relay()).startsWith(v4("rs") + ":");
        NodeControl.TunnelRow cn = tunnelRow("cn6", "mn.a.ntm.example");
        assertThat(cn.path()).as("the CN's end, directed by dcb").isEqualTo("relay");
        assertThat(cn.relay()).as("the CN's end, directed by dcb").startsWith("[" + v6("rs").getHostAddress() + "]:");
    }

    @Test
    @Order(4)
    void cnOfDomainBReachesMnOfDomainABehindItsNat() {
        String resolve = lab.control("cn", "resolve mn.a.ntm.example");
        assertThat(resolve).as("domain b as the MN side").startsWith("OK").contains("path=direct");
        expected.add(new String[] {"cn-g.pcap", new NodeControl.Reply(resolve).field("tunnel").orElseThrow(), "DIRECT"});
        traffic("cn", "mn.a.ntm.example");
        NodeControl.TunnelRow row = tunnelRow("cn", "mn.a.ntm.example");
        assertThat(row.path()).as("direct to mn's NAT mapping at ra").isEqualTo("direct");
        assertThat(row.peerEndpoint()).as("direct to mn's NAT mapping at ra").startsWith(IpLiteral.format(topology.router("ra").orElseThrow().outsideAddress()) + ":");
    }

    /**
     * The same paths seen from the wire: which real addresses carried each tunnel's DATA in the
     * CN's capture (the two ends or their NAT: direct; an RS address: relay). Closes the lab,
     * which stops tcpdump and copies the captures.
     */
    @Test
    @Order(5)
    void capturesShowTheSamePaths() throws Exception {
        Path dir = lab.artifactDir();
        lab.close();
        assertThat(expected).as("tunnels recorded by the earlier tests").hasSize(3);
        for (String[] e : expected) {
            Optional<TunnelPath> tp = PathClassifier.classify(MatrixDockerIT.roles(topology),
                    List.of(dir.resolve(e[0]))).tunnel(Long.parseUnsignedLong(e[1], 16));
            assertThat(tp).as("DATA of tunnel " + e[1] + " in " + e[0]).isPresent();
            assertThat(tp.get().finalKind()).as("path of tunnel " + e[1] + " in " + e[0] + ": " + tp.get().history())
                    .isEqualTo(PathKind.valueOf(e[2]));
        }
    }

    /** UDP and TCP echo over the peer's virtual IPv4 and IPv6, and ICMP echo, every byte checked. */
    private void traffic(String from, String fqdn) {
        assertThat(lab.control(from, "udp-echo " + fqdn + " 7 20 1000")).startsWith("OK").contains("received=20",
                "corrupted=0");
        assertThat(lab.control(from, "udp-echo " + fqdn + "/6 7 20 1000")).startsWith("OK").contains("received=20",
                "corrupted=0");
        assertThat(lab.control(from, "tcp-echo " + fqdn + " 7 300000")).startsWith("OK").contains("intact=true");
        assertThat(lab.control(from, "tcp-echo " + fqdn + "/6 7 300000")).startsWith("OK").contains("intact=true");
        assertThat(lab.control(from, "ping " + fqdn + " 5")).startsWith("OK").contains("received=5");
    }

    private NodeControl.TunnelRow tunnelRow(String node, String fqdn) {
        return lab.control(node).tunnel(fqdn)
                .orElseThrow(() -> new AssertionError(node + " has no tunnel to " + fqdn + ": "
                        + lab.control(node, "tunnels")));
    }

    private String dig(String host, String server, String question) {
        var r = lab.host(host).exec("dig +short +time=2 +tries=2 @" + server + " " + question);
        assertThat(r.getExitCode()).as("dig @" + server + " " + question + ": " + r.getStderr()).isZero();
        return r.getStdout().strip();
    }

    /** The IPv4 address of {@code host} in this run (relocated or not). */
    private String v4(String host) {
        return topology.addresses().of(host).stream().map(HostAddress::ipv4).filter(a -> a != null).findFirst()
                .map(IpLiteral::format).orElseThrow(() -> new AssertionError(host + " has no IPv4 address"));
    }

    /** The IPv6 address of {@code host} in this run. */
    private InetAddress v6(String host) {
        return topology.addresses().of(host).stream().map(HostAddress::ipv6).filter(a -> a != null).findFirst()
                .orElseThrow(() -> new AssertionError(host + " has no IPv6 address"));
    }
}
