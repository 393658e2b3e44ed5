package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.util.ArrayDeque;

/**
 * A passive open (RFC 9293 LISTEN state) on one port. Connections that complete the
 * handshake wait in the accept queue; the backlog bounds queued plus half-open
 * connections, SYNs beyond it are dropped so the peer retries (like Linux with syncookies
 * off). All methods run on the event loop.
 */
public final class TcpListener {
    private final TcpLayer layer;
    private final InetAddress localAddress;
    private final int port;
    private final int backlog;
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    int halfOpen;
    private boolean closed;
    private Runnable callback;

    TcpListener(TcpLayer layer, InetAddress localAddress, int port, int backlog) {
        this.layer = layer;
        this.localAddress = localAddress;
        this.port = port;
        this.backlog = backlog;
    }

    /** Local address the listener is bound to, or null for any. */
    public InetAddress localAddress() {
        return localAddress;
    }

    public int port() {
        return port;
    }

    public int backlog() {
        return backlog;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Next established connection, or null when none is waiting. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) {
            c.accepted();
        }
        return c;
    }

    public int queued() {
        return acceptQueue.size();
    }

    /** Called (on the loop) when a connection becomes acceptable or the listener closes. */
    public void setCallback(Runnable callback) {
        this.callback = callback;
    }

    /** Stops listening; connections not yet accepted are reset (as Linux does). */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        layer.removeListener(this);
        TcpConnection c;
        while ((c = acceptQueue.poll()) != null) {
            c.abort();
        }
        fire();
    }

    boolean matches(InetAddress dst) {
        return localAddress == null || localAddress.equals(dst);
    }

    boolean full() {
        return acceptQueue.size() + halfOpen >= backlog;
    }

    void established(TcpConnection c) {
        halfOpen--;
        if (closed) {
            c.abort();
            return;
        }
        acceptQueue.add(c);
        fire();
    }

    void halfOpenFailed() {
        halfOpen--;
    }

    private void fire() {
        Runnable cb = callback;
        if (cb != null) {
            cb.run();
        }
    }
}
