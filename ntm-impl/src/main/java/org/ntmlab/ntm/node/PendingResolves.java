package org.ntmlab.ntm.node;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.ntmlab.ntm.transport.EventLoop;

/**
 * Name resolutions in progress (paper section 3.2: a resolve of the CN's name starts the
 * signalling and ends when the tunnel carries data). {@link Resolution} adds them and links
 * them to the tunnel the DC directs; the tunnel's end (UP, or failed set-up) completes them.
 * Loop-thread only.
 */
final class PendingResolves {

    /** One resolve: its DIRECTION_REQUEST id, retransmission and the application's future. */
    static final class Pending {
        final long requestId;
        final String fqdn;
        final CompletableFuture<TunnelInfo> future;
        /** The tunnel the DC directed for it, 0 until then. */
        long tunnelId;
        int tries;
        EventLoop.Timer timer;

        Pending(long requestId, String fqdn, CompletableFuture<TunnelInfo> future) {
            this.requestId = requestId;
            this.fqdn = fqdn;
            this.future = future;
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    private final Map<Long, Pending> byRequest = new HashMap<>();
    private long nextRequestId = 1;

    Pending add(String fqdn, CompletableFuture<TunnelInfo> future) {
        Pending p = new Pending(nextRequestId++, fqdn, future);
        byRequest.put(p.requestId, p);
        return p;
    }

    /** ROUTE_DIRECTION answered request {@code requestId} (0: none) with tunnel {@code tunnelId}. */
    void directed(long requestId, long tunnelId) {
        if (requestId == 0) {
            return;
        }
        Pending p = byRequest.get(requestId);
        if (p != null) {
            p.tunnelId = tunnelId;
            p.cancelTimer();
        }
    }

    /** Ends request {@code requestId} (if pending) with {@code reason}. */
    void fail(long requestId, String reason) {
        Pending p = byRequest.remove(requestId);
        if (p != null) {
            p.cancelTimer();
            p.future.completeExceptionally(new IOException(reason));
        }
    }

    /** Whether a resolve of {@code fqdn} is in progress. */
    boolean resolving(String fqdn) {
        for (Pending p : byRequest.values()) {
            if (p.fqdn.equalsIgnoreCase(fqdn)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets request {@code requestId} (its future is completed by the caller). */
    void remove(long requestId) {
        byRequest.remove(requestId);
    }

    /**
     * Tunnel {@code t} is up: every resolve waiting for it completes, and so does every resolve of
     * the same peer (both ends may ask at once after a failure; the DC answers the first one, and
     * the other end is directed as its responder).
     */
    void tunnelUp(Tunnel t) {
        for (Pending p : List.copyOf(byRequest.values())) {
            if (p.tunnelId == t.id || p.fqdn.equalsIgnoreCase(t.peerFqdn)) {
                p.cancelTimer();
                byRequest.remove(p.requestId);
                p.future.complete(t.info());
            }
        }
    }

    /** Tunnel {@code t} could not be set up: every resolve waiting for it fails with {@code reason}. */
    void tunnelFailed(Tunnel t, String reason) {
        for (Pending p : List.copyOf(byRequest.values())) {
            if (p.tunnelId == t.id) {
                byRequest.remove(p.requestId);
                p.future.completeExceptionally(new IOException(reason));
            }
        }
    }
}
