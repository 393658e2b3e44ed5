package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Objects;
import java.util.function.Function;

/**
 * A blocking listening socket on the node's virtual stack, usable wherever a
 * {@link java.net.ServerSocket} is expected. {@link #accept()} returns {@link NtmSocket}s.
 */
public class NtmServerSocket extends ServerSocket {

    private final TcpLayer layer;
    private final Function<String, InetAddress> resolver;
    private final LoopWaiter waiter;
    private volatile TcpListener listener;
    private volatile boolean closed;
    private volatile int soTimeout;

    /** An unbound server socket; call {@link #bind}. */
    public NtmServerSocket(TcpLayer layer) throws IOException {
        this(layer, (Function<String, InetAddress>) null);
    }

    /** Unbound; accepted sockets get {@code resolver} for later connects of their own. */
    public NtmServerSocket(TcpLayer layer, Function<String, InetAddress> resolver) throws IOException {
        super(new NtmSocketImpl());
        this.layer = Objects.requireNonNull(layer, "layer");
        this.resolver = resolver;
        this.waiter = new LoopWaiter(layer.loop());
    }

    public NtmServerSocket(TcpLayer layer, int port) throws IOException {
        this(layer, port, 0, null);
    }

    public NtmServerSocket(TcpLayer layer, int port, int backlog) throws IOException {
        this(layer, port, backlog, null);
    }

    /** Listens on {@code port} (0 = ephemeral) of {@code bindAddr} (null = any of ours). */
    public NtmServerSocket(TcpLayer layer, int port, int backlog, InetAddress bindAddr) throws IOException {
        this(layer);
        bind(new InetSocketAddress(bindAddr == null ? anyLocal() : bindAddr, port), backlog);
    }

    private static InetAddress anyLocal() throws IOException {
        return InetAddress.getByAddress(new byte[4]);
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        bind(endpoint, 0);
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (listener != null) {
            throw new SocketException("Already bound");
        }
        InetAddress addr = null;
        int port = 0;
        if (endpoint != null) {
            if (!(endpoint instanceof InetSocketAddress)) {
                throw new IllegalArgumentException("Unsupported address type");
            }
            InetSocketAddress isa = (InetSocketAddress) endpoint;
            addr = isa.getAddress() == null || isa.getAddress().isAnyLocalAddress() ? null : isa.getAddress();
            port = isa.getPort();
        }
        InetAddress a = addr;
        int p = port;
        listener = waiter.call(() -> {
            TcpListener l = layer.listen(a, p, backlog);
            l.setCallback(waiter::signal);
            return l;
        });
    }

    @Override
    public Socket accept() throws IOException {
        return acceptNtm();
    }

    /** Like {@link #accept()}, typed. */
    public NtmSocket acceptNtm() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        TcpListener l = listener;
        if (l == null) {
            throw new SocketException("Socket is not bound yet");
        }
        TcpConnection c = waiter.await(() -> {
            TcpConnection x = l.accept();
            if (x == null && l.isClosed()) {
                throw new SocketException("Socket is closed");
            }
            return x;
        }, soTimeout, "Accept timed out");
        return new NtmSocket(layer, resolver, c);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        TcpListener l = listener;
        if (l != null) {
            try {
                if (layer.loop().inLoop()) {
                    l.close();
                } else {
                    layer.loop().execute(l::close);
                }
            } catch (RuntimeException e) {
                // loop stopped
            }
        }
        waiter.close();
    }

    @Override
    public boolean isBound() {
        return listener != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public int getLocalPort() {
        TcpListener l = listener;
        return l == null ? -1 : l.port();
    }

    @Override
    public InetAddress getInetAddress() {
        TcpListener l = listener;
        if (l == null) {
            return null;
        }
        try {
            return l.localAddress() != null ? l.localAddress() : anyLocal();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        TcpListener l = listener;
        return l == null ? null : new InetSocketAddress(getInetAddress(), l.port());
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        this.soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public String toString() {
        TcpListener l = listener;
        return l == null ? "NtmServerSocket[unbound]" : "NtmServerSocket[localport=" + l.port() + "]";
    }
}
