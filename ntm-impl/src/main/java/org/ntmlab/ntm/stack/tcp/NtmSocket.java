package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.function.Function;

/**
 * A blocking TCP socket on the node's virtual stack, usable wherever a
 * {@link java.net.Socket} is expected. Application threads call it. Reads and writes copy
 * out of / into the connection's queues ({@link SocketBuffers}) on the calling thread under its lock
 * and sleep there until the loop wakes them (data into an empty queue, a third of the send
 * queue free, or the end of the stream); every other step (connect, close, errors) runs on
 * the {@link TcpLayer}'s event loop via {@code execute}. Host names are resolved with the resolver the node supplies
 * (NTM name resolution returns the peer's virtual address).
 */
public class NtmSocket extends Socket {

    private final TcpLayer layer;
    private final Function<String, InetAddress> resolver;
    private final LoopWaiter waiter;
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile TcpConnection conn;
    private volatile boolean connected;
    private volatile boolean bound;
    private volatile InetAddress bindAddress;
    private volatile int bindPort;
    private volatile int soTimeout;
    private volatile boolean noDelay;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    /** An unconnected socket that can only connect to literal addresses. */
    public NtmSocket(TcpLayer layer) throws SocketException {
        this(layer, (Function<String, InetAddress>) null);
    }

    /** An unconnected socket; {@code resolver} maps host names (FQDNs) to virtual addresses. */
    public NtmSocket(TcpLayer layer, Function<String, InetAddress> resolver) throws SocketException {
        super(new NtmSocketImpl());
        this.layer = Objects.requireNonNull(layer, "layer");
        this.resolver = resolver;
        this.waiter = new LoopWaiter(layer.loop());
        this.noDelay = layer.config().noDelay();
    }

    /** Connects to {@code host:port}, resolving {@code host} with {@code resolver} unless it is a literal. */
    public NtmSocket(TcpLayer layer, Function<String, InetAddress> resolver, String host, int port)
            throws IOException {
        this(layer, resolver);
        connect(InetSocketAddress.createUnresolved(host, port));
    }

    public NtmSocket(TcpLayer layer, InetAddress address, int port) throws IOException {
        this(layer, (Function<String, InetAddress>) null);
        connect(new InetSocketAddress(address, port));
    }

    /** Wraps a connection taken from a {@link TcpListener} (used by {@link NtmServerSocket}). */
    NtmSocket(TcpLayer layer, Function<String, InetAddress> resolver, TcpConnection accepted) throws IOException {
        this(layer, resolver);
        this.conn = accepted;
        this.connected = true;
        this.bound = true;
        waiter.call(() -> {
            accepted.setCallback(waiter::signal);
            accepted.setNoDelay(noDelay);
            return null;
        });
    }

    /** The connection on the loop side (for code that runs on the event loop). */
    public TcpConnection connection() {
        return conn;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (bound) {
            throw new SocketException("Already bound");
        }
        if (bindpoint != null) {
            if (!(bindpoint instanceof InetSocketAddress)) {
                throw new IllegalArgumentException("Unsupported address type");
            }
            InetSocketAddress isa = (InetSocketAddress) bindpoint;
            InetAddress a = isa.getAddress();
            bindAddress = a == null || a.isAnyLocalAddress() ? null : a;
            bindPort = isa.getPort();
        }
        bound = true;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (endpoint == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (conn != null) {
            throw new SocketException("already connected");
        }
        if (!(endpoint instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        InetSocketAddress isa = (InetSocketAddress) endpoint;
        InetAddress remote = isa.isUnresolved() ? resolve(isa.getHostString()) : isa.getAddress();
        int port = isa.getPort();
        TcpConnection c = waiter.call(() -> {
            TcpConnection x = layer.connect(bindAddress, bindPort, remote, port);
            x.setCallback(waiter::signal);
            x.setNoDelay(noDelay);
            return x;
        });
        conn = c;
        bound = true;
        try {
            waiter.await(() -> {
                if (c.isConnected()) {
                    return Boolean.TRUE;
                }
                if (c.state() == TcpState.CLOSED) {
                    if (c.failure() == TcpConnection.Failure.REFUSED) {
                        throw new ConnectException("Connection refused: " + remote.getHostAddress() + ":" + port);
                    }
                    throw new ConnectException("Connection timed out: " + remote.getHostAddress() + ":" + port);
                }
                return null;
            }, timeout, "Connect timed out: " + remote.getHostAddress() + ":" + port);
        } catch (IOException e) {
            closeQuietlyOnLoop(c, true);
            conn = null;
            throw e;
        }
        connected = true;
    }

    private InetAddress resolve(String host) throws UnknownHostException {
        if (isLiteral(host)) {
            return InetAddress.getByName(host); // literal: parsed, no lookup
        }
        if (resolver == null) {
            throw new UnknownHostException(host + " (no NTM resolver given to NtmSocket)");
        }
        InetAddress a = resolver.apply(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return a;
    }

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkOpenAndConnected();
        if (inputShutdown) {
            throw new SocketException("Socket input is shutdown");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkOpenAndConnected();
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        return out;
    }

    private TcpConnection checkOpenAndConnected() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        TcpConnection c = conn;
        if (c == null || !connected) {
            throw new SocketException("Socket is not connected");
        }
        return c;
    }

    @Override
    public void shutdownOutput() throws IOException {
        TcpConnection c = checkOpenAndConnected();
        if (outputShutdown) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShutdown = true;
        waiter.call(() -> {
            c.shutdownOutput();
            return null;
        });
    }

    /** Further reads return end of stream; data that arrives is still acknowledged. */
    @Override
    public void shutdownInput() throws IOException {
        checkOpenAndConnected();
        if (inputShutdown) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShutdown = true;
        waiter.signal();
        TcpConnection c = conn;
        if (c != null) {
            c.buffers.appWakeAll();
        }
    }

    /**
     * Closes the socket: FIN after the queued data (or RST if received data was left
     * unread). Returns at once; the stack keeps delivering queued data. Threads blocked in
     * read, write or connect get "Socket closed".
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        TcpConnection c = conn;
        if (c != null) {
            closeQuietlyOnLoop(c, false);
        }
        waiter.close();
        if (c != null) {
            c.buffers.appWakeAll();
        }
    }

    private void closeQuietlyOnLoop(TcpConnection c, boolean abort) {
        Runnable r = () -> {
            c.setCallback(null);
            if (abort) {
                c.abort();
            } else {
                c.close();
            }
        };
        try {
            if (layer.loop().inLoop()) {
                r.run();
            } else {
                layer.loop().execute(r);
            }
        } catch (RuntimeException e) {
            // loop already stopped: nothing left to close
        }
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isBound() {
        return bound;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public InetAddress getInetAddress() {
        TcpConnection c = conn;
        return c == null ? null : c.remoteAddress();
    }

    @Override
    public int getPort() {
        TcpConnection c = conn;
        return c == null ? 0 : c.remotePort();
    }

    @Override
    public InetAddress getLocalAddress() {
        TcpConnection c = conn;
        if (c != null) {
            return c.localAddress();
        }
        return bindAddress;
    }

    @Override
    public int getLocalPort() {
        TcpConnection c = conn;
        if (c != null) {
            return c.localPort();
        }
        return bound ? bindPort : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        TcpConnection c = conn;
        return c == null || !connected ? null : new InetSocketAddress(c.remoteAddress(), c.remotePort());
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        TcpConnection c = conn;
        return c == null ? null : new InetSocketAddress(c.localAddress(), c.localPort());
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        this.soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        noDelay = on;
        TcpConnection c = conn;
        if (c != null) {
            layer.loop().execute(() -> c.setNoDelay(on));
        }
    }

    @Override
    public boolean getTcpNoDelay() {
        return noDelay;
    }

    @Override
    public int getSendBufferSize() {
        return layer.config().sendBufferSize();
    }

    @Override
    public int getReceiveBufferSize() {
        return layer.config().receiveBufferSize();
    }

    @Override
    public String toString() {
        TcpConnection c = conn;
        if (c == null) {
            return "NtmSocket[unconnected]";
        }
        return "NtmSocket[addr=" + c.remoteAddress().getHostAddress() + ",port=" + c.remotePort() + ",localport="
                + c.localPort() + "]";
    }

    private final class In extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            TcpConnection c = checkOpenAndConnected();
            if (len == 0) {
                return 0;
            }
            if (inputShutdown) {
                return -1;
            }
            int timeout = soTimeout;
            long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
            SocketBuffers buffers = c.buffers;
            synchronized (buffers.lock) {
                while (true) {
                    if (closed) {
                        throw new SocketException("Socket closed");
                    }
                    if (inputShutdown) {
                        return -1;
                    }
                    int n = buffers.appRead(b, off, len);
                    if (n == SocketBuffers.ASK_LOOP) {
                        break;
                    }
                    if (n != 0) {
                        return n;
                    }
                    long waitMillis = 0;
                    if (deadline != 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                        waitMillis = Math.max(1, left / 1_000_000L);
                    }
                    try {
                        buffers.appAwaitReadable(waitMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                }
            }
            // the stream ended or failed: the loop says which (-1 or the exception)
            return waiter.await(() -> {
                if (inputShutdown) {
                    return -1;
                }
                int n = c.read(b, off, len);
                return n == 0 ? null : n;
            }, timeout, "Read timed out");
        }

        @Override
        public int available() throws IOException {
            TcpConnection c = checkOpenAndConnected();
            SocketBuffers buffers = c.buffers;
            synchronized (buffers.lock) {
                return buffers.appAvailable();
            }
        }

        @Override
        public void close() throws IOException {
            NtmSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            write(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            TcpConnection c = checkOpenAndConnected();
            SocketBuffers buffers = c.buffers;
            int done = 0;
            while (done < len) {
                final int from = off + done;
                final int count = len - done;
                int n;
                synchronized (buffers.lock) {
                    while (true) {
                        if (closed) {
                            throw new SocketException("Socket closed");
                        }
                        n = buffers.appWrite(b, from, count);
                        if (n != 0) {
                            break;
                        }
                        try {
                            buffers.appAwaitWritable();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted");
                        }
                    }
                }
                if (n == SocketBuffers.ASK_LOOP) {
                    // not open for data (yet, or any more): the loop queues it or says why
                    n = waiter.await(() -> {
                        int k = c.write(b, from, count);
                        return k == 0 ? null : k;
                    }, 0, "Write timed out");
                } else {
                    buffers.appFlush();
                }
                done += n;
            }
        }

        @Override
        public void close() throws IOException {
            NtmSocket.this.close();
        }
    }
}
