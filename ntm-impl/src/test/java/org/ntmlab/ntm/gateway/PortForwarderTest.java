package org.ntmlab.ntm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.ntm.stack.tcp.LoopbackTunnel;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.stack.tcp.TcpConfig;

/**
 * socat -> PortForwarder (alice, kernel port) -> NTM tunnel -> Exposer (bob, virtual port)
 * -> kernel echo service, with loss on the tunnel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PortForwarderTest {

    private final LoopbackTunnel t = new LoopbackTunnel(TcpConfig.defaults(), 0.02);
    private final ServerSocket echo;
    private final Thread echoThread;

    @TempDir
    Path tmp;

    PortForwarderTest() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread th = new Thread(() -> {
                        try (s) {
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream();
                            in.transferTo(out);
                            s.shutdownOutput();
                        } catch (Exception e) {
                            // test asserts on the client side
                        }
                    });
                    th.setDaemon(true);
                    th.start();
                } catch (Exception e) {
                    return;
                }
            }
        }, "kernel-echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stop() throws Exception {
        echo.close();
        t.close();
    }

    @Test
    void socatThroughForwarderAndExposerEchoesBytes() throws Exception {
        try (Exposer exposer = new Exposer(new NtmServerSocket(t.bob, 9000),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
             PortForwarder fwd = new PortForwarder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     LoopbackTunnel.BOB_FQDN, 9000, (h, p) -> new NtmSocket(t.alice, t.resolver(), h, p))) {
            byte[] data = new byte[512 * 1024];
            new Random(4).nextBytes(data);
            Path in = tmp.resolve("in");
            Path out = tmp.resolve("out");
            Files.write(in, data);
            Process p = new ProcessBuilder(List.of("socat", "-t", "20", "-", "TCP:127.0.0.1:" + fwd.port()))
                    .redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(tmp.resolve("err").toFile()).start();
            assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(tmp.resolve("err"))).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(data);
        }
    }

    @Test
    void forwarderClosesLocalConnectionWhenPeerRefuses() throws Exception {
        try (PortForwarder fwd = new PortForwarder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                LoopbackTunnel.BOB_FQDN, 9999, (h, p) -> new NtmSocket(t.alice, t.resolver(), h, p));
             Socket s = new Socket(InetAddress.getLoopbackAddress(), fwd.port())) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }
}
