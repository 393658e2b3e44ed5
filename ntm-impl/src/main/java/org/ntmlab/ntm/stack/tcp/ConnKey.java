package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;

/**
 * The four-tuple that names a connection. Keys stored in the table are never changed; the
 * layer keeps one extra instance that it refills for each lookup, so demultiplexing a
 * segment allocates nothing.
 */
final class ConnKey {
    InetAddress localAddr;
    int localPort;
    InetAddress remoteAddr;
    int remotePort;

    ConnKey() {
    }

    ConnKey(InetAddress localAddr, int localPort, InetAddress remoteAddr, int remotePort) {
        set(localAddr, localPort, remoteAddr, remotePort);
    }

    ConnKey set(InetAddress localAddr, int localPort, InetAddress remoteAddr, int remotePort) {
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnKey)) {
            return false;
        }
        ConnKey k = (ConnKey) o;
        return localPort == k.localPort && remotePort == k.remotePort && localAddr.equals(k.localAddr)
                && remoteAddr.equals(k.remoteAddr);
    }

    @Override
    public int hashCode() {
        return ((localPort * 31 + remotePort) * 31 + localAddr.hashCode()) * 31 + remoteAddr.hashCode();
    }

    @Override
    public String toString() {
        return localAddr.getHostAddress() + ":" + localPort + "<->" + remoteAddr.getHostAddress() + ":" + remotePort;
    }
}
