package org.ntmlab.ntm.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.TunnelInfo;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverse of {@link PortForwarder}: accepts NTM connections on a virtual port
 * ({@link NtmServerSocket}) and connects each to a local kernel TCP service, so an
 * unmodified server becomes reachable from NTM peers.
 *
 * <p>The local service sees every connection come from the node's own host (as with
 * {@code ssh -R}), so who may connect is decided here (issue 11 finding 10): an allow list of
 * peer FQDNs (empty: every peer that can reach us), checked against the peer's name as the
 * tunnel authenticated it (a peer's inner source address is its own virtual address, enforced by
 * the node's cryptokey routing); and at most {@code maxConnections} at once (each costs two
 * threads and two buffers). A refused connection is closed at once and logged with the peer.
 */
public final class Exposer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Exposer.class);
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Connections one exposed service carries at once by default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    /** The FQDN of the peer a virtual address belongs to, as the node's tunnels know it. */
    @FunctionalInterface
    public interface PeerNames {
        Optional<String> nameOf(InetAddress virtualAddress);
    }

    private final NtmServerSocket server;
    private final InetSocketAddress target;
    private final PeerNames names;
    private final Set<String> allowed;
    private final Semaphore slots;
    private final AtomicLong refused = new AtomicLong();
    private final ExecutorService threads = GatewayThreads.pool("expose");
    private volatile boolean closed;

    /** Every peer may connect, {@link #DEFAULT_MAX_CONNECTIONS} at once. */
    public Exposer(NtmServerSocket server, InetSocketAddress target) {
        this(server, target, a -> Optional.empty(), Set.of(), DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * @param allowed peer FQDNs that may connect (empty: every peer)
     * @param maxConnections connections carried at once; more are closed at once
     */
    public Exposer(NtmServerSocket server, InetSocketAddress target, PeerNames names, Set<String> allowed,
                   int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
        this.server = server;
        this.target = target;
        this.names = names;
        this.allowed = Set.copyOf(allowed);
        this.slots = new Semaphore(maxConnections);
        threads.execute(this::acceptLoop);
    }

    /** The names of {@code node}'s peers, from its tunnel table. */
    public static PeerNames namesOf(NtmNode node) {
        return a -> {
            try {
                return node.tunnels().get(2, TimeUnit.SECONDS).stream()
                        .filter(t -> a.equals(t.peerVirtualV4()) || a.equals(t.peerVirtualV6()))
                        .map(TunnelInfo::peerFqdn).findFirst();
            } catch (Exception e) {
                return Optional.empty();
            }
        };
    }

    /** Connections closed at once: a peer not on the allow list, or no slot free. */
    public long refused() {
        return refused.get();
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
            InetAddress from = remote.getInetAddress();
            String peer = names.nameOf(from).orElse(null);
            if (!allowed.isEmpty() && (peer == null || !allowed.contains(peer))) {
                refuse(remote, "event=expose-refused target={} peer={} from={} reason=not-allowed", peer, from);
                continue;
            }
            if (!slots.tryAcquire()) {
                refuse(remote, "event=expose-refused target={} peer={} from={} reason=busy", peer, from);
                continue;
            }
            LOG.info("event=expose-connection target={} peer={} from={}", target, peer, from);
            threads.execute(() -> {
                Socket local = new Socket();
                try {
                    local.connect(target, CONNECT_TIMEOUT_MS);
                    local.setTcpNoDelay(true);
                    Bridge.start(remote, local, threads, "expose " + target, slots::release);
                } catch (IOException | RuntimeException e) {
                    slots.release();
                    LOG.info("event=exposeConnectFailed target={} error={}", target, e.toString());
                    Bridge.closeQuietly(local);
                    Bridge.closeQuietly(remote);
                }
            });
        }
    }

    private void refuse(NtmSocket remote, String log, String peer, InetAddress from) {
        refused.incrementAndGet();
        LOG.warn(log, target, peer, from);
        Bridge.closeQuietly(remote);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        threads.shutdownNow();
    }
}
