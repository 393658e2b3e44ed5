package org.ntmlab.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.memlab.Closeables;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.TunnelInfo;
import org.ntmlab.ntm.stack.tcp.TcpConfig;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * A DC and two nodes, a.ntm.example and b.ntm.example, in this JVM on loopback with kernel
 * UDP sockets (what `ntm dc` and two `ntm node` processes do, without the AS: the DC gets
 * the node keys directly). Each server and node has its own {@link SelectorEventLoop}
 * thread, as in separate processes. After construction the tunnel a -> b is up (direct
 * path) and {@link #peerV4} is b's virtual IPv4 address.
 */
final class TunnelPair implements AutoCloseable {

    static final String DOMAIN = "ntm.example";
    static final CipherSuite SUITE = CipherSuite.AES_128_GCM;

    final NtmNode a;
    final NtmNode b;
    final InetAddress peerV4;
    final TunnelInfo tunnel;
    final String prefix;
    private final Closeables closeables = new Closeables();

    TunnelPair() throws Exception {
        this(new KernelNetwork(), "bench");
    }

    /**
     * On {@code network} (kernel sockets: a {@link KernelNetwork} or a variant of it); loop
     * threads are named {@code prefix-dc}, {@code prefix-node-a}, {@code prefix-node-b}.
     */
    TunnelPair(Network network, String prefix) throws Exception {
        this.prefix = prefix;
        SecureRandom random = new SecureRandom();
        Map<Long, NodeKey> keys = new ConcurrentHashMap<>();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try {
            SelectorEventLoop dcLoop = closeables.loop(prefix + "-dc"); // loops close last
            DirectionCoordinator dc = closeables.addFirst(new DirectionCoordinator(new DcConfig(DOMAIN,
                    new InetSocketAddress(lo, 0), null, List.of(), List.of(), SUITE, 10), network, dcLoop,
                    id -> CompletableFuture.completedFuture(keys.get(id))));
            InetSocketAddress dcV4 = dc.localAddress(Family.V4);
            a = node("a", dcV4, keys, random, network);
            b = node("b", dcV4, keys, random, network);
            tunnel = a.resolve(b.fqdn()).get(10, TimeUnit.SECONDS);
            peerV4 = tunnel.peerVirtualV4();
            if (peerV4 == null || !tunnel.isUp()) {
                throw new IllegalStateException("tunnel a -> b not up: " + tunnel.toJson());
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private NtmNode node(String name, InetSocketAddress dcV4, Map<Long, NodeKey> keys, SecureRandom random,
                         Network network) throws Exception {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        NodeKey k = new NodeKey(random.nextLong(), name + "." + DOMAIN, secret);
        keys.put(k.keyId(), k);
        NtmNode n = closeables.addFirst(new NtmNode(new NodeConfig(dcV4, null, 0, SUITE), k, network,
                closeables.loop(prefix + "-node-" + name)));
        n.start().get(10, TimeUnit.SECONDS);
        return n;
    }

    /** Payload bytes of one full-sized tunnel datagram: NTM header + inner IPv4 + TCP + MSS + AEAD tag. */
    static int fullDatagram() {
        return NtmHeader.LENGTH + 20 + 20 + mss() + CipherSuite.TAG_LENGTH;
    }

    /** The MSS the nodes use for inner IPv4 (TcpConfig for NtmNode.TUNNEL_LINK_MTU). */
    static int mss() {
        return TcpConfig.mssForTunnel(NtmNode.TUNNEL_LINK_MTU, true, false);
    }

    @Override
    public void close() {
        closeables.close();
    }
}
