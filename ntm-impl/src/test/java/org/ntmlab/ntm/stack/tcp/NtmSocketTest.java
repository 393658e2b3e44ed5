package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking java.net-style API over two layers joined in memory, real threads and clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NtmSocketTest {

    private final LoopbackTunnel t = new LoopbackTunnel();

    @AfterEach
    void stop() {
        t.close();
    }

    private CompletableFuture<Void> echoServer(NtmServerSocket server) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
                s.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void echoRoundTripByFqdn() throws Exception {
        NtmServerSocket server = new NtmServerSocket(t.bob, 7);
        CompletableFuture<Void> done = echoServer(server);
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        try (NtmSocket s = new NtmSocket(t.alice, t.resolver(), LoopbackTunnel.BOB_FQDN, 7)) {
            assertThat(s.isConnected()).isTrue();
            assertThat(s.getInetAddress()).isEqualTo(LoopbackTunnel.BOB_V4);
            assertThat(s.getLocalAddress()).isEqualTo(LoopbackTunnel.ALICE_V4);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = s.getInputStream().readAllBytes();
            writer.get();
            assertThat(back).isEqualTo(data);
        }
        done.get(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void ipv6Connect() throws Exception {
        NtmServerSocket server = new NtmServerSocket(t.bob, 7);
        CompletableFuture<Void> done = echoServer(server);
        try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V6, 7)) {
            assertThat(s.getLocalAddress()).isEqualTo(LoopbackTunnel.ALICE_V6);
            s.getOutputStream().write("hello".getBytes());
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes())).isEqualTo("hello");
        }
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void unknownNameThrowsUnknownHost() {
        assertThatThrownBy(() -> new NtmSocket(t.alice, t.resolver(), "nobody.ntm.example", 7))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void closedPortThrowsConnectionRefused() {
        assertThatThrownBy(() -> new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 9))
                .isInstanceOf(ConnectException.class).hasMessageContaining("refused");
    }

    @Test
    void connectTimeoutThrowsAndCleansUp() throws Exception {
        NtmSocket s = new NtmSocket(t.alice);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(TestAddresses.v4("100.64.0.99"), 80), 300))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 5000L);
        LoopWaiter w = new LoopWaiter(t.loop);
        assertThat(w.call(() -> t.alice.connectionCount())).isZero();
    }

    @Test
    void readTimeoutLeavesSocketUsable() throws Exception {
        NtmServerSocket server = new NtmServerSocket(t.bob, 7);
        CompletableFuture<Void> done = echoServer(server);
        try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 7)) {
            s.setSoTimeout(200);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            s.getOutputStream().write(42);
            assertThat(s.getInputStream().read()).isEqualTo(42);
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void acceptTimeout() throws Exception {
        try (NtmServerSocket server = new NtmServerSocket(t.bob, 7)) {
            server.setSoTimeout(100);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void closeWakesBlockedReader() throws Exception {
        NtmServerSocket server = new NtmServerSocket(t.bob, 7);
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 7);
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                s.getInputStream().read();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(100);
        assertThat(reader).isNotDone();
        s.close();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        // the peer sees our FIN
        assertThat(accepted.get(5, TimeUnit.SECONDS).getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void peerResetSurfacesAsSocketException() throws Exception {
        NtmServerSocket server = new NtmServerSocket(t.bob, 7);
        CompletableFuture<Void> srv = CompletableFuture.runAsync(() -> {
            try {
                Socket s = server.accept();
                new DataInputStream(s.getInputStream()).readFully(new byte[1]);
                Thread.sleep(100); // the rest arrives unread
                s.close(); // unread data -> RST
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 7)) {
            s.getOutputStream().write(new byte[100]);
            srv.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void socketFactoryGivesJavaNetSockets() throws Exception {
        ServerSocket server = new NtmServerSocketFactory(t.bob).createServerSocket(8080);
        assertThat(server.getLocalPort()).isEqualTo(8080);
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                return new String(s.getInputStream().readAllBytes());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        SocketFactory f = new NtmSocketFactory(t.alice, t.resolver());
        try (Socket s = f.createSocket(LoopbackTunnel.BOB_FQDN, 8080)) {
            assertThat(s).isInstanceOf(NtmSocket.class);
            assertThat(s.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(LoopbackTunnel.BOB_V4, 8080));
            s.setTcpNoDelay(true);
            s.setKeepAlive(true); // accepted and ignored
            s.getOutputStream().write("via factory".getBytes());
        }
        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("via factory");
        Socket unconnected = f.createSocket();
        assertThat(unconnected.isConnected()).isFalse();
        unconnected.connect(InetSocketAddress.createUnresolved(LoopbackTunnel.BOB_FQDN, 8080), 1000);
        assertThat(unconnected.isConnected()).isTrue(); // lands in the listener's backlog
        unconnected.close();
        server.close();
    }
}
