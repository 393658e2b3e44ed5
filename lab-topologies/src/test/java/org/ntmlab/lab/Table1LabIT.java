package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Topology;

/** Starts topologies/table1.yaml with plain tools (no NTM processes) and checks the network itself. */
class Table1LabIT {
    static Lab lab;
    static List<NatProbe.Result> natResults;
    static String runId;

    @BeforeAll
    static void start() {
        Topology t = Topology.load(Path.of(System.getProperty("ntm.topologies", "../topologies"), "table1.yaml"));
        lab = Lab.start(t, LabOptions.defaults().withVerifyNat(false));
        runId = lab.runId();
        natResults = lab.verifyNatTypes();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void everySegmentIsAnInternalDockerNetwork() {
        List<Network> nets = LabSweeper.networks(lab.dockerClient(), runId);
        assertThat(nets).hasSize(4);
        assertThat(nets).allSatisfy(n -> assertThat(n.getInternal()).as(n.getName()).isTrue());
        assertThat(nets).extracting(n -> n.getIpam().getConfig().get(0).getSubnet())
                .contains("198.51.100.0/24", "192.168.1.0/24", "192.168.2.0/24");
        Network v6 = nets.stream().filter(n -> n.getName().endsWith("-v6")).findFirst().orElseThrow();
        assertThat(v6.getEnableIPv6()).isTrue();
        assertThat(v6.getIpam().getConfig()).extracting(c -> c.getSubnet()).contains("2001:db8:6::/64");
    }

    @Test
    void routersClassifyAsDeclaredByStunClient() {
        assertThat(natResults).extracting(NatProbe.Result::router).containsExactly("r1", "r2");
        assertThat(natResults).allSatisfy(r -> {
            assertThat(r.primaryLine()).startsWith("Independent Mapping, Port Dependent Filter");
            assertThat(r.observed()).contains(NatType.PORT_RESTRICTED_CONE);
        });
    }

    @Test
    void nodeBehindR1ReachesTheGlobalSegmentThroughTheNat() {
        LabHost g4 = lab.host("g4");
        LabHost p1 = lab.host("p1");
        assertThat(p1.execOk("ping -c 2 -W 2 198.51.100.40")).contains("2 received");
        // The global node must see the router's outside address, with the port preserved (MASQUERADE).
        g4.startBackground("peer", "exec socat UDP-RECVFROM:9000,fork SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT'");
        g4.execOk("for i in $(seq 50); do ss -Huln | grep -q ':9000 ' && exit 0; sleep 0.1; done; exit 1");
        // one datagram each way: under load (modules built in parallel) the forked reply can miss
        // socat's 3 s, so up to three exchanges (UDP promises no more)
        String seen = "";
        for (int i = 0; i < 3 && seen.isEmpty(); i++) {
            seen = p1.execOk("echo hi | timeout 5 socat -T 3 - UDP:198.51.100.40:9000,sourceport=5555").strip();
        }
        assertThat(seen).isEqualTo("198.51.100.101 5555");
        g4.stopBackground("peer", "TERM");
    }

    @Test
    void privateNetworksAreNotRoutedToEachOther() {
        // p2's address is private: r1 sends it towards g4 with no route, so nothing arrives.
        assertThat(lab.host("p1").exec("ping -c 1 -W 1 192.168.2.10").getExitCode()).isNotZero();
        // And nothing from the global segment can open a flow into P1 (no DNAT on a cone router).
        assertThat(lab.host("g4").exec("ip route add 192.168.1.0/24 via 198.51.100.101 &&"
                + " ping -c 1 -W 1 192.168.1.10").getExitCode()).isNotZero();
    }

    @Test
    void ipv6OnlyNodeHasNoIpv4AndReachesDcAndRsOverIpv6() {
        LabHost v6 = lab.host("v6");
        assertThat(v6.execOk("ip -4 -o addr show scope global")).isBlank();
        assertThat(v6.execOk("ping -6 -c 1 -W 2 2001:db8:6::20")).contains("1 received");
        assertThat(v6.execOk("ping -6 -c 1 -W 2 2001:db8:6::30")).contains("1 received");
        assertThat(v6.exec("ping -4 -c 1 -W 1 198.51.100.20").getExitCode()).isNotZero();
        // The DC is dual-stack: it reaches the global IPv4 node too.
        assertThat(lab.host("dc").execOk("ping -c 1 -W 2 198.51.100.40")).contains("1 received");
    }

    @Test
    void nothingLeavesTheLab() {
        // Docker gives internal networks a gateway route (.1); the lab removes it, so a global
        // node has no route to anything outside its segments.
        assertThat(lab.host("g4").execOk("ip route show default; ip -6 route show default")).isBlank();
        assertThat(lab.host("dc").execOk("ip route show default; ip -6 route show default")).isBlank();
        assertThat(lab.host("g4").exec("ping -c 1 -W 1 203.0.113.1").getExitCode()).isNotZero();
    }

    @AfterAll
    static void cleanupLeavesNothingAndCapturesAreCopied() throws Exception {
        Path dir = lab.artifactDir();
        lab.close();
        assertThat(LabSweeper.containers(lab.dockerClient(), runId)).isEmpty();
        assertThat(LabSweeper.networks(lab.dockerClient(), runId)).isEmpty();
        assertThat(dir.resolve("r1-p1.pcap")).exists();
        assertThat(dir.resolve("r1-g4.pcap")).exists();
        // The pings above crossed r1: its outside capture has more than the 24-byte pcap header.
        assertThat(Files.size(dir.resolve("r1-g4.pcap"))).isGreaterThan(24);
        assertThat(dir.resolve("p1.log")).exists();
        assertThat(Files.readString(dir.resolve("lab.txt"))).contains("nat-probe r1: declared port-restricted-cone");
    }
}
