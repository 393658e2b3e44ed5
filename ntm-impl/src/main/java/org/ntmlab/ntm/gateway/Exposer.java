package org.ntmlab.ntm.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverse of {@link PortForwarder}: accepts NTM connections on a virtual port
 * ({@link NtmServerSocket}) and connects each to a local kernel TCP service, so an
 * unmodified server becomes reachable from NTM peers.
 */
public final class Exposer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Exposer.class);
    static final int CONNECT_TIMEOUT_MS = 10_000;

    private final NtmServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = GatewayThreads.pool("expose");
    private volatile boolean closed;

    public Exposer(NtmServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
        threads.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            NtmSocket remote;
            try {
                remote = server.acceptNtm();
            } catch (SocketException e) {
                if (server.isClosed()) {
                    return;
                }
                LOG.warn("event=exposeAcceptError error={}", e.toString());
                continue;
            } catch (IOException e) {
                LOG.warn("event=exposeAcceptError error={}", e.toString());
                continue;
            }
            threads.execute(() -> {
                Socket local = new Socket();
                try {
                    local.connect(target, CONNECT_TIMEOUT_MS);
                    local.setTcpNoDelay(true);
                    Bridge.start(remote, local, threads, "expose " + target);
                } catch (IOException e) {
                    LOG.info("event=exposeConnectFailed target={} error={}", target, e.toString());
                    Bridge.closeQuietly(local);
                    Bridge.closeQuietly(remote);
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        threads.shutdownNow();
    }
}
