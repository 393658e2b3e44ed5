package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.function.Function;
import javax.net.SocketFactory;

/**
 * {@link SocketFactory} whose sockets are {@link NtmSocket}s on the virtual stack, for
 * libraries that accept a factory (HTTP clients, JDBC drivers, ...). Host names go
 * through the node's NTM resolver.
 */
public final class NtmSocketFactory extends SocketFactory {
    private final TcpLayer layer;
    private final Function<String, InetAddress> resolver;

    public NtmSocketFactory(TcpLayer layer, Function<String, InetAddress> resolver) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.resolver = resolver;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new NtmSocket(layer, resolver);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new NtmSocket(layer, resolver, host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        NtmSocket s = new NtmSocket(layer, resolver);
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(InetSocketAddress.createUnresolved(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return new NtmSocket(layer, host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        NtmSocket s = new NtmSocket(layer, resolver);
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }
}
