package org.ntmlab.ntm.node;

import java.net.InetSocketAddress;

import org.ntmlab.ntm.crypto.CipherSuite;

/**
 * How a node reaches its DC.
 *
 * @param dcV4      the DC's IPv4 signalling address, or null
 * @param dcV6      the DC's IPv6 signalling address, or null
 * @param localPort UDP port for the node's real sockets (0 = ephemeral)
 * @param suite     cipher suite (must match the DC's)
 */
public record NodeConfig(InetSocketAddress dcV4, InetSocketAddress dcV6, int localPort, CipherSuite suite) {

    public NodeConfig {
        if (dcV4 == null && dcV6 == null) {
            throw new IllegalArgumentException("a node needs the DC's IPv4 or IPv6 address");
        }
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("localPort out of range: " + localPort);
        }
    }
}
