package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/** {@link ServerSocketFactory} whose server sockets listen on the virtual stack. */
public final class NtmServerSocketFactory extends ServerSocketFactory {
    private final TcpLayer layer;

    public NtmServerSocketFactory(TcpLayer layer) {
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new NtmServerSocket(layer);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new NtmServerSocket(layer, port);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return new NtmServerSocket(layer, port, backlog);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        return new NtmServerSocket(layer, port, backlog, ifAddress);
    }
}
