package org.ntmlab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * One TCP connection as two blocking {@link Socket}s: {@link #client} (the side that
 * connected) and {@link #server} (the side a server socket accepted). Kernel TCP on loopback
 * or the virtual TCP of two {@link TunnelPair} nodes: the benchmarks treat both alike.
 */
record SocketPair(Socket client, Socket server) implements AutoCloseable {

    /** Kernel TCP over 127.0.0.1. */
    static SocketPair kernel() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (ServerSocket ss = new ServerSocket(0, 8, lo)) {
            Socket c = new Socket(lo, ss.getLocalPort());
            return new SocketPair(c, ss.accept());
        }
    }

    /** Virtual TCP from node a to node b's {@code port}, carried by the a -> b tunnel. */
    static SocketPair ntm(TunnelPair t, int port) throws IOException {
        try (ServerSocket ss = new NtmServerSocket(t.b.tcp(), port)) {
            Socket c = new NtmSocket(t.a.tcp(), t.peerV4, port);
            return new SocketPair(c, ss.accept()); // the handshake completed: accept finds it queued
        }
    }

    void noDelay() throws IOException {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}
