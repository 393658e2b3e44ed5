package org.ntmlab.ntm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 11 finding 10: any peer reached an exposed service (which sees every connection as the
 * node's own host), as many times as it liked. Now bob exposes his service to alice only, two
 * connections at once: carol is closed at once, alice's third connection too, and a slot freed
 * by a closed connection is free again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExposerAccessMemoryTest {

    @Test
    void onlyAllowedPeersGetInAndNoMoreThanTheCap() throws Exception {
        try (ServerSocket echo = echoServer();
             MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode bob = lab.node("bob", lab.global4, "198.51.100.40");
            NtmNode alice = lab.node("alice", lab.global4, "198.51.100.41");
            NtmNode carol = lab.node("carol", lab.global4, "198.51.100.42");
            try (Exposer x = new Exposer(new NtmServerSocket(bob.tcp(), 80),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()),
                    Exposer.namesOf(bob), Set.of(alice.fqdn()), 2)) {
                List<NtmSocket> open = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    NtmSocket s = connect(alice, bob);
                    assertThat(roundTrip(s, "alice " + i)).isEqualTo("alice " + i);
                    open.add(s);
                }
                try (NtmSocket third = connect(alice, bob)) {
                    assertThat(third.getInputStream().read()).as("no third slot").isEqualTo(-1);
                }
                try (NtmSocket c = connect(carol, bob)) {
                    assertThat(c.getInputStream().read()).as("carol is not on the list").isEqualTo(-1);
                }
                assertThat(x.refused()).isEqualTo(2);

                open.remove(0).close(); // a slot comes free once both directions end
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String again = null;
                while (again == null && System.nanoTime() < deadline) {
                    try (NtmSocket s = connect(alice, bob)) {
                        again = roundTrip(s, "again");
                    } catch (IOException e) {
                        Thread.sleep(100); // the closed connection's threads are still ending
                    }
                }
                assertThat(again).isEqualTo("again");
                for (NtmSocket s : open) {
                    s.close();
                }
            }
        }
    }

    private static NtmSocket connect(NtmNode from, NtmNode to) throws Exception {
        from.resolve(to.fqdn()).get(10, TimeUnit.SECONDS);
        NtmSocket s = new NtmSocket(from.tcp(), to.virtualV4(), 80);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Writes a line and reads the echo; an IOException if the connection was closed instead. */
    private static String roundTrip(NtmSocket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        if (c < 0) {
            throw new IOException("closed after '" + b + "'");
        }
        return b.toString();
    }

    private static ServerSocket echoServer() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread th = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // the test looks at the client side
                        }
                    });
                    th.setDaemon(true);
                    th.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "kernel-echo");
        t.setDaemon(true);
        t.start();
        return ss;
    }
}
