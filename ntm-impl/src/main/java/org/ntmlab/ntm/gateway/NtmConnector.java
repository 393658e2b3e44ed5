package org.ntmlab.ntm.gateway;

import java.io.IOException;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * Opens a connection over NTM to {@code host:port}, where host is an FQDN (resolved by NTM
 * to the peer's virtual address) or an IPv4/IPv6 literal. The node supplies it, typically
 * {@code (h, p) -> new NtmSocket(tcpLayer, node::resolve, h, p)}.
 */
@FunctionalInterface
public interface NtmConnector {
    NtmSocket connect(String host, int port) throws IOException;
}
