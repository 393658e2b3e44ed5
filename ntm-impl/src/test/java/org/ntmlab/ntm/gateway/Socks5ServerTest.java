package org.ntmlab.ntm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.ntm.stack.tcp.LoopbackTunnel;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/** RFC 1928 gateway, driven by the real curl and by hand-written SOCKS requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Socks5ServerTest {

    private final LoopbackTunnel t = new LoopbackTunnel();
    private final byte[] body = new byte[1 << 20];
    private TinyHttpServer http;
    private Socks5Server socks;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        new Random(3).nextBytes(body);
        http = new TinyHttpServer(new NtmServerSocket(t.bob, 80), body);
        socks = new Socks5Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (host, port) -> new NtmSocket(t.alice, t.resolver(), host, port));
    }

    @AfterEach
    void stop() throws Exception {
        socks.close();
        http.close();
        t.close();
    }

    private void curlFetches(String url) throws Exception {
        File outFile = tmp.resolve("body").toFile();
        Process p = new ProcessBuilder(List.of("curl", "-sS", "--max-time", "30", "--socks5-hostname",
                "127.0.0.1:" + socks.port(), "-o", outFile.getPath(), url)).redirectErrorStream(true).start();
        String curlOut = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl output: %s", curlOut).isZero();
        assertThat(Files.readAllBytes(outFile.toPath())).isEqualTo(body);
    }

    @Test
    void curlThroughSocksByFqdn() throws Exception {
        curlFetches("http://" + LoopbackTunnel.BOB_FQDN + "/file");
        assertThat(http.lastRequestLine).isEqualTo("GET /file HTTP/1.1");
    }

    @Test
    void curlThroughSocksByIpv4Literal() throws Exception {
        curlFetches("http://100.64.0.2/");
    }

    @Test
    void curlThroughSocksByIpv6Literal() throws Exception {
        curlFetches("http://[fd00::2]/");
    }

    private static byte[] exchange(int port, byte[] greeting, byte[] request, int replyLen) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(greeting);
            byte[] method = new byte[2];
            in.readFully(method);
            if (request == null) {
                return method;
            }
            assertThat(method).containsExactly(5, 0);
            out.write(request);
            byte[] reply = new byte[replyLen];
            in.readFully(reply);
            return reply;
        }
    }

    private static byte[] connectDomain(String host, int port) {
        byte[] h = host.getBytes();
        byte[] r = new byte[7 + h.length];
        r[0] = 5;
        r[1] = 1;
        r[3] = 3;
        r[4] = (byte) h.length;
        System.arraycopy(h, 0, r, 5, h.length);
        r[5 + h.length] = (byte) (port >> 8);
        r[6 + h.length] = (byte) port;
        return r;
    }

    @Test
    void noAcceptableMethodGetsFF() throws Exception {
        assertThat(exchange(socks.port(), new byte[] {5, 1, 2}, null, 0)).containsExactly(5, 0xFF - 256);
    }

    @Test
    void bindCommandNotSupported() throws Exception {
        byte[] req = connectDomain(LoopbackTunnel.BOB_FQDN, 80);
        req[1] = 2; // BIND
        assertThat(exchange(socks.port(), new byte[] {5, 1, 0}, req, 10)[1]).isEqualTo((byte) 7);
    }

    @Test
    void unknownAddressTypeNotSupported() throws Exception {
        byte[] req = {5, 1, 0, 9, 0, 0};
        assertThat(exchange(socks.port(), new byte[] {5, 1, 0}, req, 10)[1]).isEqualTo((byte) 8);
    }

    @Test
    void unknownHostGetsHostUnreachable() throws Exception {
        byte[] reply = exchange(socks.port(), new byte[] {5, 1, 0}, connectDomain("nobody.ntm.example", 80), 10);
        assertThat(reply[1]).isEqualTo((byte) 4);
    }

    @Test
    void closedPortGetsConnectionRefused() throws Exception {
        byte[] reply = exchange(socks.port(), new byte[] {5, 1, 0}, connectDomain(LoopbackTunnel.BOB_FQDN, 81), 10);
        assertThat(reply[1]).isEqualTo((byte) 5);
    }

    @Test
    void successReplyCarriesVirtualBoundAddress() throws Exception {
        byte[] reply = exchange(socks.port(), new byte[] {5, 1, 0}, connectDomain(LoopbackTunnel.BOB_FQDN, 80), 10);
        assertThat(reply[1]).isZero();
        assertThat(reply[3]).isEqualTo((byte) 1);
        assertThat(new byte[] {reply[4], reply[5], reply[6], reply[7]})
                .isEqualTo(LoopbackTunnel.ALICE_V4.getAddress());
    }

    @Test
    void refusesNonLoopbackBind() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socks5Server(
                new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), (h, p) -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
