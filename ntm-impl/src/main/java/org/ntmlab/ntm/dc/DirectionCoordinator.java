package org.ntmlab.ntm.dc;

import org.ntmlab.ntm.transport.Family;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.as.NodeKey;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.FamilySockets;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.wire.DirectionFailure;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.KeepaliveAck;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.Outbox;
import org.ntmlab.ntm.wire.Register;
import org.ntmlab.ntm.wire.RegisterAck;
import org.ntmlab.ntm.wire.RelayAuthorise;
import org.ntmlab.ntm.wire.RouteDirection;

/**
 * The Direction Coordinator (paper section 3.1): keeps each node's real, mapped and virtual
 * addresses, answers DNS for its domain, decides the path of each pair with {@link PathRules},
 * authorises an RS when a relay is needed, and sends route directions to both ends.
 * Everything runs on one event loop; no input can stop it (malformed or unauthenticated
 * messages are counted in {@link #counters()} and dropped).
 */
public final class DirectionCoordinator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DirectionCoordinator.class.getName());
    /** Retransmission of ROUTE_DIRECTION and RELAY_AUTHORISE until acknowledged. */
    static final long RETRANSMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    static final int MAX_RETRANSMITS = 15;
    /** A relay authorisation lasts this long without renewal. */
    static final int RELAY_LIFETIME_SECONDS = 3600;

    private final DcConfig config;
    private final EventLoop loop;
    private final KeyDirectory keys;
    private final SecureRandom random = new SecureRandom();
    private final VirtualAddressPool pool = new VirtualAddressPool();
    private final Outbox outbox = new Outbox();
    private final ByteBuffer plain = ByteBuffer.allocate(2048);
    private final Map<Family, DatagramEndpoint> endpoints = new EnumMap<>(Family.class);
    private final List<DatagramEndpoint> dnsEndpoints = new ArrayList<>();
    private final DnsResponder dns;

    private final Map<Long, NodeRecord> nodesByKey = new HashMap<>();
    private final Map<String, NodeRecord> nodesByName = new HashMap<>();
    private final Set<Long> pendingLookups = new HashSet<>();
    private final Map<Long, RelayState> relays = new HashMap<>();
    private final Map<Long, PendingTunnel> tunnels = new HashMap<>();
    private final Map<String, PendingTunnel> byRequest = new HashMap<>();
    private final Counters counters = new Counters();

    public DirectionCoordinator(DcConfig config, Network network, EventLoop loop, KeyDirectory keys)
            throws IOException {
        this.config = config;
        this.loop = loop;
        this.keys = keys;
        for (RelayInfo r : config.relays()) {
            relays.put(r.id(), new RelayState(r, Association.of(config.suite(), r.secret(), KeyLabels.DC_TO_RS,
                    KeyLabels.RS_TO_DC)));
        }
        endpoints.putAll(FamilySockets.open(network, config.bindV4(), config.bindV6(), loop, this::onDatagram));
        this.dns = new DnsResponder(config.domain(), this::lookupName, counters);
        for (InetSocketAddress a : config.dnsBind()) {
            dnsEndpoints.add(network.open(a, loop, dns::onDatagram));
        }
    }

    public Counters counters() {
        return counters;
    }

    /** The local address of the signalling socket for {@code f} (tests bind port 0). */
    public InetSocketAddress localAddress(Family f) {
        DatagramEndpoint ep = endpoints.get(f);
        return ep == null ? null : ep.localAddress();
    }

    public List<InetSocketAddress> dnsAddresses() {
        return dnsEndpoints.stream().map(DatagramEndpoint::localAddress).toList();
    }

    /** Registered names and their virtual addresses (from any thread). */
    public CompletableFuture<Map<String, InetAddress[]>> registrations() {
        CompletableFuture<Map<String, InetAddress[]>> f = new CompletableFuture<>();
        loop.execute(() -> {
            Map<String, InetAddress[]> m = new HashMap<>();
            nodesByName.forEach((n, r) -> m.put(n, new InetAddress[] {r.v4, r.v6}));
            f.complete(m);
        });
        return f;
    }

    /** Virtual addresses for a registered name, or null (used by the DNS responder, on the loop). */
    private InetAddress[] lookupName(String fqdn) {
        NodeRecord r = nodesByName.get(fqdn.toLowerCase(Locale.ROOT));
        return r == null ? null : new InetAddress[] {r.v4, r.v6};
    }

    // ---------------------------------------------------------------- receive

    private void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        int at = p.position();
        String bad = NtmHeader.precheck(p, at, p.remaining());
        if (bad != null) {
            counters.count(bad);
            return;
        }
        int type = NtmHeader.type(p, at);
        long id = NtmHeader.id(p, at);
        if (type == MessageType.RELAY_AUTHORISE_ACK) {
            onRelayAck(p, id);
            return;
        }
        NodeRecord node = nodesByKey.get(id);
        if (node == null) {
            if (type == MessageType.REGISTER) {
                fetchKeyThenRetry(p, from, via, id);
            } else {
                counters.count("unknownKey");
            }
            return;
        }
        plain.clear();
        TrafficKey.Result res = node.assoc.receive().open(p, plain);
        if (res != TrafficKey.Result.OK) {
            counters.count(res.name());
            return;
        }
        plain.flip();
        try {
            switch (type) {
                case MessageType.REGISTER -> onRegister(node, Register.decode(plain), from, via);
                case MessageType.KEEPALIVE -> onKeepalive(node, from, via);
                case MessageType.DIRECTION_REQUEST -> onDirectionRequest(node, DirectionRequest.decode(plain));
                case MessageType.ROUTE_DIRECTION_ACK -> onRouteDirectionAck(node,
                        IdBody.decode(plain, "ROUTE_DIRECTION_ACK").value());
                default -> counters.count("unexpectedType");
            }
        } catch (MalformedMessageException e) {
            counters.count("malformed");
            LOG.log(System.Logger.Level.DEBUG, "event=malformed from=" + from + " reason=" + e.getMessage());
        }
    }

    /**
     * First REGISTER under a key id: ask the AS for the key (off the loop), then handle the
     * message again. Unknown ids are remembered only while a lookup runs.
     */
    private void fetchKeyThenRetry(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via, long keyId) {
        if (!pendingLookups.add(keyId) || pendingLookups.size() > 1024) {
            counters.count("lookupBusy");
            return;
        }
        byte[] copy = new byte[p.remaining()];
        p.get(p.position(), copy);
        keys.lookup(keyId).whenComplete((k, err) -> loop.execute(() -> {
            pendingLookups.remove(keyId);
            if (err != null || k == null) {
                counters.count("unknownKey");
                LOG.log(System.Logger.Level.INFO, "event=unknown-key keyId=" + Long.toHexString(keyId)
                        + (err != null ? " error=" + err.getMessage() : ""));
                return;
            }
            if (!nodesByKey.containsKey(keyId)) {
                NodeRecord r = new NodeRecord(k.keyId(), k.fqdn().toLowerCase(Locale.ROOT),
                        Association.of(config.suite(), k.secret(), KeyLabels.DC_TO_NODE, KeyLabels.NODE_TO_DC));
                InetAddress[] v = pool.addressesFor(r.fqdn);
                r.v4 = v[0];
                r.v6 = v[1];
                nodesByKey.put(keyId, r);
            }
            onDatagram(ByteBuffer.wrap(copy), from, via);
        }));
    }

    private void onRegister(NodeRecord node, Register reg, InetSocketAddress from, DatagramEndpoint via) {
        if (!reg.fqdn().equalsIgnoreCase(node.fqdn)) {
            counters.count("fqdnMismatch"); // a key only registers the name the AS bound it to
            return;
        }
        Family f = Family.of(from.getAddress());
        boolean natted = !reg.realAddresses().contains(from.getAddress());
        NodeRecord previous = nodesByName.put(node.fqdn, node);
        if (previous != null && previous != node) {
            nodesByKey.remove(previous.keyId); // a fresh login replaces the old session
        }
        Binding old = node.bindings.get(f);
        boolean moved = old != null && !old.observed.equals(from);
        node.bindings.put(f, new Binding(from, natted, via, loop.nanoTime()));
        // a REGISTER lists every address the node has now: forget families it no longer has
        node.bindings.keySet().removeIf(fam -> fam != f && reg.realAddresses().stream()
                .noneMatch(a -> Family.of(a) == fam));
        counters.count("registered");
        LOG.log(System.Logger.Level.INFO, "event=register node=" + node.fqdn + " family=" + f + " observed=" + from
                + " natted=" + natted + " v4=" + node.v4.getHostAddress() + " v6=" + node.v6.getHostAddress());
        outbox.send(via, from, node.assoc.send(), MessageType.REGISTER_ACK, 0, node.keyId,
                b -> new RegisterAck(node.v4, node.v6, from, config.keepaliveSeconds()).encode(b));
        if (moved) {
            redirectTunnelsOf(node);
        }
    }

    private void onKeepalive(NodeRecord node, InetSocketAddress from, DatagramEndpoint via) {
        Family f = Family.of(from.getAddress());
        Binding b = node.bindings.get(f);
        if (b == null) {
            counters.count("keepaliveUnregistered");
            return;
        }
        boolean moved = !b.observed.equals(from);
        node.bindings.put(f, new Binding(from, b.natted, via, loop.nanoTime()));
        outbox.send(via, from, node.assoc.send(), MessageType.KEEPALIVE_ACK, 0, node.keyId,
                buf -> new KeepaliveAck(from).encode(buf));
        if (moved) {
            redirectTunnelsOf(node); // NAT rebinding: the peers must learn the new mapping
        }
    }

    // ---------------------------------------------------------------- directions

    private void onDirectionRequest(NodeRecord mn, DirectionRequest req) {
        String key = mn.keyId + "/" + req.requestId();
        PendingTunnel existing = byRequest.get(key);
        if (existing != null) { // the MN retransmitted: answer again
            if (existing.directionsSent) {
                sendDirection(existing, true);
            }
            return;
        }
        NodeRecord cn = nodesByName.get(req.peerFqdn().toLowerCase(Locale.ROOT));
        if (cn == null || cn.bindings.isEmpty()) {
            fail(mn, req.requestId(), "no node registered as " + req.peerFqdn());
            return;
        }
        if (cn == mn) {
            fail(mn, req.requestId(), "a node cannot open a tunnel to itself");
            return;
        }
        PathDecision d = PathRules.decide(mn.position(), cn.position());
        RelayState rs = null;
        if (d.relay()) {
            rs = chooseRelay(d.mnFamily(), d.cnFamily());
            if (rs == null) {
                fail(mn, req.requestId(), "no relay server serves " + d.mnFamily() + "<->" + d.cnFamily());
                return;
            }
        }
        PendingTunnel t = new PendingTunnel(newTunnelId(), mn, cn, req.requestId(), d, rs);
        random.nextBytes(t.tunnelSecret);
        if (rs != null) {
            random.nextBytes(t.relaySecret);
            rs.load++;
        }
        tunnels.put(t.id, t);
        byRequest.put(key, t);
        mn.tunnels.add(t);
        cn.tunnels.add(t);
        counters.count(d.relay() ? "directionsRelay" : "directionsDirect");
        LOG.log(System.Logger.Level.INFO, "event=direction mn=" + mn.fqdn + " cn=" + cn.fqdn + " tunnel="
                + Long.toHexString(t.id) + " path=" + (d.relay() ? "relay" : "direct") + " mnFamily=" + d.mnFamily()
                + " cnFamily=" + d.cnFamily() + " optimise=" + d.optimise());
        if (rs != null) {
            authoriseRelay(t, 0);
        } else {
            startDirections(t);
        }
    }

    private void fail(NodeRecord mn, long requestId, String reason) {
        counters.count("directionFailures");
        Binding b = mn.latestBinding();
        outbox.send(b.via, b.observed, mn.assoc.send(), MessageType.DIRECTION_FAILURE, 0, mn.keyId,
                buf -> new DirectionFailure(requestId, reason).encode(buf));
    }

    private RelayState chooseRelay(Family a, Family b) {
        RelayState best = null;
        for (RelayState r : relays.values()) {
            if (r.info.serves(a) && r.info.serves(b) && (best == null || r.load < best.load)) {
                best = r;
            }
        }
        return best;
    }

    private long newTunnelId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || tunnels.containsKey(id));
        return id;
    }

    private void authoriseRelay(PendingTunnel t, int attempt) {
        if (t.relayAuthorised || t.closed) {
            return;
        }
        if (attempt >= MAX_RETRANSMITS) {
            counters.count("relayUnreachable");
            fail(t.mn, t.requestId, "relay server " + t.relay.info.id() + " did not answer");
            return;
        }
        RelayInfo ri = t.relay.info;
        Family f = ri.serves(Family.V4) && endpoints.containsKey(Family.V4) ? Family.V4 : Family.V6;
        DatagramEndpoint via = endpoints.get(f);
        if (via == null || ri.address(f) == null) {
            fail(t.mn, t.requestId, "DC has no socket toward relay server " + ri.id());
            return;
        }
        outbox.send(via, ri.address(f), t.relay.assoc.send(), MessageType.RELAY_AUTHORISE, 0, ri.id(),
                b -> new RelayAuthorise(t.id, t.relaySecret, RELAY_LIFETIME_SECONDS).encode(b));
        loop.schedule(RETRANSMIT_NANOS, () -> authoriseRelay(t, attempt + 1));
    }

    private void onRelayAck(ByteBuffer p, long relayId) {
        RelayState rs = relays.get(relayId);
        if (rs == null) {
            counters.count("unknownRelay");
            return;
        }
        plain.clear();
        TrafficKey.Result res = rs.assoc.receive().open(p, plain);
        if (res != TrafficKey.Result.OK) {
            counters.count(res.name());
            return;
        }
        plain.flip();
        try {
            long tunnelId = IdBody.decode(plain, "RELAY_AUTHORISE_ACK").value();
            PendingTunnel t = tunnels.get(tunnelId);
            if (t != null && !t.relayAuthorised) {
                t.relayAuthorised = true;
                startDirections(t);
            }
        } catch (MalformedMessageException e) {
            counters.count("malformed");
        }
    }

    private void startDirections(PendingTunnel t) {
        t.directionsSent = true;
        t.attempts = 0;
        retransmitDirections(t);
    }

    private void retransmitDirections(PendingTunnel t) {
        if (t.closed || (t.mnAcked && t.cnAcked)) {
            return;
        }
        if (t.attempts++ >= MAX_RETRANSMITS) {
            counters.count("directionTimeouts");
            LOG.log(System.Logger.Level.INFO, "event=direction-timeout tunnel=" + Long.toHexString(t.id)
                    + " mnAcked=" + t.mnAcked + " cnAcked=" + t.cnAcked);
            return;
        }
        if (!t.cnAcked) {
            sendDirection(t, false); // CN first: it must know the tunnel before the MN's request arrives
        }
        if (!t.mnAcked) {
            sendDirection(t, true);
        }
        loop.schedule(RETRANSMIT_NANOS, () -> retransmitDirections(t));
    }

    /** Sends the ROUTE_DIRECTION for one end of {@code t}, computed from both ends' current positions. */
    private void sendDirection(PendingTunnel t, boolean toMn) {
        NodeRecord self = toMn ? t.mn : t.cn;
        NodeRecord peer = toMn ? t.cn : t.mn;
        PathDecision d = t.decision;
        Family selfFamily = toMn ? d.mnFamily() : d.cnFamily();
        Family peerFamily = toMn ? d.cnFamily() : d.mnFamily();
        Binding selfBinding = self.bindings.get(selfFamily);
        Binding peerBinding = peer.bindings.get(peerFamily);
        if (selfBinding == null || peerBinding == null) {
            counters.count("directionStale");
            return;
        }
        boolean selfInitiates = toMn == d.mnInitiates();
        InetSocketAddress endpoint = d.relay() ? t.relay.info.address(selfFamily) : peerBinding.observed;
        InetSocketAddress mapped = d.optimise() ? peerBinding.observed : null;
        RouteDirection rd = new RouteDirection(toMn ? t.requestId : 0, t.id,
                selfInitiates ? RouteDirection.INITIATOR : RouteDirection.RESPONDER,
                d.relay() ? RouteDirection.RELAY : RouteDirection.DIRECT, peer.fqdn, peer.v4, peer.v6, endpoint,
                mapped, t.tunnelSecret, t.relaySecret);
        outbox.send(selfBinding.via, selfBinding.observed, self.assoc.send(), MessageType.ROUTE_DIRECTION, 0,
                self.keyId, rd::encode);
    }

    private void onRouteDirectionAck(NodeRecord node, long tunnelId) {
        PendingTunnel t = tunnels.get(tunnelId);
        if (t == null) {
            counters.count("unknownTunnelAck");
            return;
        }
        if (node == t.mn) {
            t.mnAcked = true;
        } else if (node == t.cn) {
            t.cnAcked = true;
        } else {
            counters.count("foreignTunnelAck");
        }
    }

    /**
     * A node's real address changed (paper section 4.2: re-signalling after a move): decide
     * each of its tunnels again and send fresh directions to both ends. Tunnel ids and keys
     * stay, so the ends' sessions continue.
     */
    private void redirectTunnelsOf(NodeRecord node) {
        node.tunnels.removeIf(t -> t.closed || !tunnels.containsKey(t.id));
        for (PendingTunnel t : node.tunnels) {
            NodeRecord other = t.mn == node ? t.cn : t.mn;
            if (other.bindings.isEmpty() || nodesByKey.get(other.keyId) != other) {
                continue;
            }
            PathDecision d = PathRules.decide(t.mn.position(), t.cn.position());
            if (d.relay() && t.relay == null) {
                t.relay = chooseRelay(d.mnFamily(), d.cnFamily());
                if (t.relay == null) {
                    counters.count("redirectNoRelay");
                    continue;
                }
                random.nextBytes(t.relaySecret);
                t.relay.load++;
            } else if (d.relay() && !(t.relay.info.serves(d.mnFamily()) && t.relay.info.serves(d.cnFamily()))) {
                t.relay = chooseRelay(d.mnFamily(), d.cnFamily());
                if (t.relay == null) {
                    counters.count("redirectNoRelay");
                    continue;
                }
            }
            t.decision = d;
            t.mnAcked = false;
            t.cnAcked = false;
            counters.count("redirects");
            LOG.log(System.Logger.Level.INFO, "event=redirect tunnel=" + Long.toHexString(t.id) + " moved="
                    + node.fqdn + " path=" + (d.relay() ? "relay" : "direct"));
            if (d.relay()) {
                t.relayAuthorised = false;
                authoriseRelay(t, 0);
            } else {
                startDirections(t);
            }
        }
    }

    @Override
    public void close() {
        java.util.Set.copyOf(endpoints.values()).forEach(DatagramEndpoint::close);
        dnsEndpoints.forEach(DatagramEndpoint::close);
    }

    // ---------------------------------------------------------------- state

    /** One family's registration: where the DC saw the node and through which socket. */
    record Binding(InetSocketAddress observed, boolean natted, DatagramEndpoint via, long lastSeenNanos) {
    }

    private static final class NodeRecord {
        final long keyId;
        final String fqdn;
        final Association assoc;
        final Map<Family, Binding> bindings = new EnumMap<>(Family.class);
        final List<PendingTunnel> tunnels = new ArrayList<>();
        InetAddress v4;
        InetAddress v6;

        NodeRecord(long keyId, String fqdn, Association assoc) {
            this.keyId = keyId;
            this.fqdn = fqdn;
            this.assoc = assoc;
        }

        Position position() {
            Position p = new Position();
            bindings.forEach((f, b) -> p.with(f, b.observed, b.natted));
            return p;
        }

        Binding latestBinding() {
            Binding best = null;
            for (Binding b : bindings.values()) {
                if (best == null || b.lastSeenNanos > best.lastSeenNanos) {
                    best = b;
                }
            }
            return best;
        }
    }

    private static final class RelayState {
        final RelayInfo info;
        final Association assoc;
        int load;

        RelayState(RelayInfo info, Association assoc) {
            this.info = info;
            this.assoc = assoc;
        }
    }

    private static final class PendingTunnel {
        final long id;
        final NodeRecord mn;
        final NodeRecord cn;
        final long requestId;
        final byte[] tunnelSecret = new byte[RouteDirection.SECRET_LENGTH];
        final byte[] relaySecret = new byte[RouteDirection.SECRET_LENGTH];
        PathDecision decision;
        RelayState relay;
        boolean relayAuthorised;
        boolean directionsSent;
        boolean mnAcked;
        boolean cnAcked;
        boolean closed;
        int attempts;

        PendingTunnel(long id, NodeRecord mn, NodeRecord cn, long requestId, PathDecision decision,
                      RelayState relay) {
            this.id = id;
            this.mn = mn;
            this.cn = cn;
            this.requestId = requestId;
            this.decision = decision;
            this.relay = relay;
        }
    }
}
