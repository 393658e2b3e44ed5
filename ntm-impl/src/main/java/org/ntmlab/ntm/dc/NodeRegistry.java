package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.keys.KeyDirectory;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.wire.HostEndpoints;
import org.ntmlab.ntm.wire.KeepaliveAck;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.Register;
import org.ntmlab.ntm.wire.RegisterAck;
import org.ntmlab.ntm.wire.Reregister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DC's nodes (paper section 3.2: a node registers its real addresses with its DC, gets its
 * virtual IPv4/IPv6 addresses, and keeps the DC up to date with keepalives; section 3.1: the
 * AS hands the DC the key it shares with each node). Owns the {@link NodeRecord}s by key id and
 * by name, REGISTER and KEEPALIVE, the virtual addresses ({@link VirtualAddressPool}) and the
 * key look-ups at the AS ({@link KeyDirectory}). Reports a node's move to its caller, which
 * directs the node's tunnels again. Used on the DC's event loop only.
 */
final class NodeRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

    private final DcConfig config;
    private final EventLoop loop;
    private final KeyDirectory keys;
    private final VirtualAddressPool pool;
    private final Outbox outbox;
    private final Counters counters;
    private final Map<Long, NodeRecord> nodesByKey = new HashMap<>();
    private final Map<String, NodeRecord> nodesByName = new HashMap<>();
    /** Key ids being looked up at the AS (see {@link #fetchKeyThenRetry}). */
    private final Set<Long> pendingLookups = new HashSet<>();
    /** Key ids the AS did not know, until when (loop clock): at most {@code UNKNOWN_KEY_CACHE_SIZE}, oldest out. */
    private final Map<Long, Long> unknownKeys = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > Dc.UNKNOWN_KEY_CACHE_SIZE;
        }
    };
    /** Key look-ups per source address (token bucket). */
    private final SourceRateLimit lookupRate = new SourceRateLimit(Dc.KEY_LOOKUPS_PER_SOURCE_PER_SECOND,
            Dc.KEY_LOOKUP_BURST_PER_SOURCE, Dc.RATE_LIMIT_SOURCES);

    NodeRegistry(DcConfig config, EventLoop loop, KeyDirectory keys, Outbox outbox, Counters counters) {
        this.config = config;
        this.loop = loop;
        this.keys = keys;
        this.pool = new VirtualAddressPool(config.domain());
        this.outbox = outbox;
        this.counters = counters;
    }

    /** The node of this session key, or null. */
    NodeRecord byKey(long keyId) {
        return nodesByKey.get(keyId);
    }

    /** The node registered under {@code fqdn} (lower case), or null. */
    NodeRecord byName(String fqdn) {
        return nodesByName.get(fqdn);
    }

    /** True while {@code node} is the live session of its key (not replaced by a fresh login). */
    boolean isCurrent(NodeRecord node) {
        return nodesByKey.get(node.keyId) == node;
    }

    /** Registered names and their virtual addresses, as a new map. */
    Map<String, InetAddress[]> registrations() {
        Map<String, InetAddress[]> m = new HashMap<>();
        nodesByName.forEach((n, r) -> m.put(n, new InetAddress[] {r.v4, r.v6}));
        return m;
    }

    /** Virtual addresses for a registered name, or null (used by the DNS responder, on the loop). */
    InetAddress[] lookupName(String fqdn) {
        NodeRecord r = nodesByName.get(fqdn.toLowerCase(Locale.ROOT));
        return r == null ? null : new InetAddress[] {r.v4, r.v6};
    }

    /**
     * First node message under a key id (a REGISTER of a new login, or any node message after
     * this DC restarted): ask the AS for the key (off the loop), then handle the message again
     * through {@code retry}. Unknown ids are remembered only while a lookup runs, and at most
     * {@link Dc#MAX_PENDING_KEY_LOOKUPS} at once: an id beyond that, or one already being looked
     * up, is dropped ({@code lookupBusy}) without being remembered. A key for a name of another
     * domain is refused: that name's DC serves it (and answers DNS for it).
     */
    void fetchKeyThenRetry(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via, long keyId,
                           DatagramEndpoint.Receiver retry) {
        if (pendingLookups.contains(keyId) || pendingLookups.size() >= Dc.MAX_PENDING_KEY_LOOKUPS) {
            counters.count(DcCounter.LOOKUP_BUSY);
            return;
        }
        long now = loop.nanoTime();
        Long unknownUntil = unknownKeys.get(keyId);
        if (unknownUntil != null && now - unknownUntil < 0) {
            counters.count(DcCounter.UNKNOWN_KEY_CACHED); // the AS said "no such key" a moment ago
            return;
        }
        if (!lookupRate.allow(from.getAddress(), now)) {
            counters.count(DcCounter.LOOKUP_RATE_LIMITED); // one source cannot keep the AS (and this DC) busy
            return;
        }
        pendingLookups.add(keyId);
        byte[] copy = new byte[p.remaining()];
        p.get(p.position(), copy);
        keys.lookup(keyId).copy().orTimeout(Dc.KEY_LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .whenComplete((k, err) -> loop.execute(() -> {
            pendingLookups.remove(keyId);
            if (err != null || k == null) {
                counters.count(DcCounter.UNKNOWN_KEY);
                LOG.info("event=unknown-key keyId={}{}", Long.toHexString(keyId),
                        err != null ? " error=" + err : "");
                if (err == null) {
                    // only the AS's own "unknown": an AS that is down or slow must not poison the cache
                    unknownKeys.put(keyId, loop.nanoTime() + Dc.UNKNOWN_KEY_CACHE_NANOS);
                }
                return;
            }
            if (!config.domain().equals(InterDcConfig.domainOf(k.fqdn()))) {
                counters.count(DcCounter.FOREIGN_DOMAIN_KEY);
                LOG.info("event=foreign-domain-key keyId={} fqdn={} domain={}", Long.toHexString(keyId), k.fqdn(),
                        config.domain());
                return;
            }
            if (!nodesByKey.containsKey(keyId)) {
                String fqdn = k.fqdn().toLowerCase(Locale.ROOT);
                InetAddress[] v = pool.addressesFor(fqdn);
                nodesByKey.put(keyId, new NodeRecord(k.keyId(), fqdn, v[0], v[1],
                        Association.longLived(config.suite(), k.secret(), KeyLabels.DC_TO_NODE, KeyLabels.NODE_TO_DC)));
            }
            retry.onDatagram(ByteBuffer.wrap(copy), from, via);
        }));
    }

    /**
     * REGISTER: binds the node's family to where the DC saw it, answers REGISTER_ACK with the
     * virtual addresses and the observed address. Returns true when a known node moved (its
     * position changed): its tunnels must be directed again.
     */
    boolean onRegister(NodeRecord node, Register reg, InetSocketAddress from, DatagramEndpoint via) {
        if (!reg.fqdn().equalsIgnoreCase(node.fqdn)) {
            counters.count(DcCounter.FQDN_MISMATCH); // a key only registers the name the AS bound it to
            return false;
        }
        long skew = System.currentTimeMillis() - reg.sentAtMs();
        if (Math.abs(skew) > Dc.REGISTER_FRESHNESS_MS) {
            // a REGISTER recorded earlier and replayed, e.g. to a DC that restarted and so holds no
            // replay window for the key (issue 11): it must not move the node's session
            counters.count(DcCounter.STALE_REGISTER);
            LOG.info("event=stale-register node={} from={} skewMs={}", node.fqdn, from, skew);
            return false;
        }
        Family f = Family.of(from.getAddress());
        boolean natted = !reg.realAddresses().contains(from.getAddress());
        NodeRecord previous = nodesByName.put(node.fqdn, node);
        if (previous != null && previous != node) {
            nodesByKey.remove(previous.keyId); // a fresh login replaces the old session
        }
        String before = node.position().toString();
        boolean known = !node.bindings.isEmpty();
        node.bindings.put(f, new NodeRecord.Binding(from, natted, via, loop.nanoTime()));
        // a REGISTER lists every address the node has now: forget families it no longer has
        node.bindings.keySet().removeIf(fam -> fam != f && reg.realAddresses().stream()
                .noneMatch(a -> Family.of(a) == fam));
        boolean moved = known && !before.equals(node.position().toString());
        node.hostEndpoints = checkedHostEndpoints(node, reg);
        counters.count(DcCounter.REGISTERED);
        LOG.info("event=register node={} family={} observed={} natted={} v4={} v6={}", node.fqdn, f, from, natted,
                node.v4.getHostAddress(), node.v6.getHostAddress());
        outbox.send(via, from, node.assoc.send(), MessageType.REGISTER_ACK, 0, node.keyId,
                b -> new RegisterAck(node.v4, node.v6, from, config.keepaliveSeconds()).encode(b));
        return moved;
    }

    /**
     * The host endpoints of {@code reg} that a peer behind the same NAT may be told to probe
     * (docs/protocol.md "Route optimisation"; docs/security.md finding 16): only private addresses
     * ({@link HostEndpoints#isPrivate}: the Internet does not route them) that the node lists as
     * its own real addresses, each once. The others are counted ({@code badHostEndpoint}) and left
     * out. The wire format caps them at 4 per family.
     */
    private List<InetSocketAddress> checkedHostEndpoints(NodeRecord node, Register reg) {
        List<InetSocketAddress> ok = new ArrayList<>(reg.hostEndpoints().size());
        for (InetSocketAddress h : reg.hostEndpoints()) {
            InetAddress a = h.getAddress();
            if (!reg.realAddresses().contains(a) || !HostEndpoints.isPrivate(a) || ok.contains(h)) {
                counters.count(DcCounter.BAD_HOST_ENDPOINT);
                LOG.info("event=bad-host-endpoint node={} endpoint={}", node.fqdn, h);
                continue;
            }
            ok.add(h);
        }
        return List.copyOf(ok);
    }

    /**
     * KEEPALIVE: refreshes the binding and answers with the observed address. Returns true when
     * the observed address changed (NAT rebinding): the peers must learn the new mapping.
     */
    boolean onKeepalive(NodeRecord node, InetSocketAddress from, DatagramEndpoint via) {
        Family f = Family.of(from.getAddress());
        NodeRecord.Binding b = node.bindings.get(f);
        if (b == null) {
            counters.count(DcCounter.KEEPALIVE_UNREGISTERED);
            askToRegister(node, Reregister.FAMILY_UNREGISTERED, MessageType.KEEPALIVE, from, via);
            return false;
        }
        boolean moved = !b.observed().equals(from);
        node.bindings.put(f, new NodeRecord.Binding(from, b.natted(), via, loop.nanoTime()));
        outbox.send(via, from, node.assoc.send(), MessageType.KEEPALIVE_ACK, 0, node.keyId,
                buf -> new KeepaliveAck(from).encode(buf));
        return moved;
    }

    /** Number of AS key look-ups running (at most {@link Dc#MAX_PENDING_KEY_LOOKUPS}). */
    int pendingLookups() {
        return pendingLookups.size();
    }

    /**
     * REREGISTER, sealed with the node's key, in answer to an authenticated message ({@code about})
     * that this DC holds no registration for ({@code reason}): the node registers again at once.
     * Only ever sent after the node's message opened with its key, so a forged key id or message
     * gets no answer.
     */
    void askToRegister(NodeRecord node, int reason, int about, InetSocketAddress from, DatagramEndpoint via) {
        counters.count(DcCounter.REREGISTER_SENT);
        LOG.info("event=reregister node={} reason={} about={} from={}", node.fqdn, reason, MessageType.name(about),
                from);
        outbox.send(via, from, node.assoc.send(), MessageType.REREGISTER, 0, node.keyId,
                buf -> new Reregister(reason, about).encode(buf));
    }
}
