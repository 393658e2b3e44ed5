package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 8: no control command can take the node down or starve its other work. Requests beyond
 * the limits get a clear ERR before anything is allocated; an endless line and a flood of
 * connections are refused; afterwards the node still tunnels.
 */
class ControlServerLimitsTest {

    @TempDir
    Path dir;

    @Test
    void requestsBeyondTheLimitsAreRefusedAndTheNodeStillTunnels() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM);
             ControlServer control = new ControlServer(lab.node("mn", lab.global4, "198.51.100.40"),
                     ControlAddress.unix(dir.resolve("node.sock")), null)) {
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            String to = cn.fqdn();
            assertThat(control.handle("tcp-echo " + to + " 7 " + ((1L << 40) + 1))).startsWith("ERR bytes must be 1..");
            assertThat(control.handle("tcp-echo " + to + " 7 0")).startsWith("ERR bytes must be 1..");
            assertThat(control.handle("tcp-stream " + to + " 7 600001")).startsWith("ERR ms must be 1..600000");
            assertThat(control.handle("udp-stream " + to + " 7 20000 600000 1300"))
                    .isEqualTo("ERR pps * ms / 1000 = 12000000 datagrams, more than the 1000000 one stream may send");
            assertThat(control.handle("udp-echo " + to + " 7 100001 64")).startsWith("ERR count must be");

            try (Socket s = connect(control)) {
                OutputStream out = s.getOutputStream();
                out.write(new byte[ControlServer.MAX_LINE * 4]); // no newline anywhere
                out.write('\n');
                out.flush();
                out.write("status\n".getBytes(StandardCharsets.UTF_8));
                BufferedReader in = reader(s);
                assertThat(in.readLine()).isEqualTo("ERR command longer than 4096 bytes");
                assertThat(in.readLine()).as("the same connection goes on").startsWith("OK fqdn=");
            }

            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
                    flood.add(connect(control));
                }
                // the connections above are all served (each waits for its command): one more is refused
                String refused = awaitRefusal(control);
                assertThat(refused).isEqualTo("ERR busy: 16 control connections are open");
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }

            assertThat(control.handle("tcp-echo " + to + " 7 3000000")).startsWith("OK bytes=3000000 received=3000000"
                    + " intact=true");
            assertThat(control.handle("udp-stream " + to + " 7 1000 300 200")).startsWith("OK sent=300").contains(
                    "corrupted=0");
            try (Socket s = connect(control)) {
                s.getOutputStream().write("status\n".getBytes(StandardCharsets.UTF_8));
                assertThat(reader(s).readLine()).startsWith("OK fqdn=mn.ntm.example").contains("registered=true");
            }
        }
    }

    /**
     * Issue 11 finding 8: {@code curl --http0.9 -X POST --data-binary $'status\nsend ...'} made the
     * node run the commands in the body; any web page can make a browser send such a POST to a
     * loopback port. The request line now ends the connection before any body line is read.
     */
    @Test
    void anHttpRequestIsRefusedBeforeItsBodyRuns() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM);
             ControlServer control = new ControlServer(lab.node("mn", lab.global4, "198.51.100.40"),
                     ControlAddress.unix(dir.resolve("node.sock")), null)) {
            for (String request : List.of("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\nstatus\n",
                    "GET /status HTTP/1.0\r\n\r\n", "Host: evil.example\r\nstatus\n")) {
                try (Socket s = connect(control)) {
                    s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    BufferedReader in = reader(s);
                    assertThat(in.readLine()).isEqualTo("ERR this is the ntm control channel, not HTTP");
                    assertThat(in.readLine()).as("closed: the body never ran").isNull();
                }
            }
            assertThat(ControlServer.looksLikeHttp("resolve bob.ntm.example")).isFalse();
            assertThat(ControlServer.looksLikeHttp("udp-echo 10.1.1.1 7 3 64")).isFalse();
            try (Socket s = connect(control)) {
                s.getOutputStream().write("status\n".getBytes(StandardCharsets.UTF_8));
                assertThat(reader(s).readLine()).as("commands still work").startsWith("OK fqdn=");
            }
        }
    }

    /** One more connection: its first line is the server's refusal (it sends no command). */
    private static String awaitRefusal(ControlServer control) throws Exception {
        try (Socket s = connect(control)) {
            return reader(s).readLine();
        }
    }

    /** A client connection to the control channel, as `ntm status` and the lab's socat open one. */
    static final class Socket implements AutoCloseable {
        private final SocketChannel channel;
        private final OutputStream out;
        private final BufferedReader in;

        Socket(ControlAddress at) throws IOException {
            channel = SocketChannel.open(at.socketAddress());
            out = Channels.newOutputStream(channel);
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    static Socket connect(ControlServer c) throws IOException {
        return new Socket(c.localAddress());
    }

    static BufferedReader reader(Socket s) {
        return s.in;
    }
}
