package org.ntmlab.ntm.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The real network as seen by one host: kernel UDP sockets, or a host on the in-memory
 * network. Servers and nodes are written against this so the same code runs on both.
 */
public interface Network {

    /** Opens a UDP endpoint bound to {@code bind}; datagrams arrive on {@code loop}. */
    DatagramEndpoint open(InetSocketAddress bind, EventLoop loop, DatagramEndpoint.Receiver receiver)
            throws IOException;

    /** The host's current unicast addresses (what the node reports to its DC). */
    java.util.List<java.net.InetAddress> localAddresses();

    /**
     * True when a socket bound to the IPv6 wildcard also serves IPv4 (Linux dual-stack
     * sockets). Then one socket per port serves both families: binding 0.0.0.0 and [::] on
     * one port would conflict.
     */
    default boolean dualStackSockets() {
        return false;
    }
}
