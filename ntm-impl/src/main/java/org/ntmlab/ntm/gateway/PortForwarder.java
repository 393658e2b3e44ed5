package org.ntmlab.ntm.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local port forwarding ("ssh -L" style): every connection to a local kernel port is
 * carried over NTM to {@code peerHost:peerPort} through an {@link NtmSocket}. Lets an
 * unmodified client reach a service on an NTM peer.
 */
public final class PortForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortForwarder.class);

    private final ServerSocket server;
    private final String peerHost;
    private final int peerPort;
    private final NtmConnector connector;
    private final ExecutorService threads = GatewayThreads.pool("forward");
    private volatile boolean closed;

    public PortForwarder(InetSocketAddress listen, String peerHost, int peerPort, NtmConnector connector)
            throws IOException {
        this.peerHost = peerHost;
        this.peerPort = peerPort;
        this.connector = connector;
        this.server = new ServerSocket();
        server.bind(listen, 50);
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket local;
            try {
                local = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("event=forwardAcceptError error={}", e.toString());
                }
                continue;
            }
            threads.execute(() -> {
                try {
                    local.setTcpNoDelay(true);
                    NtmSocket remote = connector.connect(peerHost, peerPort);
                    Bridge.start(local, remote, threads, "forward " + peerHost + ":" + peerPort);
                } catch (IOException e) {
                    LOG.info("event=forwardConnectFailed peer={}:{} error={}", peerHost, peerPort, e.toString());
                    Bridge.closeQuietly(local);
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
