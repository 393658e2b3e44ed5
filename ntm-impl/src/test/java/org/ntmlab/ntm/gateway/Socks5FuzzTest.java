package org.ntmlab.ntm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.SeedCorpus;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the SOCKS5 gateway's handling of one client
 * connection (RFC 1928 method selection and request), on a scripted socket whose input is the
 * fuzz input. Nothing may escape the connection's thread; every malformed greeting or request
 * ends with the connection closed; the bytes written are a method selection reply and at most
 * one well-formed request reply. The NTM connector refuses every connection (in the four ways
 * the reply codes tell apart), so no bridge starts.
 */
class Socks5FuzzTest {

    // static: one server for every test instance (JUnit makes one per seed), its connector writes here
    private static Socks5Server server;
    private static int connectedPort = -1;

    /** A socket that reads the fuzz input, records what is written, and remembers being closed. */
    private static final class ScriptedSocket extends Socket {
        final InputStream in;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean closed;

        ScriptedSocket(byte[] input) {
            in = new ByteArrayInputStream(input);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void setSoTimeout(int timeout) {
        }

        @Override
        public void setTcpNoDelay(boolean on) {
        }

        @Override
        public synchronized void close() {
            closed = true;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }

    private static Socks5Server server() throws IOException {
        if (server == null) {
            server = new Socks5Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), (host, port) -> {
                connectedPort = port;
                switch (port % 4) {
                    case 0 -> throw new UnknownHostException(host);
                    case 1 -> throw new SocketTimeoutException("connect timed out");
                    case 2 -> throw new ConnectException("Connection refused");
                    default -> throw new IOException("tunnel failed");
                }
            });
        }
        return server;
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static final Set<Integer> FAILURE_REPLIES = Set.of(Socks5Server.REP_GENERAL_FAILURE,
            Socks5Server.REP_HOST_UNREACHABLE, Socks5Server.REP_CONNECTION_REFUSED, Socks5Server.REP_TTL_EXPIRED);

    @FuzzTest
    void connection(byte[] input) throws IOException {
        Socks5Server s = server();
        connectedPort = -1;
        ScriptedSocket client = new ScriptedSocket(input);
        s.handle(client); // a RuntimeException here would end the gateway's thread
        assertTrue(client.closed, "the connection is closed");
        byte[] out = client.out.toByteArray();
        if (out.length == 0) {
            assertEquals(-1, connectedPort);
            return;
        }
        assertTrue(out.length >= 2, "method selection reply");
        assertEquals(Socks5Server.VERSION, out[0]);
        int method = out[1] & 0xFF;
        assertTrue(method == Socks5Server.METHOD_NO_AUTH || method == Socks5Server.METHOD_NONE_ACCEPTABLE);
        byte[] reply = Arrays.copyOfRange(out, 2, out.length);
        if (reply.length == 0) {
            assertEquals(-1, connectedPort);
            return;
        }
        assertEquals(Socks5Server.METHOD_NO_AUTH, method, "a request is answered only after no-auth was chosen");
        assertEquals(10, reply.length, "one request reply with an IPv4 bound address: " + HexFormat.of().formatHex(out));
        assertEquals(Socks5Server.VERSION, reply[0]);
        int rep = reply[1] & 0xFF;
        if (connectedPort >= 0) {
            assertTrue(FAILURE_REPLIES.contains(rep), "connector failure answered with " + rep);
            assertEquals(Socks5Server.replyFor(failureFor(connectedPort)), rep);
        } else {
            assertTrue(rep == Socks5Server.REP_COMMAND_NOT_SUPPORTED || rep == Socks5Server.REP_ADDRESS_TYPE_NOT_SUPPORTED,
                    "refused without connecting: " + rep);
        }
    }

    private static IOException failureFor(int port) {
        return switch (port % 4) {
            case 0 -> new UnknownHostException();
            case 1 -> new SocketTimeoutException();
            case 2 -> new ConnectException("Connection refused");
            default -> new IOException();
        };
    }

    static Map<String, byte[]> seeds() {
        byte[] greeting = {5, 1, 0};
        byte[] name = "bob.ntm.example".getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("connect-domain", concat(greeting, new byte[] {5, 1, 0, 3, (byte) name.length}, name,
                new byte[] {0, 80}));
        seeds.put("connect-ipv4", concat(greeting, new byte[] {5, 1, 0, 1, 100, 64, 0, 8, 0x1f, (byte) 0x91}));
        seeds.put("connect-ipv6", concat(greeting, new byte[] {5, 1, 0, 4, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 8, 0, 22}));
        seeds.put("bind-refused", concat(greeting, new byte[] {5, 2, 0, 1, 127, 0, 0, 1, 0, 80}));
        seeds.put("methods-without-no-auth", new byte[] {5, 2, 1, 2});
        return seeds;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void seedCorpusIsCommitted() {
        SeedCorpus.check(Socks5FuzzTest.class, "connection", seeds());
    }
}
