package org.ntmlab.ntm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ntmlab.ntm.node.ControlAddress;

/**
 * Real processes on loopback, from the runnable jar: `ntm as`, `ntm dc`, `ntm rs` and two
 * `ntm node`s exchange datagrams through an NTM tunnel; `dig` (a DNS client this project did
 * not write) resolves a registered name at the DC; a wrong password is refused. A second DC
 * serves b.ntm.example: `dig` finds it by its SRV record, and alice (ntm.example) reaches carol
 * (b.ntm.example) through both DCs, each finding the other through the other's DNS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopbackProcessesIT {

    static final Path JAR = Path.of(System.getProperty("ntm.jar", "target/ntm.jar"));

    Path dir;
    final List<Process> processes = new ArrayList<>();
    int asPort;
    int dcPort;
    int rsPort;
    int dnsPort;
    int dcBPort;
    int dnsBPort;
    /** Control channels: Unix sockets, as by default; dave's is TCP with a token (issue 11 finding 8). */
    ControlAddress ctl1;
    ControlAddress ctl2;
    ControlAddress ctl3;
    ControlAddress ctl4;
    static final String TOKEN = "loopback-token-0123456789abcdef";
    /** Each DC's credential at the AS reads its own domain's keys only (issue 11 finding 9). */
    static final String DC_A_TOKEN = "dc-a-token-5f1e";
    static final String DC_B_TOKEN = "dc-b-token-0c3d";
    static final String SMALL_HEAP = "-Xmx64m";
    int socksPort;
    int forwardPort;
    com.sun.net.httpserver.HttpServer http;
    static final String PAGE = "<html>served by bob's kernel TCP, reached over NTM</html>";

    @BeforeAll
    void start() throws Exception {
        assertThat(JAR).as("runnable jar (mvn package)").exists();
        dir = Files.createTempDirectory("ntm-loopback");
        asPort = freeTcp();
        ctl1 = ControlAddress.unix(dir.resolve("run/alice.sock"));
        ctl2 = ControlAddress.unix(dir.resolve("run/bob.sock"));
        dcPort = freeUdp();
        rsPort = freeUdp();
        dnsPort = freeUdp();
        dcBPort = freeUdp();
        dnsBPort = freeUdp();
        ctl3 = ControlAddress.unix(dir.resolve("run/carol.sock"));
        socksPort = freeTcp();
        forwardPort = freeTcp();
        http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        http.createContext("/", ex -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        Files.writeString(dir.resolve("dc-a.token"), DC_A_TOKEN + "\n");
        String secret = HexFormat.of().formatHex(new byte[32]).replace("00", "5a");
        String interDc = HexFormat.of().formatHex(new byte[32]).replace("00", "c3");
        spawn("as", "as", "--bind", "127.0.0.1:" + asPort, "--accounts", dir.resolve("accounts").toString(),
                "--tls-dir", dir.resolve("tls").toString(), "--dc-token", "ntm.example=@" + dir.resolve("dc-a.token"),
                "--dc-token", "b.ntm.example=env:NTM_DC_B_TOKEN", "--iterations", "1000",
                "--user", "alice:alice.ntm.example:alice-pw,bob:bob.ntm.example:bob-pw,"
                        + "carol:carol.b.ntm.example:carol-pw,dave:dave.ntm.example:dave-pw");
        spawn("rs", "rs", "--id", "1", "--bind4", "127.0.0.1:" + rsPort, "--bind6", "[::1]:" + rsPort,
                "--secret", secret);
        spawn("dc", "dc", "--domain", "ntm.example", "--bind4", "127.0.0.1:" + dcPort, "--bind6", "[::1]:" + dcPort,
                "--dns", "127.0.0.1:" + dnsPort, "--as", "127.0.0.1:" + asPort, "--as-ca",
                dir.resolve("tls/ca.pem").toString(), "--dc-token", "@" + dir.resolve("dc-a.token"), "--relay",
                "1,127.0.0.1:" + rsPort + ",[::1]:" + rsPort + "," + secret, "--peer", "b.ntm.example=" + interDc,
                "--resolver", "127.0.0.1:" + dnsBPort);
        spawn("dc-b", "dc", "--domain", "b.ntm.example", "--bind4", "127.0.0.1:" + dcBPort, "--dns",
                "127.0.0.1:" + dnsBPort, "--as", "127.0.0.1:" + asPort, "--as-ca", dir.resolve("tls/ca.pem").toString(),
                "--dc-token", "env:NTM_DC_B_TOKEN", "--peer", "ntm.example=" + interDc, "--resolver", "127.0.0.1:" + dnsPort,
                "-v");
        spawn("alice", "node", "--as", "127.0.0.1:" + asPort, "--as-ca", dir.resolve("tls/ca.pem").toString(),
                "--user", "alice", "--password", "alice-pw", "--dc4", "127.0.0.1:" + dcPort, "--dc6",
                "[::1]:" + dcPort, "--port", "0", "--control", ctl1.toString(), "--socks", "127.0.0.1:" + socksPort,
                "--forward", "127.0.0.1:" + forwardPort + "=bob.ntm.example:7");
        spawn("bob", "node", "--as", "127.0.0.1:" + asPort, "--as-ca", dir.resolve("tls/ca.pem").toString(),
                "--user", "bob", "--password", "bob-pw", "--dc4", "127.0.0.1:" + dcPort, "--port", "0",
                "--control", ctl2.toString(), "--expose", "80=127.0.0.1:" + http.getAddress().getPort());
        spawn("carol", "node", "--as", "127.0.0.1:" + asPort, "--as-ca", dir.resolve("tls/ca.pem").toString(),
                "--user", "carol", "--password", "carol-pw", "--dc4", "127.0.0.1:" + dcBPort, "--port", "0",
                "--control", ctl3.toString());
        // dave runs in a heap smaller than the streams it is asked to check (issue 8)
        ctl4 = ControlAddress.tcp(new java.net.InetSocketAddress("127.0.0.1", freeTcp()));
        Files.writeString(dir.resolve("control-token"), TOKEN + "\n");
        spawnWithHeap("dave", SMALL_HEAP, "node", "--as", "127.0.0.1:" + asPort, "--as-ca",
                dir.resolve("tls/ca.pem").toString(), "--user", "dave", "--password", "dave-pw", "--dc4",
                "127.0.0.1:" + dcPort, "--port", "0", "--control", ctl4.toString(),
                "--control-token", "@" + dir.resolve("control-token"));
        awaitControl(ctl1);
        awaitControl(ctl2);
        awaitControl(ctl3);
        awaitControl(ctl4);
    }

    @AfterAll
    void stop() throws Exception {
        if (http != null) {
            http.stop(0);
        }
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (String n : List.of("as", "rs", "dc", "dc-b", "alice", "bob", "carol", "dave")) {
            Path log = dir.resolve(n + ".log");
            if (Files.exists(log)) {
                Files.copy(log, Path.of("target").resolve("loopback-" + n + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void nodesExchangeDatagramsOverVirtualIpv4AndIpv6() throws Exception {
        String r = control(ctl1, "resolve bob.ntm.example");
        assertThat(r).startsWith("OK v4=100.").contains("path=direct");
        assertThat(control(ctl1, "udp-echo bob.ntm.example 7 50 1000")).startsWith("OK sent=50 received=50 corrupted=0");
        assertThat(control(ctl1, "udp-echo bob.ntm.example/6 7 10 1200")).startsWith("OK sent=10 received=10");
        assertThat(control(ctl1, "ping bob.ntm.example 3")).startsWith("OK sent=3 received=3");
        assertThat(control(ctl1, "tcp-echo bob.ntm.example 7 300000")).startsWith("OK bytes=300000 received=300000 intact=true");
        assertThat(control(ctl1, "tcp-echo bob.ntm.example/6 7 100000")).startsWith("OK bytes=100000");
        assertThat(control(ctl1, "send bob.ntm.example 9 fire and forget")).isEqualTo("OK sent=15");
        assertThat(control(ctl1, "bogus")).startsWith("ERR unknown command");
        assertThat(control(ctl2, "tunnels")).contains("\"peer\":\"alice.ntm.example\"").contains("\"state\":\"up\"");
    }

    /**
     * Issue 8: a node in a 64 MB heap checks a stream four times its heap (the old tcp-echo held
     * the payload two or three times and died of OutOfMemoryError at 35 MB in 128 MB), refuses
     * requests beyond its limits with a clear ERR, and still tunnels afterwards.
     */
    @Test
    void smallHeapNodeSurvivesEveryControlCommand() throws Exception {
        long big = 256L << 20;
        assertThat(control(ctl4, "tcp-echo bob.ntm.example 7 " + big, 300_000))
                .startsWith("OK bytes=" + big + " received=" + big + " intact=true");
        assertThat(control(ctl4, "tcp-echo bob.ntm.example 7 " + ((1L << 40) + 1))).startsWith("ERR bytes must be");
        assertThat(control(ctl4, "tcp-echo bob.ntm.example 7 many")).startsWith("ERR");
        assertThat(control(ctl4, "udp-stream bob.ntm.example 7 20000 600000 200")).startsWith("ERR pps * ms / 1000");
        assertThat(control(ctl4, "udp-stream bob.ntm.example 7 20000 50 1300")).startsWith("OK").contains(
                "corrupted=0");
        assertThat(control(ctl4, "tcp-stream bob.ntm.example 7 500")).startsWith("OK bytes=").contains("intact=true");
        assertThat(control(ctl4, "x".repeat(1 << 24))).startsWith("ERR command longer than 4096 bytes");
        assertThat(control(ctl4, "udp-echo bob.ntm.example 7 10 1000")).startsWith("OK sent=10 received=10");
        assertThat(control(ctl4, "status")).contains("registered=true");
        assertThat(Files.readString(dir.resolve("dave.log"))).doesNotContain("OutOfMemoryError");
    }

    @Test
    void digResolvesRegisteredNameAtTheDc() throws Exception {
        String v4 = control(ctl2, "status").replaceAll(".* v4=([0-9.]+) .*", "$1");
        assertThat(dig("bob.ntm.example", "A")).isEqualTo(v4);
        assertThat(dig("bob.ntm.example", "AAAA")).startsWith("fd00:6e74:6d00:");
        assertThat(run("dig", "@127.0.0.1", "-p", "" + dnsPort, "+time=2", "+tries=1", "nobody.ntm.example"))
                .contains("status: NXDOMAIN");
        assertThat(run("dig", "@127.0.0.1", "-p", "" + dnsPort, "+time=2", "+tries=1", "www.example.org"))
                .contains("status: REFUSED");
    }

    /** Paper section 3.2, "DCmn looks for DCcn through DNS": dig (not ours) sees the same records. */
    @Test
    void secondDomainIsFoundThroughDnsSrvAndReached() throws Exception {
        String srv = run("dig", "@127.0.0.1", "-p", "" + dnsBPort, "+short", "+time=2", "+tries=1",
                "_ntm-dc._udp.b.ntm.example", "SRV").strip();
        assertThat(srv).isEqualTo("0 0 " + dcBPort + " ntm-dc.b.ntm.example.");
        assertThat(run("dig", "@127.0.0.1", "-p", "" + dnsBPort, "+short", "+time=2", "+tries=1",
                "ntm-dc.b.ntm.example", "A").strip()).isEqualTo("127.0.0.1");
        String full = run("dig", "@127.0.0.1", "-p", "" + dnsPort, "+time=2", "+tries=1", "_ntm-dc._udp.ntm.example",
                "SRV");
        assertThat(full).contains("status: NOERROR").contains("flags: qr aa").contains(dcPort + " ntm-dc.ntm.example.")
                .containsPattern("ADDITIONAL SECTION:\\s+ntm-dc\\.ntm\\.example\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.1");

        String r = control(ctl1, "resolve carol.b.ntm.example");
        assertThat(r).startsWith("OK v4=100.").contains("path=direct");
        assertThat(control(ctl1, "udp-echo carol.b.ntm.example 7 20 1000")).startsWith("OK sent=20 received=20 "
                + "corrupted=0");
        assertThat(control(ctl1, "tcp-echo carol.b.ntm.example/6 7 200000")).startsWith("OK bytes=200000 "
                + "received=200000 intact=true");
        assertThat(control(ctl3, "tunnels")).contains("\"peer\":\"alice.ntm.example\"")
                .contains("\"state\":\"up\"");
        assertThat(control(ctl1, "resolve nobody.b.ntm.example")).startsWith("ERR")
                .contains("no node registered as nobody.b.ntm.example");
    }

    /** curl (not ours) through `ntm node --socks` to bob's kernel web server exposed with `--expose`. */
    @Test
    void curlReachesAnExposedServiceThroughSocks() throws Exception {
        String out = run("curl", "-sS", "--max-time", "20", "--socks5-hostname", "127.0.0.1:" + socksPort,
                "http://bob.ntm.example/");
        assertThat(out).isEqualTo(PAGE);
    }

    /** A JVM's own SOCKS support (as -DsocksProxyHost would use) reaching bob's TCP echo by name. */
    @Test
    void javaSocksClientReachesPeerByName() throws Exception {
        java.net.Proxy proxy = new java.net.Proxy(java.net.Proxy.Type.SOCKS,
                new java.net.InetSocketAddress("127.0.0.1", socksPort));
        try (Socket s = new Socket(proxy)) {
            s.connect(java.net.InetSocketAddress.createUnresolved("bob.ntm.example", 7), 20_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("through socks\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine()).isEqualTo("through socks");
        }
    }

    /** socat (not ours) through `--forward` to bob's virtual TCP echo: 200 KB come back intact. */
    @Test
    void socatThroughPortForward() throws Exception {
        Path in = dir.resolve("socat-in.bin");
        byte[] data = new byte[200_000];
        new java.util.Random(3).nextBytes(data);
        Files.write(in, data);
        Path out = dir.resolve("socat-out.bin");
        Process q = new ProcessBuilder("bash", "-c", "socat -t 10 -T 20 FILE:" + in + ",rdonly!!FILE:" + out
                + ",creat,trunc TCP:127.0.0.1:" + forwardPort).redirectErrorStream(true).start();
        String log = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(60, TimeUnit.SECONDS)).as("socat finished: " + log).isTrue();
        assertThat(Files.readAllBytes(out)).as("socat log: " + log).isEqualTo(data);
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", JAR.toString(), "node", "--as", "127.0.0.1:" + asPort,
                "--as-ca", dir.resolve("tls/ca.pem").toString(), "--user", "alice", "--password", "guess",
                "--dc4", "127.0.0.1:" + dcPort, "--control", "unix:" + dir.resolve("run/guess.sock")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out).contains("refused by AS: bad credentials");
    }

    private String dig(String name, String type) throws Exception {
        return run("dig", "@127.0.0.1", "-p", "" + dnsPort, "+short", "+time=2", "+tries=1", name, type).strip();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    private void spawn(String name, String... args) throws IOException {
        spawnWithHeap(name, "-Xmx256m", args);
    }

    private void spawnWithHeap(String name, String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", heap, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("NTM_DC_B_TOKEN", DC_B_TOKEN);
        processes.add(pb.start());
    }

    private void awaitControl(ControlAddress at) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (SocketChannel s = SocketChannel.open(at.socketAddress())) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("node control channel " + at + " never opened; logs in " + dir);
    }

    static String control(ControlAddress at, String line) throws Exception {
        return control(at, line, 30_000);
    }

    /** One command on a fresh connection (after {@code auth} on TCP); the reply, or a failure after {@code timeoutMs}. */
    static String control(ControlAddress at, String line, int timeoutMs) throws Exception {
        try (SocketChannel s = SocketChannel.open(at.socketAddress())) {
            // a channel's streams have no read timeout: the wait is bounded here, closing the channel ends it
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    Writer w = new OutputStreamWriter(Channels.newOutputStream(s), StandardCharsets.UTF_8);
                    BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(s),
                            StandardCharsets.UTF_8));
                    if (!at.isUnix()) {
                        w.write("auth " + TOKEN + "\n");
                        w.flush();
                        String ok = r.readLine();
                        if (!"OK authenticated".equals(ok)) {
                            return ok;
                        }
                    }
                    w.write(line + "\n");
                    w.flush();
                    return r.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return reply.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}
