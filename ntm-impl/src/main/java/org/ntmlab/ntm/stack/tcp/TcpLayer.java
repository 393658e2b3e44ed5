package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.ntmlab.ntm.stack.InternetChecksum;
import org.ntmlab.ntm.transport.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual TCP of one node (RFC 9293), independent of IP framing. The IP layer calls
 * {@link #onSegment} for every received TCP segment; finished segments leave through
 * {@link TcpOutput}. Owns the connection table, the listeners and the ephemeral ports.
 * Everything runs on the node's {@link EventLoop}; no method here is thread-safe, the
 * blocking {@link NtmSocket} API hands work over with {@code execute}.
 */
public final class TcpLayer {
    private static final Logger LOG = LoggerFactory.getLogger(TcpLayer.class);

    private final EventLoop loop;
    private final TcpConfig config;
    private final TcpOutput output;
    private final Function<InetAddress, InetAddress> sourceAddress;
    private final TcpStats stats = new TcpStats();
    private final Map<ConnKey, TcpConnection> connections = new HashMap<>();
    private final Map<Integer, TcpListener> listeners = new HashMap<>();
    private final int[] portUse = new int[65536];
    private final ConnKey probe = new ConnKey();
    private final TcpSegment rx = new TcpSegment();
    private final ByteBuffer tx;
    private final IsnGenerator isn = new IsnGenerator();
    private int nextEphemeral;
    private long internalErrors;

    /**
     * @param loop          the node's event loop; all calls into this layer happen on it
     * @param config        tunables (MSS from the tunnel MTU, buffer sizes, timers)
     * @param output        where segments go (the node's IP layer)
     * @param sourceAddress picks our virtual address for a destination (IPv4 or IPv6)
     */
    public TcpLayer(EventLoop loop, TcpConfig config, TcpOutput output,
                    Function<InetAddress, InetAddress> sourceAddress) {
        this.loop = loop;
        this.config = config;
        this.output = output;
        this.sourceAddress = sourceAddress;
        int maxMss = Math.max(config.mssV4, config.mssV6);
        this.tx = ByteBuffer.allocate(TcpConstants.IP_HEADROOM + TcpConstants.MAX_HEADER_LEN + maxMss);
        this.nextEphemeral = TcpConstants.EPHEMERAL_LOW
                + ThreadLocalRandom.current().nextInt(TcpConstants.EPHEMERAL_HIGH - TcpConstants.EPHEMERAL_LOW + 1);
    }

    public EventLoop loop() {
        return loop;
    }

    public TcpConfig config() {
        return config;
    }

    public TcpStats stats() {
        return stats;
    }

    /** Unexpected exceptions caught in {@link #onSegment} or timers (a bug if ever non-zero). */
    public long internalErrors() {
        return internalErrors;
    }

    /** Connections in the table (any state but CLOSED, TIME_WAIT included). */
    public int connectionCount() {
        return connections.size();
    }

    /** Snapshot of the connection table, for diagnostics. */
    public List<TcpConnection> connections() {
        return new ArrayList<>(connections.values());
    }

    /**
     * The tunnel to {@code remote} (a peer's virtual IPv4 or IPv6 address) carries packets again
     * after a move: every connection to it retransmits now instead of waiting out its timer
     * ({@link TcpConnection#pathResumed()}). Event loop only. Returns how many connections had
     * something to resend or were probing.
     */
    public int pathResumed(InetAddress remote) {
        int n = 0;
        for (TcpConnection c : new ArrayList<>(connections.values())) {
            if (remote.equals(c.remoteAddress())) {
                long before = stats.pathResumes;
                c.pathResumed();
                if (stats.pathResumes != before) {
                    n++;
                }
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- opening

    /** Passive open on {@code port} of any local address, with the configured backlog. */
    public TcpListener listen(int port) throws IOException {
        return listen(null, port, config.defaultBacklog);
    }

    /**
     * Passive open. {@code localAddress} null means any of ours; {@code port} 0 picks an
     * ephemeral port.
     */
    public TcpListener listen(InetAddress localAddress, int port, int backlog) throws IOException {
        if (port == 0) {
            port = allocateEphemeral();
        } else if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (listeners.containsKey(port)) {
            throw new BindException("TCP port " + port + " already has a listener");
        }
        TcpListener l = new TcpListener(this, localAddress, port, backlog > 0 ? backlog : config.defaultBacklog);
        listeners.put(port, l);
        portUse[port]++;
        return l;
    }

    /** Active open from an ephemeral port of our address for {@code remote}'s family. */
    public TcpConnection connect(InetAddress remote, int remotePort) throws IOException {
        return connect(null, 0, remote, remotePort);
    }

    /**
     * Active open (RFC 9293 3.10.1). {@code local} null picks our address for the remote's
     * family; {@code localPort} 0 picks an ephemeral port (RFC 6335 range).
     */
    public TcpConnection connect(InetAddress local, int localPort, InetAddress remote, int remotePort)
            throws IOException {
        if (remotePort <= 0 || remotePort > 65535) {
            throw new IllegalArgumentException("remote port out of range: " + remotePort);
        }
        if (local == null) {
            local = sourceAddress.apply(remote);
            if (local == null) {
                throw new IOException("no local virtual address for " + remote.getHostAddress());
            }
        }
        if (localPort == 0) {
            localPort = allocateEphemeral();
        }
        ConnKey key = new ConnKey(local, localPort, remote, remotePort);
        if (connections.containsKey(key)) {
            throw new BindException("connection " + key + " already exists");
        }
        TcpConnection c = new TcpConnection(this, key, null);
        register(c);
        c.openActive();
        return c;
    }

    private int allocateEphemeral() throws BindException {
        int span = TcpConstants.EPHEMERAL_HIGH - TcpConstants.EPHEMERAL_LOW + 1;
        for (int i = 0; i < span; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == TcpConstants.EPHEMERAL_HIGH ? TcpConstants.EPHEMERAL_LOW : p + 1;
            if (portUse[p] == 0) {
                return p;
            }
        }
        throw new BindException("no free ephemeral TCP port");
    }

    // ---------------------------------------------------------------- receive

    /**
     * One received TCP segment (header + payload, {@code position..limit}) with the
     * addresses of its IP header. Verifies the checksum with the pseudo-header; malformed
     * segments are counted and dropped. Never throws. The buffer is not kept.
     */
    public void onSegment(InetAddress src, InetAddress dst, ByteBuffer segment) {
        onSegment(src, dst, segment, false);
    }

    /**
     * As {@link #onSegment(InetAddress, InetAddress, ByteBuffer)}; {@code checksumVerified}
     * true skips the checksum: only for segments whose integrity something stronger already
     * checked (the tunnel's AEAD tag, see {@code VirtualStack.inputFromTunnel}).
     */
    public void onSegment(InetAddress src, InetAddress dst, ByteBuffer segment, boolean checksumVerified) {
        stats.segmentsIn++;
        try {
            if (!rx.parse(segment)) {
                stats.badHeader++;
                return;
            }
            TcpConnection c = connections.get(probe.set(dst, rx.dstPort, src, rx.srcPort));
            probe.set(null, 0, null, 0);
            if (c != null && checksumVerified) {
                c.onSegment(rx);
                return;
            }
            byte[] srcBytes = c != null ? c.remoteBytes : src.getAddress();
            byte[] dstBytes = c != null ? c.localBytes : dst.getAddress();
            if (!checksumVerified) {
                int len = segment.remaining();
                long sum = InternetChecksum.pseudoHeader(srcBytes, dstBytes, TcpConstants.PROTOCOL, len);
                sum = InternetChecksum.add(sum, segment, segment.position(), len);
                if (InternetChecksum.finish(sum) != 0) {
                    stats.badChecksum++;
                    return;
                }
            }
            if (c != null) {
                c.onSegment(rx);
                return;
            }
            TcpListener l = listeners.get(rx.dstPort);
            if (l != null && l.matches(dst)) {
                onListenSegment(l, src, dst, rx);
                return;
            }
            stats.noConnection++;
            replyReset(src, dst, srcBytes, dstBytes, rx);
        } catch (RuntimeException e) {
            internalErrors++;
            LOG.warn("event=tcpInternalError segment={}", rx, e);
        }
    }

    /** RFC 9293 3.10.7.2: segment arriving in LISTEN state. */
    private void onListenSegment(TcpListener l, InetAddress src, InetAddress dst, TcpSegment seg) {
        if (seg.has(TcpConstants.FLAG_RST)) {
            return;
        }
        if (seg.has(TcpConstants.FLAG_ACK)) {
            replyReset(src, dst, src.getAddress(), dst.getAddress(), seg);
            return;
        }
        if (!seg.has(TcpConstants.FLAG_SYN)) {
            return;
        }
        if (l.full()) {
            stats.backlogDrops++;
            return;
        }
        TcpConnection c = new TcpConnection(this, new ConnKey(dst, seg.dstPort, src, seg.srcPort), l);
        l.halfOpen++;
        register(c);
        c.openPassive(seg);
    }

    /** RFC 9293 3.10.7.1: answer a segment for no connection with a reset. */
    private void replyReset(InetAddress src, InetAddress dst, byte[] srcBytes, byte[] dstBytes, TcpSegment seg) {
        if (seg.has(TcpConstants.FLAG_RST)) {
            return;
        }
        int srcPort = seg.srcPort;
        int dstPort = seg.dstPort;
        if (seg.has(TcpConstants.FLAG_ACK)) {
            writeAndSend(dst, src, dstBytes, srcBytes, dstPort, srcPort, seg.ack, 0, TcpConstants.FLAG_RST, 0,
                    -1, -1, null, 0, 0);
        } else {
            writeAndSend(dst, src, dstBytes, srcBytes, dstPort, srcPort, 0, seg.seq + seg.seqLen(),
                    TcpConstants.FLAG_RST | TcpConstants.FLAG_ACK, 0, -1, -1, null, 0, 0);
        }
        stats.resetsSent++;
    }

    // ---------------------------------------------------------------- send

    /**
     * Builds one segment in the shared transmit buffer, fills in the checksum and hands it
     * to the IP layer. {@code mssOpt}/{@code wscaleOpt} are -1 when not sent.
     */
    void writeAndSend(InetAddress local, InetAddress remote, byte[] localBytes, byte[] remoteBytes, int localPort,
                      int remotePort, int seq, int ack, int flags, int window, int mssOpt, int wscaleOpt,
                      ByteRing data, int dataOffset, int len) {
        ByteBuffer b = tx;
        int start = TcpConstants.IP_HEADROOM;
        b.clear();
        b.position(start);
        int optLen = (mssOpt >= 0 ? 4 : 0) + (wscaleOpt >= 0 ? 4 : 0);
        int hdrLen = TcpConstants.HEADER_LEN + optLen;
        b.putShort((short) localPort).putShort((short) remotePort).putInt(seq).putInt(ack);
        b.putShort((short) (((hdrLen / 4) << 12) | flags)).putShort((short) window);
        b.putShort((short) 0).putShort((short) 0);
        if (mssOpt >= 0) {
            b.put((byte) TcpConstants.OPT_MSS).put((byte) 4).putShort((short) mssOpt);
        }
        if (wscaleOpt >= 0) {
            b.put((byte) TcpConstants.OPT_NOP).put((byte) TcpConstants.OPT_WSCALE).put((byte) 3)
                    .put((byte) wscaleOpt);
        }
        if (len > 0) {
            data.peek(dataOffset, b, len);
        }
        int end = b.position();
        int segLen = end - start;
        long sum = InternetChecksum.pseudoHeader(localBytes, remoteBytes, TcpConstants.PROTOCOL, segLen);
        sum = InternetChecksum.add(sum, b, start, segLen);
        b.putShort(start + 16, (short) InternetChecksum.finish(sum));
        b.limit(end);
        b.position(start);
        stats.segmentsOut++;
        output.send(local, remote, b);
    }

    // ---------------------------------------------------------------- table

    private void register(TcpConnection c) {
        connections.put(c.key, c);
        portUse[c.key.localPort]++;
        stats.connectionsOpened++;
    }

    void unregister(TcpConnection c) {
        if (connections.remove(c.key) == c) {
            portUse[c.key.localPort]--;
            stats.connectionsClosed++;
        }
    }

    void removeListener(TcpListener l) {
        if (listeners.remove(l.port(), l)) {
            portUse[l.port()]--;
        }
    }

    int newIss(byte[] local, int localPort, byte[] remote, int remotePort) {
        if (config.issSupplier != null) {
            return config.issSupplier.getAsInt();
        }
        return isn.next(local, localPort, remote, remotePort, loop.nanoTime());
    }

    int mssFor(InetAddress remote) {
        return remote instanceof Inet4Address ? config.mssV4 : config.mssV6;
    }

    void internalError(String what, RuntimeException e) {
        internalErrors++;
        LOG.warn("event=tcpInternalError where={}", what, e);
    }
}
