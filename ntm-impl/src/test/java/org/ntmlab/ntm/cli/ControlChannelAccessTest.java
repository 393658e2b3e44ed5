package org.ntmlab.ntm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.ControlAddress;
import org.ntmlab.ntm.node.ControlServer;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 11 finding 8: the control channel ran any command of anyone who could reach
 * 127.0.0.1:7070 (every local user; a web page through the browser). Now it is a Unix-domain
 * socket only its owner can open by default, and TCP needs a token; `ntm status` and the other
 * client commands speak both.
 */
class ControlChannelAccessTest {

    static final String TOKEN = "3q2+7wAAAAC6vb7vAAAAABI0VniQq83v"; // 32 bytes of text

    @TempDir
    Path dir;

    @Test
    void theUnixSocketIsTheOwnersOnlyAndAStaleOneIsReplacedButALiveOneIsNot() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.40");
            Path sock = dir.resolve("run/ntm/node.sock");
            try (ControlServer control = new ControlServer(mn, ControlAddress.unix(sock), null)) {
                assertThat(Files.getPosixFilePermissions(sock)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                assertThat(Files.getPosixFilePermissions(sock.getParent()))
                        .as("a directory it makes is the owner's only").isEqualTo(PosixFilePermissions.fromString("rwx------"));
                assertThat(ask(control.localAddress(), "status")).containsExactly("OK fqdn=mn.ntm.example v4="
                        + mn.virtualV4().getHostAddress() + " v6=" + mn.virtualV6().getHostAddress()
                        + " registered=true observed=" + mn.observedAddresses().get());
                assertThatThrownBy(() -> new ControlServer(mn, ControlAddress.unix(sock), null))
                        .as("a second node on the same path would cut the first off")
                        .hasMessageContaining("another process serves a control channel at " + sock);
                assertThat(cli("status", "--control", "unix:" + sock)).startsWith("0 OK fqdn=mn.ntm.example");
            }
            assertThat(sock).as("removed on close").doesNotExist();

            // a node killed with SIGKILL leaves its socket file behind: the next one takes the path over
            try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(UnixDomainSocketAddress.of(sock));
            }
            assertThat(sock).exists();
            try (ControlServer control = new ControlServer(mn, ControlAddress.unix(sock), null)) {
                assertThat(ask(control.localAddress(), "status").get(0)).startsWith("OK fqdn=");
            }
            Path plain = Files.writeString(dir.resolve("not-a-socket"), "x");
            assertThatThrownBy(() -> new ControlServer(mn, ControlAddress.unix(plain), null))
                    .hasMessageContaining("exists and is not a socket");
            assertThat(plain).as("a file that is not a socket is left alone").hasContent("x");
        }
    }

    @Test
    void tcpNeedsATokenAndRunsNothingBeforeIt() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.global4, "198.51.100.40");
            ControlAddress loopback = ControlAddress.tcp(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> new ControlServer(mn, loopback, null)).hasMessageContaining("needs a token");
            assertThatThrownBy(() -> new ControlServer(mn, loopback, "short".getBytes(StandardCharsets.UTF_8)))
                    .hasMessageContaining("needs a token of 16 bytes or more");
            lab.node("cn", lab.global4, "198.51.100.41");
            try (ControlServer control = new ControlServer(mn, loopback, TOKEN.getBytes(StandardCharsets.UTF_8))) {
                ControlAddress at = control.localAddress();
                assertThat(ask(at, "send cn.ntm.example 9 hello", "status")).as("no command before auth")
                        .containsExactly("ERR auth required: the first line must be 'auth <token>'");
                assertThat(ask(at, "auth " + TOKEN.replace('3', '4'), "status"))
                        .containsExactly("ERR auth required: the first line must be 'auth <token>'");
                assertThat(ask(at, "auth " + TOKEN, "status")).hasSize(2).first().isEqualTo("OK authenticated");
                assertThat(mn.tunnels().get()).as("the refused send never ran (it would have resolved cn)").isEmpty();

                Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
                assertThat(cli("status", "--control", at.toString(), "--control-token", "@" + tokenFile))
                        .startsWith("0 OK fqdn=mn.ntm.example");
                assertThat(cli("status", "--control", at.toString())).startsWith("1 ERR auth required");
                assertThat(cli("status", "--control", at.toString(), "--control-token", "tooshort"))
                        .startsWith("2 ").contains("--control-token: a token needs 16 bytes or more");
            }
            assertThat(cli("status", "--control", "unix:" + dir.resolve("nobody.sock")))
                    .startsWith("1 ERR no node serves a control channel at unix:" + dir.resolve("nobody.sock"));
        }
    }

    /** Sends the lines on one connection and returns every reply line until the server closes. */
    private static List<String> ask(ControlAddress at, String... lines) throws IOException {
        try (SocketChannel s = SocketChannel.open(at.socketAddress())) {
            var out = Channels.newOutputStream(s);
            out.write((String.join("\n", lines) + "\nquit\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(s),
                    StandardCharsets.UTF_8));
            return in.lines().toList();
        }
    }

    /** `ntm ARGS` in-process: its exit code, a space, and what it printed. */
    private static String cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int exit = Ntm.run(args);
            return exit + " " + buf.toString(StandardCharsets.UTF_8).strip();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
