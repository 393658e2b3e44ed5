package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.util.HashMap;
import java.util.Map;

/**
 * Placeholder {@link SocketImpl} handed to {@code java.net.Socket}/{@code ServerSocket}
 * so that {@link NtmSocket} and {@link NtmServerSocket} can subclass them without touching
 * the platform's sockets. The subclasses override every method that does I/O; what
 * reaches this class is option bookkeeping (SO_KEEPALIVE, SO_LINGER, ...), stored and
 * otherwise ignored, since the virtual TCP has no such knobs.
 */
final class NtmSocketImpl extends SocketImpl {
    private final Map<Integer, Object> options = new HashMap<>();

    @Override
    protected void create(boolean stream) {
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw unsupported();
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw unsupported();
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw unsupported();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        throw unsupported();
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw unsupported();
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw unsupported();
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw unsupported();
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw unsupported();
    }

    @Override
    protected int available() {
        return 0;
    }

    @Override
    protected void close() {
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported by the virtual TCP");
    }

    @Override
    public synchronized void setOption(int optID, Object value) {
        options.put(optID, value);
    }

    @Override
    public synchronized Object getOption(int optID) {
        Object v = options.get(optID);
        if (v != null) {
            return v;
        }
        switch (optID) {
            case SO_LINGER:
                return -1;
            case SO_KEEPALIVE:
            case SO_OOBINLINE:
            case SO_REUSEADDR:
            case TCP_NODELAY:
                return Boolean.FALSE;
            case IP_TOS:
            case SO_TIMEOUT:
                return 0;
            default:
                return null;
        }
    }

    private static SocketException unsupported() {
        return new SocketException("not a platform socket: use the NtmSocket methods");
    }
}
