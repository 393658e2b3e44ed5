package org.ntmlab.pcap.decode;

import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a UDP datagram is NTM. A datagram qualifies when one of its ports is
 * in the port list (defaults DC 7000, RS 7100, node 7200 from docs/protocol.md "Ports",
 * plus whatever the lab configures) and its first 20 bytes have the header's shape:
 * version 1, a known type, suite 1 or 2, no undefined flag bits. With {@link #anyPort()}
 * the port test is dropped (nodes on ephemeral ports talking to each other directly).
 */
public final class NtmDetector {
    public static final int DC_PORT = 7000;
    public static final int RS_PORT = 7100;
    public static final int NODE_PORT = 7200;
    static final int SUITE_AES_GCM = 1;
    static final int SUITE_CBC_HMAC = 2;

    private final Set<Integer> ports;
    private final boolean anyPort;

    private NtmDetector(Set<Integer> ports, boolean anyPort) {
        this.ports = Set.copyOf(ports);
        this.anyPort = anyPort;
    }

    /** Default ports 7000, 7100, 7200. */
    public static NtmDetector defaults() {
        return new NtmDetector(Set.of(DC_PORT, RS_PORT, NODE_PORT), false);
    }

    /** Default ports plus {@code extra}. */
    public static NtmDetector withPorts(int... extra) {
        Set<Integer> p = new TreeSet<>(Set.of(DC_PORT, RS_PORT, NODE_PORT));
        for (int x : extra) {
            p.add(x);
        }
        return new NtmDetector(p, false);
    }

    /** Header shape only, on any port; more false positives, for captures with ephemeral node ports. */
    public static NtmDetector anyPort() {
        return new NtmDetector(Set.of(DC_PORT, RS_PORT, NODE_PORT), true);
    }

    public Set<Integer> ports() {
        return ports;
    }

    public boolean portsMatch(int sourcePort, int destinationPort) {
        return anyPort || ports.contains(sourcePort) || ports.contains(destinationPort);
    }

    /** The header if the datagram looks like NTM, else null. */
    public NtmHeader detect(UdpHeader udp) {
        if (!portsMatch(udp.sourcePort(), udp.destinationPort())) {
            return null;
        }
        byte[] p = udp.payload();
        if (p.length < NtmHeader.LENGTH) {
            return null;
        }
        NtmHeader h;
        try {
            h = NtmHeader.parse(p, 0, p.length);
        } catch (MalformedPacketException e) {
            return null;
        }
        boolean shape = h.version() == NtmHeader.VERSION && h.type() != null
                && (h.suite() == SUITE_AES_GCM || h.suite() == SUITE_CBC_HMAC)
                && (h.flags() & ~NtmHeader.KNOWN_FLAGS) == 0;
        return shape ? h : null;
    }
}
