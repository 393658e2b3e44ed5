package org.ntmlab.pcap.decode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a UDP datagram is NTM. Its first 20 bytes must have the header's shape
 * (version 1, a known type, suite 1, 2 or 3, no undefined flag bits), and the datagram must
 * be on a plausible NTM flow, which is any of:
 * <ul>
 *   <li>a port in the port list (DC 7000, RS 7100, node 7200 from docs/protocol.md "Ports",
 *       plus ports the lab configures);</li>
 *   <li>an address the lab named ({@link #withAddresses}), e.g. from the roles file;</li>
 *   <li>an endpoint (address and port) already seen in an NTM datagram, when learning is on
 *       (the default): a NAT's mapped port first shows up talking to the DC or RS on a known
 *       port, and later carries the direct path to the peer's mapping on arbitrary ports;</li>
 *   <li>any port at all with {@link #anyPort()}.</li>
 * </ul>
 * A detector that learns is stateful: feed it packets in capture order, one capture set per instance.
 */
public final class NtmDetector {
    public static final int DC_PORT = 7000;
    public static final int RS_PORT = 7100;
    public static final int NODE_PORT = 7200;
    static final int SUITE_AES_GCM = 1;
    static final int SUITE_CBC_HMAC = 2;
    static final int SUITE_CHACHA20_POLY1305 = 3;

    private final Set<Integer> ports;
    private final boolean anyPort;
    private final boolean learn;
    private final Set<InetAddress> addresses;
    private final Set<InetSocketAddress> learned = new HashSet<>();

    private NtmDetector(Set<Integer> ports, boolean anyPort, boolean learn, Set<InetAddress> addresses) {
        this.ports = Set.copyOf(ports);
        this.anyPort = anyPort;
        this.learn = learn;
        this.addresses = Set.copyOf(addresses);
    }

    /** Default ports 7000, 7100, 7200, learning endpoints. */
    public static NtmDetector defaults() {
        return withPorts();
    }

    /** Default ports plus {@code extra}, learning endpoints. */
    public static NtmDetector withPorts(int... extra) {
        Set<Integer> p = new TreeSet<>(Set.of(DC_PORT, RS_PORT, NODE_PORT));
        for (int x : extra) {
            p.add(x);
        }
        return new NtmDetector(p, false, true, Set.of());
    }

    /** Header shape only, on any port; more false positives, for captures with unknown ports. */
    public static NtmDetector anyPort() {
        return new NtmDetector(Set.of(DC_PORT, RS_PORT, NODE_PORT), true, false, Set.of());
    }

    /** A copy that also accepts any port to or from these addresses (the lab's nodes, NATs, RSs, DCs). */
    public NtmDetector withAddresses(Set<InetAddress> more) {
        Set<InetAddress> a = new HashSet<>(addresses);
        a.addAll(more);
        return new NtmDetector(ports, anyPort, learn, a);
    }

    /** A copy that only uses ports and named addresses, without learning endpoints. */
    public NtmDetector withoutLearning() {
        return new NtmDetector(ports, anyPort, false, addresses);
    }

    public Set<Integer> ports() {
        return ports;
    }

    boolean flowMatches(InetAddress srcIp, InetAddress dstIp, int sourcePort, int destinationPort) {
        if (anyPort || ports.contains(sourcePort) || ports.contains(destinationPort)) {
            return true;
        }
        if (srcIp == null) {
            return false;
        }
        return addresses.contains(srcIp) || addresses.contains(dstIp)
                || (learn && (learned.contains(new InetSocketAddress(srcIp, sourcePort))
                || learned.contains(new InetSocketAddress(dstIp, destinationPort))));
    }

    /** Shape and port-list test only (no addresses known); for callers without an IP header. */
    public NtmHeader detect(UdpHeader udp) {
        return detect(null, udp);
    }

    /** The header if the datagram looks like NTM on a plausible flow, else null; learns its endpoints. */
    public NtmHeader detect(IpHeader ip, UdpHeader udp) {
        InetAddress src = ip == null ? null : ip.source();
        InetAddress dst = ip == null ? null : ip.destination();
        if (!flowMatches(src, dst, udp.sourcePort(), udp.destinationPort())) {
            return null;
        }
        NtmHeader h = shape(udp.payload());
        if (h != null && learn && src != null) {
            learned.add(new InetSocketAddress(src, udp.sourcePort()));
            learned.add(new InetSocketAddress(dst, udp.destinationPort()));
        }
        return h;
    }

    static NtmHeader shape(byte[] p) {
        if (p.length < NtmHeader.LENGTH) {
            return null;
        }
        NtmHeader h;
        try {
            h = NtmHeader.parse(p, 0, p.length);
        } catch (MalformedPacketException e) {
            return null;
        }
        boolean ok = h.version() == NtmHeader.VERSION && h.type() != null
                && (h.suite() == SUITE_AES_GCM || h.suite() == SUITE_CBC_HMAC
                        || h.suite() == SUITE_CHACHA20_POLY1305)
                && (h.flags() & ~NtmHeader.KNOWN_FLAGS) == 0;
        return ok ? h : null;
    }
}
