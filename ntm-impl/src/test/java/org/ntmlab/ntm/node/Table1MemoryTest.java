package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.traffic.TcpEchoCheck;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * The paper's Table 1 on the in-memory network behind port-restricted cone NATs (Linux
 * MASQUERADE): every MN x CN cell resolves, carries UDP echo over virtual IPv4 and IPv6 and
 * ICMP echo, and takes the paper's path (direct or via the RS).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Table1MemoryTest {

    private MemoryLab lab;

    @BeforeAll
    void start() throws Exception {
        lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM).table1();
    }

    @AfterAll
    void stop() {
        lab.close();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
        "mn-g4, cn-g4, direct",
        "mn-g4, cn-p1, direct",
        "mn-g4, cn-v6, relay",
        "mn-p2, cn-g4, direct",
        "mn-p2, cn-p1, direct",   // after route optimisation through cone NATs
        "mn-p2, cn-v6, relay",
        "mn-v6, cn-g4, relay",
        "mn-v6, cn-p1, relay",
        "mn-v6, cn-v6, direct",
    })
    void cell(String mnName, String cnName, String expectedPath) throws Exception {
        NtmNode mn = lab.nodes.get(mnName);
        NtmNode cn = lab.nodes.get(cnName);
        TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
        assertThat(t.isUp()).isTrue();
        assertThat(t.peerVirtualV4()).isEqualTo(cn.virtualV4());
        assertThat(t.peerVirtualV6()).isEqualTo(cn.virtualV6());

        echo(mn, cn.virtualV4(), "hello over virtual IPv4 " + mnName + "->" + cnName);
        echo(mn, cn.virtualV6(), "hello over virtual IPv6 " + mnName + "->" + cnName);
        tcpEcho(mn, cn.virtualV4(), 300_000);
        tcpEcho(mn, cn.virtualV6(), 100_000);
        double[] rtt = mn.ping(cn.virtualV4(), 3, Duration.ofSeconds(3));
        assertThat(rtt).doesNotContain(Double.NaN);

        String path = awaitPath(mn, t.tunnelId(), expectedPath);
        assertThat(path).as("MN's path for %s -> %s", mnName, cnName).isEqualTo(expectedPath);
        assertThat(awaitPath(cn, t.tunnelId(), expectedPath)).as("CN's path").isEqualTo(expectedPath);
        // data still flows on the final path
        echo(mn, cn.virtualV4(), "after path settled");
    }

    static void echo(NtmNode mn, InetAddress dst, String text) throws Exception {
        try (NtmDatagramSocket s = new NtmDatagramSocket(mn, 0)) {
            s.setSoTimeout(3000);
            byte[] out = text.getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(out, out.length, dst, NtmNode.ECHO_PORT));
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            s.receive(in);
            assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8)).isEqualTo(text);
            assertThat(in.getAddress()).isEqualTo(dst);
            assertThat(in.getPort()).isEqualTo(NtmNode.ECHO_PORT);
        }
    }

    /** TCP echo through the node's virtual stack: every byte comes back in order. */
    static void tcpEcho(NtmNode mn, InetAddress dst, int bytes) throws Exception {
        try (NtmSocket s = new NtmSocket(mn.tcp(), dst, NtmNode.ECHO_PORT)) {
            s.setSoTimeout(10_000);
            TcpEchoCheck.Result r = TcpEchoCheck.ofBytes(s, bytes).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).as(r.fields()).isTrue();
        }
    }

    /** Polls the node's tunnel table until the tunnel takes {@code expected} (route optimisation takes time). */
    static String awaitPath(NtmNode n, long tunnelId, String expected) throws Exception {
        String path = null;
        for (int i = 0; i < 40; i++) {
            List<TunnelInfo> ts = n.tunnels().get(2, TimeUnit.SECONDS);
            for (TunnelInfo ti : ts) {
                if (ti.tunnelId() == tunnelId) {
                    path = ti.path();
                }
            }
            if (expected.equals(path)) {
                return path;
            }
            Thread.sleep(50);
        }
        return path;
    }
}
