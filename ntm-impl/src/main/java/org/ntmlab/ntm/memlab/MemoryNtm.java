package org.ntmlab.ntm.memlab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.rs.RelayServer;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;

/**
 * The NTMobile side of a lab in one JVM, whatever the shape of its network: DCs, RSs and nodes,
 * each on its own event loop, on hosts of a {@code MemoryNetwork}, and a key store that stands in
 * for the AS (no TLS, no passwords: a node's key is put into {@link #keys} when the node is made,
 * as if it had logged in, and every DC looks keys up there). Everything made here closes with
 * {@link #close()}: nodes first, then servers and loops. The hard-coded labs ({@link MemoryLab},
 * {@link InterDomainLab}) and lab-topologies' memory backend (any topology file) are built with it.
 */
public final class MemoryNtm implements AutoCloseable {

    /** The stand-in AS's keys, by key id: DCs look them up here, and a node's key is put here first. */
    public final Map<Long, NodeKey> keys = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** Every loop by name, for faults that act on a server's loop ({@code MemoryLab.hangDc}). */
    private final Map<String, SelectorEventLoop> loops = new ConcurrentHashMap<>();
    private final Closeables closeables = new Closeables();
    private volatile boolean asDown;

    /** What closes with this lab (to add parts made elsewhere). */
    public Closeables closeables() {
        return closeables;
    }

    /** A new event loop thread, closed with the lab. */
    public SelectorEventLoop loop(String name) {
        SelectorEventLoop l = closeables.loop(name);
        loops.put(name, l);
        return l;
    }

    /** The loop made by {@link #loop(String)} under {@code name}, or null. */
    public SelectorEventLoop loopNamed(String name) {
        return loops.get(name);
    }

    /** A fresh random 32-byte secret (an RS's or a pair of DCs'). */
    public byte[] secret() {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return s;
    }

    /**
     * Makes the stand-in AS unreachable: key look-ups fail until {@link #startAsAgain()}. The keys
     * stay, as the AS keeps them in a file (issue 10).
     */
    public void stopAs() {
        asDown = true;
    }

    /** Ends {@link #stopAs()}: the AS answers again with the keys it issued before. */
    public void startAsAgain() {
        asDown = false;
    }

    /** Starts a DC with {@code cfg} on {@code host} and a loop of its own; it takes node keys from {@link #keys}. */
    public DirectionCoordinator startDc(DcConfig cfg, Network host, String loopName) throws IOException {
        return closeables.add(new DirectionCoordinator(cfg, host, loop(loopName),
                id -> asDown ? CompletableFuture.failedFuture(new IOException("AS unreachable"))
                        : CompletableFuture.completedFuture(keys.get(id))));
    }

    /** Starts RS {@code id} (sharing {@code dcSecret} with its DC) on {@code host} and a loop of its own. */
    public RelayServer startRs(long id, byte[] dcSecret, CipherSuite suite, InetSocketAddress v4, InetSocketAddress v6,
                               Network host, String loopName) throws IOException {
        return closeables.add(new RelayServer(id, dcSecret, suite, v4, v6, host, loop(loopName)));
    }

    /**
     * A node {@code fqdn} on host {@code h} with a fresh key, known to the stand-in AS (a new login
     * revokes the older key of that name, as the AS does), on a loop of its own, not started yet
     * ({@link NtmNode#start()} registers it). It learns of {@code h}'s address changes from the host,
     * as netlink would tell it. Closed before the servers.
     */
    public NtmNode node(NodeConfig config, String fqdn, MemoryHost h, String loopName) {
        NodeKey k = new NodeKey(random.nextLong(), fqdn, secret());
        keys.values().removeIf(old -> old.fqdn().equals(fqdn));
        keys.put(k.keyId(), k);
        NtmNode n = closeables.addFirst(new NtmNode(config, k, h, loop(loopName)));
        h.onAddressChange(n::addressesChanged); // stands in for netlink on the in-memory network
        return n;
    }

    /** Closes every node, server and loop made here (best effort, see {@link Closeables}). */
    @Override
    public void close() {
        closeables.close();
    }
}
