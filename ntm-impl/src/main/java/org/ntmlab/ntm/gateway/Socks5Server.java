package org.ntmlab.ntm.gateway;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS5 server (RFC 1928) that lets unmodified applications reach NTM peers: it listens on
 * a loopback kernel socket, accepts the "no authentication" method and the CONNECT command
 * with a domain name, IPv4 or IPv6 address, opens an {@link NtmSocket} through the
 * {@link NtmConnector} and bridges the two. Example: {@code curl --socks5-hostname
 * 127.0.0.1:1080 http://peer.example/}. Only loopback binds are allowed: an NTM node must
 * not become an open proxy.
 */
public final class Socks5Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Socks5Server.class);

    static final int VERSION = 5;
    static final int METHOD_NO_AUTH = 0x00;
    static final int METHOD_NONE_ACCEPTABLE = 0xFF;
    static final int CMD_CONNECT = 1;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;
    static final int REP_SUCCEEDED = 0;
    static final int REP_GENERAL_FAILURE = 1;
    static final int REP_HOST_UNREACHABLE = 4;
    static final int REP_CONNECTION_REFUSED = 5;
    static final int REP_TTL_EXPIRED = 6;
    static final int REP_COMMAND_NOT_SUPPORTED = 7;
    static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 8;

    /** Time a client gets to finish the SOCKS exchange, and the NTM connect timeout. */
    static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    static final int CONNECT_TIMEOUT_MS = 30_000;

    private final ServerSocket server;
    private final NtmConnector connector;
    private final ExecutorService threads = GatewayThreads.pool("socks5");
    private volatile boolean closed;

    /** Binds {@code bind} (must be a loopback address; port 0 = any) and starts accepting. */
    public Socks5Server(InetSocketAddress bind, NtmConnector connector) throws IOException {
        if (bind.getAddress() == null || !bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("SOCKS5 gateway must bind a loopback address, not " + bind);
        }
        this.connector = connector;
        this.server = new ServerSocket();
        server.bind(bind, 50);
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                threads.execute(() -> handle(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("event=socksAcceptError error={}", e.toString());
                }
            }
        }
    }

    /** One client connection, to its end. Package-private: Socks5FuzzTest drives it with a scripted socket. */
    void handle(Socket client) {
        NtmSocket upstream = null;
        try {
            client.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            client.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            // method selection (RFC 1928 section 3)
            if (in.readUnsignedByte() != VERSION) {
                throw new IOException("not SOCKS5");
            }
            int nMethods = in.readUnsignedByte();
            byte[] methods = new byte[nMethods];
            in.readFully(methods);
            boolean noAuth = false;
            for (byte m : methods) {
                noAuth |= m == METHOD_NO_AUTH;
            }
            out.write(new byte[] {VERSION, (byte) (noAuth ? METHOD_NO_AUTH : METHOD_NONE_ACCEPTABLE)});
            out.flush();
            if (!noAuth) {
                client.close();
                return;
            }
            // request (RFC 1928 section 4)
            int ver = in.readUnsignedByte();
            int cmd = in.readUnsignedByte();
            in.readUnsignedByte(); // RSV
            int atyp = in.readUnsignedByte();
            if (ver != VERSION) {
                throw new IOException("bad request version " + ver);
            }
            String host;
            switch (atyp) {
                case ATYP_IPV4: {
                    byte[] a = new byte[4];
                    in.readFully(a);
                    host = InetAddress.getByAddress(a).getHostAddress();
                    break;
                }
                case ATYP_IPV6: {
                    byte[] a = new byte[16];
                    in.readFully(a);
                    host = InetAddress.getByAddress(a).getHostAddress();
                    break;
                }
                case ATYP_DOMAIN: {
                    byte[] name = new byte[in.readUnsignedByte()];
                    in.readFully(name);
                    host = new String(name, StandardCharsets.US_ASCII);
                    break;
                }
                default:
                    reply(out, REP_ADDRESS_TYPE_NOT_SUPPORTED, null, 0);
                    client.close();
                    return;
            }
            int port = in.readUnsignedShort();
            if (cmd != CMD_CONNECT) {
                reply(out, REP_COMMAND_NOT_SUPPORTED, null, 0);
                client.close();
                return;
            }
            try {
                upstream = connector.connect(host, port);
            } catch (IOException e) {
                int rep = replyFor(e);
                LOG.debug("event=socksConnectFailed host={} port={} rep={} error={}", host, port, rep, e.toString());
                reply(out, rep, null, 0);
                client.close();
                return;
            }
            reply(out, REP_SUCCEEDED, upstream.getLocalAddress(), upstream.getLocalPort());
            client.setSoTimeout(0);
            Bridge.start(client, upstream, threads, "socks " + host + ":" + port);
        } catch (IOException e) {
            LOG.debug("event=socksClientError error={}", e.toString());
            Bridge.closeQuietly(client);
            if (upstream != null) {
                Bridge.closeQuietly(upstream);
            }
        }
    }

    static int replyFor(IOException e) {
        if (e instanceof UnknownHostException) {
            return REP_HOST_UNREACHABLE;
        }
        if (e instanceof SocketTimeoutException) {
            return REP_TTL_EXPIRED;
        }
        if (e instanceof ConnectException) {
            return e.getMessage() != null && e.getMessage().contains("refused") ? REP_CONNECTION_REFUSED
                    : REP_HOST_UNREACHABLE;
        }
        return REP_GENERAL_FAILURE;
    }

    private static void reply(OutputStream out, int rep, InetAddress bound, int port) throws IOException {
        byte[] addr = bound == null ? new byte[4] : bound.getAddress();
        byte[] msg = new byte[6 + addr.length];
        msg[0] = VERSION;
        msg[1] = (byte) rep;
        msg[2] = 0;
        msg[3] = (byte) (addr.length == 4 ? ATYP_IPV4 : ATYP_IPV6);
        System.arraycopy(addr, 0, msg, 4, addr.length);
        msg[4 + addr.length] = (byte) (port >>> 8);
        msg[5 + addr.length] = (byte) port;
        out.write(msg);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        threads.shutdownNow();
    }

}
