package org.ntmlab.ntm.stack;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The node's user-space IP stack (paper section 4.2, "virtual IP protocol stack"): its
 * virtual interface holds the virtual IPv4 and IPv6 addresses the DC assigned; it builds
 * and parses IPv4/IPv6 + UDP + ICMP echo packets and hands TCP segments to the TCP layer.
 * Runs on the node's event loop only. One reused buffer for outgoing packets: no
 * allocation per packet.
 */
public final class VirtualStack {

    /** Largest inner packet: the tunnel MTU the stack assumes (fits a 1,500-byte path with overhead). */
    public static final int MTU = 1400;
    private static final int FIRST_EPHEMERAL = 49152; // RFC 6335 dynamic range
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMPV6_ECHO_REQUEST = 128;
    private static final int ICMPV6_ECHO_REPLY = 129;

    /** Receives UDP datagrams for a bound virtual port (on the event loop; buffer valid during the call). */
    @FunctionalInterface
    public interface UdpReceiver {
        void onDatagram(InetAddress src, int srcPort, InetAddress dst, ByteBuffer payload);
    }

    /** Receives ICMP echo replies (for ping). */
    @FunctionalInterface
    public interface EchoListener {
        void onEchoReply(InetAddress from, int id, int seq, ByteBuffer data);
    }

    private final PacketOutput output;
    // heap buffers: javax.crypto copies direct buffers through temporary arrays (ntm-bench gc profile)
    private final ByteBuffer tx = ByteBuffer.allocate(MTU + 64);
    private InetAddress lastDst;
    private byte[] lastDstBytes;
    private final byte[] srcScratch4 = new byte[4];
    private final byte[] srcScratch16 = new byte[16];
    private InetAddress lastSrc;
    private byte[] lastSrcBytes;
    /**
     * UDP bindings by port, two levels of 256 (a page is made on its first bind): the per-packet
     * lookup must not box the port into an Integer (ports above 127 are not cached, so a
     * HashMap&lt;Integer, ...&gt; lookup allocated 16 bytes per received datagram).
     */
    private final UdpReceiver[][] udp = new UdpReceiver[256][];
    private byte[] v4;
    private byte[] v6;
    private InetAddress v4Address;
    private InetAddress v6Address;
    private TransportInput tcp;
    private EchoListener echoListener;
    private int nextEphemeral = FIRST_EPHEMERAL;
    private int ipId;

    private final StackCounters counters = new StackCounters();

    public VirtualStack(PacketOutput output) {
        this.output = output;
    }

    public StackCounters counters() {
        return counters;
    }

    /** Sets the virtual interface's addresses (from the DC's REGISTER_ACK). */
    public void setAddresses(InetAddress virtualV4, InetAddress virtualV6) {
        this.v4Address = virtualV4;
        this.v6Address = virtualV6;
        this.v4 = Ip.bytes(virtualV4);
        this.v6 = Ip.bytes(virtualV6);
    }

    public InetAddress virtualV4() {
        return v4Address;
    }

    public InetAddress virtualV6() {
        return v6Address;
    }

    /** The local virtual address used to reach {@code dst}: same family. */
    public InetAddress sourceFor(InetAddress dst) {
        return Ip.isV4(dst) ? v4Address : v6Address;
    }

    public void setTcp(TransportInput tcp) {
        this.tcp = tcp;
    }

    public void setEchoListener(EchoListener l) {
        this.echoListener = l;
    }

    /** Binds a UDP port (0 = ephemeral); returns the port. */
    public int bindUdp(int port, UdpReceiver receiver) {
        if (port == 0) {
            for (int i = 0; i < 16384 && udpReceiver(nextEphemeral) != null; i++) {
                nextEphemeral = nextEphemeral == 65535 ? FIRST_EPHEMERAL : nextEphemeral + 1;
            }
            port = nextEphemeral;
            nextEphemeral = nextEphemeral == 65535 ? FIRST_EPHEMERAL : nextEphemeral + 1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("UDP port out of range: " + port);
        }
        if (udpReceiver(port) != null) {
            throw new IllegalStateException("virtual UDP port " + port + " is in use");
        }
        UdpReceiver[] page = udp[port >>> 8];
        if (page == null) {
            page = udp[port >>> 8] = new UdpReceiver[256];
        }
        page[port & 0xFF] = receiver;
        return port;
    }

    public void unbindUdp(int port) {
        if (port >= 0 && port <= 65535 && udp[port >>> 8] != null) {
            udp[port >>> 8][port & 0xFF] = null;
        }
    }

    private UdpReceiver udpReceiver(int port) {
        UdpReceiver[] page = udp[port >>> 8];
        return page == null ? null : page[port & 0xFF];
    }

    /** Sends a UDP datagram from {@code srcPort} to {@code dst}:{@code dstPort}. Consumes {@code payload}. */
    public boolean sendUdp(int srcPort, InetAddress dst, int dstPort, ByteBuffer payload) {
        byte[] src = Ip.isV4(dst) ? v4 : v6;
        int len = payload.remaining();
        if (src == null || len + Ip.UDP_HEADER + Ip.V6_HEADER > MTU) {
            counters.txDropped++;
            return false;
        }
        byte[] d = addressBytes(dst);
        tx.clear();
        int h = Ip.writeHeader(tx, 0, src, d, Ip.PROTO_UDP, Ip.UDP_HEADER + len, ipId++);
        tx.putShort(h, (short) srcPort);
        tx.putShort(h + 2, (short) dstPort);
        tx.putShort(h + 4, (short) (Ip.UDP_HEADER + len));
        tx.putShort(h + 6, (short) 0);
        tx.position(h + Ip.UDP_HEADER);
        tx.put(payload);
        long sum = Ip.pseudoHeaderSum(tx, 0, Ip.PROTO_UDP, Ip.UDP_HEADER + len);
        int ck = InternetChecksum.finish(InternetChecksum.add(sum, tx, h, Ip.UDP_HEADER + len));
        tx.putShort(h + 6, (short) (ck == 0 ? 0xFFFF : ck)); // RFC 768: 0 means "no checksum"
        tx.flip();
        counters.txPackets++;
        output.output(tx);
        return true;
    }

    /** The bytes of {@code dst}, cached: a flow sends to one peer many times (no allocation per packet). */
    private byte[] addressBytes(InetAddress dst) {
        if (dst != lastDst) {
            lastDstBytes = dst.getAddress();
            lastDst = dst;
        }
        return lastDstBytes;
    }

    /** The source address of the packet at {@code at}, reusing the last one when it repeats. */
    private InetAddress sourceOf(ByteBuffer p, int at) {
        byte[] scratch = Ip.addressLength(p, at) == 4 ? srcScratch4 : srcScratch16;
        p.get(Ip.srcOffset(p, at), scratch);
        if (lastSrc == null || !java.util.Arrays.equals(scratch, lastSrcBytes)) {
            lastSrcBytes = scratch.clone();
            lastSrc = Ip.src(p, at);
        }
        return lastSrc;
    }

    /** Our own address of the packet's family: the destination, which input() has checked. */
    private InetAddress ownAddress(ByteBuffer p, int at) {
        return Ip.version(p, at) == 4 ? v4Address : v6Address;
    }

    /** Sends a transport segment (TCP) already carrying its checksum. Consumes {@code segment}. */
    public boolean sendTransport(int protocol, InetAddress src, InetAddress dst, ByteBuffer segment) {
        int len = segment.remaining();
        if (len + Ip.V6_HEADER > MTU + 40) {
            counters.txDropped++;
            return false;
        }
        tx.clear();
        int h = Ip.writeHeader(tx, 0, src.getAddress(), dst.getAddress(), protocol, len, ipId++);
        tx.position(h);
        tx.put(segment);
        tx.flip();
        counters.txPackets++;
        output.output(tx);
        return true;
    }

    /** Sends an ICMP (v4) or ICMPv6 echo request to {@code dst}. */
    public boolean sendEchoRequest(InetAddress dst, int id, int seq, ByteBuffer data) {
        boolean four = Ip.isV4(dst);
        return sendEcho(four ? v4 : v6, dst.getAddress(), four ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST,
                id, seq, data);
    }

    private boolean sendEcho(byte[] src, byte[] dst, int type, int id, int seq, ByteBuffer data) {
        int len = 8 + data.remaining();
        // a tunnel may carry an echo request larger than our MTU: its reply would not fit the
        // transmit buffer (it threw there: docs/security.md, "Fuzzing"), and we
        // never fragment, so it goes unanswered
        if (src == null || len + (src.length == 4 ? Ip.V4_HEADER : Ip.V6_HEADER) > MTU) {
            counters.txDropped++;
            return false;
        }
        int proto = src.length == 4 ? Ip.PROTO_ICMP : Ip.PROTO_ICMPV6;
        tx.clear();
        int h = Ip.writeHeader(tx, 0, src, dst, proto, len, ipId++);
        tx.put(h, (byte) type);
        tx.put(h + 1, (byte) 0);
        tx.putShort(h + 2, (short) 0);
        tx.putShort(h + 4, (short) id);
        tx.putShort(h + 6, (short) seq);
        tx.position(h + 8);
        tx.put(data);
        long sum = proto == Ip.PROTO_ICMPV6 ? Ip.pseudoHeaderSum(tx, 0, proto, len) : 0; // RFC 4443 2.3
        tx.putShort(h + 2, (short) InternetChecksum.finish(InternetChecksum.add(sum, tx, h, len)));
        tx.flip();
        counters.txPackets++;
        output.output(tx);
        return true;
    }

    /**
     * One inner packet (position..limit), every checksum verified. Malformed or misaddressed
     * packets are counted and dropped.
     */
    public void input(ByteBuffer p) {
        input(p, false);
    }

    /**
     * One inner packet that came out of an authenticated tunnel (its AEAD tag verified): as
     * {@link #input(ByteBuffer)} but without the TCP and UDP checksums, which cannot fail on
     * bytes the tag covered (the sender's stack computed them). The IPv4 header is still
     * checked: it is 20 bytes, and its fields steer the parsing.
     */
    public void inputFromTunnel(ByteBuffer p) {
        input(p, true);
    }

    private void input(ByteBuffer p, boolean authenticated) {
        int at = p.position();
        int avail = p.remaining();
        counters.rxPackets++;
        if (avail < 1) {
            counters.rxMalformed++;
            return;
        }
        int version = Ip.version(p, at);
        if (version == 4) {
            if (avail < Ip.V4_HEADER || (p.get(at) & 0x0F) < 5 || Ip.headerLength(p, at) > avail
                    || InternetChecksum.finish(InternetChecksum.add(0, p, at, Ip.headerLength(p, at))) != 0) {
                counters.rxMalformed++;
                return;
            }
            if ((p.getShort(at + 6) & 0x3FFF) != 0) { // MF set or fragment offset: we never fragment
                counters.rxFragments++;
                return;
            }
        } else if (version == 6) {
            if (avail < Ip.V6_HEADER) {
                counters.rxMalformed++;
                return;
            }
        } else {
            counters.rxMalformed++;
            return;
        }
        int total = Ip.totalLength(p, at);
        int hl = Ip.headerLength(p, at);
        if (total > avail || total < hl) {
            counters.rxMalformed++;
            return;
        }
        if (!Ip.dstEquals(p, at, version == 4 ? v4 : v6)) {
            counters.rxNotForUs++;
            return;
        }
        int proto = Ip.protocol(p, at);
        int l4 = at + hl;
        int l4len = total - hl;
        switch (proto) {
            case Ip.PROTO_UDP -> inputUdp(p, at, l4, l4len, authenticated);
            // ICMP belongs to IPv4 and ICMPv6 to IPv6 (RFC 4443 2.1): the other way round, an echo
            // request was answered in the wrong IP version, to an address cut from the sender's
            // (found by fuzzing, docs/security.md "Fuzzing")
            case Ip.PROTO_ICMP, Ip.PROTO_ICMPV6 -> {
                if ((proto == Ip.PROTO_ICMP) == (version == 4)) {
                    inputIcmp(p, at, l4, l4len, proto);
                } else {
                    counters.rxUnknownProtocol++;
                }
            }
            case Ip.PROTO_TCP -> {
                if (tcp == null) {
                    counters.rxNoListener++;
                    return;
                }
                ByteBuffer seg = p.duplicate();
                seg.limit(l4 + l4len).position(l4);
                tcp.onSegment(sourceOf(p, at), ownAddress(p, at), seg, authenticated);
            }
            default -> counters.rxUnknownProtocol++; // IPv6 extension headers are not used inside tunnels
        }
    }

    private void inputUdp(ByteBuffer p, int at, int l4, int l4len, boolean authenticated) {
        if (l4len < Ip.UDP_HEADER || (p.getShort(l4 + 4) & 0xFFFF) != l4len) {
            counters.rxMalformed++;
            return;
        }
        int ck = p.getShort(l4 + 6) & 0xFFFF;
        if (!authenticated && (ck != 0 || Ip.version(p, at) == 6)) { // IPv6: mandatory (RFC 8200 8.1)
            long sum = Ip.pseudoHeaderSum(p, at, Ip.PROTO_UDP, l4len);
            if (InternetChecksum.finish(InternetChecksum.add(sum, p, l4, l4len)) != 0) {
                counters.rxBadChecksum++;
                return;
            }
        }
        int dstPort = p.getShort(l4 + 2) & 0xFFFF;
        UdpReceiver r = udpReceiver(dstPort);
        if (r == null) {
            counters.rxNoListener++;
            return;
        }
        int srcPort = p.getShort(l4) & 0xFFFF;
        int oldLimit = p.limit();
        p.limit(l4 + l4len).position(l4 + Ip.UDP_HEADER);
        counters.rxDelivered++;
        r.onDatagram(sourceOf(p, at), srcPort, ownAddress(p, at), p);
        p.limit(oldLimit);
    }

    private void inputIcmp(ByteBuffer p, int at, int l4, int l4len, int proto) {
        if (l4len < 8) {
            counters.rxMalformed++;
            return;
        }
        long sum = proto == Ip.PROTO_ICMPV6 ? Ip.pseudoHeaderSum(p, at, proto, l4len) : 0;
        if (InternetChecksum.finish(InternetChecksum.add(sum, p, l4, l4len)) != 0) {
            counters.rxBadChecksum++;
            return;
        }
        int type = p.get(l4) & 0xFF;
        int id = p.getShort(l4 + 4) & 0xFFFF;
        int seq = p.getShort(l4 + 6) & 0xFFFF;
        ByteBuffer data = p.duplicate();
        data.limit(l4 + l4len).position(l4 + 8);
        if (type == ICMP_ECHO_REQUEST || type == ICMPV6_ECHO_REQUEST) {
            byte[] src = new byte[Ip.addressLength(p, at)];
            p.get(Ip.srcOffset(p, at), src);
            counters.echoRequestsAnswered++;
            sendEcho(proto == Ip.PROTO_ICMP ? v4 : v6, src,
                    type == ICMP_ECHO_REQUEST ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY, id, seq, data);
        } else if ((type == ICMP_ECHO_REPLY || type == ICMPV6_ECHO_REPLY) && echoListener != null) {
            echoListener.onEchoReply(Ip.src(p, at), id, seq, data);
        } else {
            counters.rxUnknownProtocol++;
        }
    }
}
