package org.ntmlab.pcap.path;

import java.net.InetSocketAddress;

/**
 * One pair of real endpoints (UDP sockets) that carried a tunnel's DATA, both directions together.
 * {@code a} is the endpoint that sent first.
 *
 * @param roleA     role of a's address, or null if the lab did not name it
 * @param packetsAB DATA packets a -&gt; b
 * @param packetsBA DATA packets b -&gt; a
 * @param relayedFlag packets with the header's relayed bit set
 */
public record PairUsage(InetSocketAddress a, InetSocketAddress b, Role roleA, Role roleB, PathKind kind,
                        long firstNanos, long lastNanos, long packetsAB, long packetsBA, long bytes, long relayedFlag) {
    public long packets() {
        return packetsAB + packetsBA;
    }
}
