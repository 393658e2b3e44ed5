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

import org.ntmlab.ntm.keys.KeyDirectory;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.FamilySockets;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.wire.DcAck;
import org.ntmlab.ntm.wire.DcAnswer;
import org.ntmlab.ntm.wire.DcDirection;
import org.ntmlab.ntm.wire.DcFailure;
import org.ntmlab.ntm.wire.DcPosition;
import org.ntmlab.ntm.wire.DcQuery;
import org.ntmlab.ntm.wire.DcReach;
import org.ntmlab.ntm.wire.DirectionAck;
import org.ntmlab.ntm.wire.DirectionFailure;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.KeepaliveAck;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.signalling.Outbox;
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
 *
 * <p>Several domains (paper section 3.2; docs/protocol.md "Several domains"): for a peer name of
 * another domain this DC is DCmn. It finds that domain's DC (DCcn) through DNS
 * ({@link DcLocator}), asks it where the CN is (DC_QUERY / DC_ANSWER over {@link DcChannel}),
 * decides the path with the same {@link PathRules} and its own RS, directs the MN itself and the
 * CN through DCcn (DC_DIRECTION). As DCcn it answers such queries for its nodes, hands
 * directions on to them and reports their moves to the tunnel's DCmn (DC_POSITION).
 */
public final class DirectionCoordinator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DirectionCoordinator.class.getName());
    /** Retransmission of ROUTE_DIRECTION and RELAY_AUTHORISE until acknowledged. */
    static final long RETRANSMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    static final int MAX_RETRANSMITS = 15;
    /** A relay authorisation lasts this long without renewal. */
    static final int RELAY_LIFETIME_SECONDS = 3600;
    /** DC_QUERY tries (every {@link #RETRANSMIT_NANOS}): 2.4 s, within the MN's 5 s of DIRECTION_REQUESTs. */
    static final int DC_QUERY_TRIES = 8;

    private final DcConfig config;
    private final EventLoop loop;
    private final KeyDirectory keys;
    private final SecureRandom random = new SecureRandom();
    private final VirtualAddressPool pool;
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
    // inter-domain (null / empty when no peer domain is configured)
    private final DcChannel dcChannel;
    private final DcLocator locator;
    /** As DCmn: requests for a name of another domain, while DNS and DC_QUERY run; by MN key + request id. */
    private final Map<String, RemoteRequest> remoteRequests = new HashMap<>();
    private final Map<Long, RemoteRequest> queries = new HashMap<>();
    /** As DCcn: tunnels another DC owns whose CN is one of our nodes. */
    private final Map<Long, ForeignTunnel> foreign = new HashMap<>();

    public DirectionCoordinator(DcConfig config, Network network, EventLoop loop, KeyDirectory keys)
            throws IOException {
        this.config = config;
        this.pool = new VirtualAddressPool(config.domain());
        this.loop = loop;
        this.keys = keys;
        for (RelayInfo r : config.relays()) {
            relays.put(r.id(), new RelayState(r, Association.longLived(config.suite(), r.secret(), KeyLabels.DC_TO_RS,
                    KeyLabels.RS_TO_DC)));
        }
        endpoints.putAll(FamilySockets.open(network, config.bindV4(), config.bindV6(), loop, this::onDatagram));
        this.dns = new DnsResponder(config.domain(), this::lookupName, counters);
        InterDcConfig inter = config.interDc();
        List<InetSocketAddress> advertise = inter.advertise().isEmpty()
                ? InterDcConfig.advertiseFromBinds(localAddress(Family.V4), localAddress(Family.V6)) : inter.advertise();
        dns.advertise(advertise);
        try {
            for (InetSocketAddress a : config.dnsBind()) {
                dnsEndpoints.add(network.open(a, loop, dns::onDatagram));
            }
            if (inter.peerSecrets().isEmpty()) {
                dcChannel = null;
                locator = null;
            } else {
                dcChannel = new DcChannel(config.domain(), inter.peerSecrets(), config.suite(), random, counters,
                        System::currentTimeMillis, loop::nanoTime);
                locator = new DcLocator(network, loop, inter.resolvers(), endpoints.keySet(), counters, random);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "event=dc-start domain=" + config.domain() + " peers="
                + inter.peerSecrets().keySet() + " resolvers=" + inter.resolvers() + " advertise=" + advertise);
    }

    /** The signalling addresses this DC publishes in its DNS ({@code _ntm-dc._udp.<domain>}). */
    public List<InetSocketAddress> advertisedAddresses() {
        return dns.advertised();
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
        if (MessageType.isDcMessage(type)) {
            onDcMessage(p, type, from, via);
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
                case MessageType.ROUTE_DIRECTION_ACK -> onRouteDirectionAck(node, DirectionAck.decode(plain));
                default -> counters.count("unexpectedType");
            }
        } catch (MalformedMessageException e) {
            counters.count("malformed");
            LOG.log(System.Logger.Level.DEBUG, "event=malformed from=" + from + " reason=" + e.getMessage());
        }
    }

    /**
     * First REGISTER under a key id: ask the AS for the key (off the loop), then handle the
     * message again. Unknown ids are remembered only while a lookup runs. A key for a name of
     * another domain is refused: that name's DC serves it (and answers DNS for it).
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
            if (!config.domain().equals(InterDcConfig.domainOf(k.fqdn()))) {
                counters.count("foreignDomainKey");
                LOG.log(System.Logger.Level.INFO, "event=foreign-domain-key keyId=" + Long.toHexString(keyId)
                        + " fqdn=" + k.fqdn() + " domain=" + config.domain());
                return;
            }
            if (!nodesByKey.containsKey(keyId)) {
                String fqdn = k.fqdn().toLowerCase(Locale.ROOT);
                InetAddress[] v = pool.addressesFor(fqdn);
                nodesByKey.put(keyId, new NodeRecord(k.keyId(), fqdn, v[0], v[1],
                        Association.longLived(config.suite(), k.secret(), KeyLabels.DC_TO_NODE, KeyLabels.NODE_TO_DC)));
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
        String before = node.position().toString();
        boolean known = !node.bindings.isEmpty();
        node.bindings.put(f, new Binding(from, natted, via, loop.nanoTime()));
        // a REGISTER lists every address the node has now: forget families it no longer has
        node.bindings.keySet().removeIf(fam -> fam != f && reg.realAddresses().stream()
                .noneMatch(a -> Family.of(a) == fam));
        boolean moved = known && !before.equals(node.position().toString());
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
        if (remoteRequests.containsKey(key)) {
            return; // the MN retransmitted while we ask DNS and the peer's DC
        }
        String peerName = req.peerFqdn().toLowerCase(Locale.ROOT);
        if (peerName.endsWith(".")) {
            peerName = peerName.substring(0, peerName.length() - 1); // an absolute name (RFC 1035 3.1)
        }
        NodeRecord cn = nodesByName.get(peerName);
        if (cn == null) {
            String domain = InterDcConfig.domainOf(peerName);
            if (domain != null && !domain.equals(config.domain())) {
                startRemote(mn, req.requestId(), peerName, domain, key);
                return;
            }
        }
        if (cn == null || cn.bindings.isEmpty()) {
            fail(mn, req.requestId(), "no node registered as " + req.peerFqdn());
            return;
        }
        if (cn == mn) {
            fail(mn, req.requestId(), "a node cannot open a tunnel to itself");
            return;
        }
        PathDecision d = PathRules.decide(mn.position(), cn.position());
        createTunnel(newTunnelId(), mn, req.requestId(), cn, null, d, key);
    }

    /** Records a tunnel decided here (local CN, or remote CN as DCmn), picks the RS, starts directing. */
    private void createTunnel(long id, NodeRecord mn, long requestId, NodeRecord cn, RemoteEnd remote,
                              PathDecision d, String key) {
        RelayState rs = null;
        if (d.relay()) {
            rs = chooseRelay(d.mnFamily(), d.cnFamily());
            if (rs == null) {
                fail(mn, requestId, "no relay server serves " + d.mnFamily() + "<->" + d.cnFamily());
                return;
            }
        }
        PendingTunnel t = new PendingTunnel(id, mn, cn, remote, requestId, d, rs);
        random.nextBytes(t.tunnelSecret);
        if (rs != null) {
            random.nextBytes(t.relaySecret);
            rs.load++;
        }
        tunnels.put(t.id, t);
        byRequest.put(key, t);
        mn.tunnels.add(t);
        if (cn != null) {
            cn.tunnels.add(t);
        }
        counters.count(d.relay() ? "directionsRelay" : "directionsDirect");
        LOG.log(System.Logger.Level.INFO, "event=direction mn=" + mn.fqdn + " cn=" + t.cnEnd().fqdn + " tunnel="
                + Long.toHexString(t.id) + " path=" + (d.relay() ? "relay" : "direct") + " mnFamily=" + d.mnFamily()
                + " cnFamily=" + d.cnFamily() + " optimise=" + d.optimise()
                + (remote != null ? " cnDc=" + remote.peer.domain : ""));
        if (rs != null) {
            authoriseRelay(t, 0);
        } else {
            startDirections(t);
        }
    }

    private void fail(NodeRecord mn, long requestId, String reason) {
        counters.count("directionFailures");
        LOG.log(System.Logger.Level.INFO, "event=direction-failure mn=" + mn.fqdn + " request=" + requestId
                + " reason=\"" + reason + "\"");
        Binding b = mn.latestBinding();
        if (b == null) {
            return;
        }
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
        } while (id == 0 || tunnels.containsKey(id) || foreign.containsKey(id));
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
        if (t.retransmit != null) {
            t.retransmit.cancel();
        }
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
        t.retransmit = loop.schedule(RETRANSMIT_NANOS, () -> retransmitDirections(t));
    }

    /**
     * The ROUTE_DIRECTION for one end of {@code t}, computed from both ends' current positions
     * (for a remote CN: the position its DC reported last), or null when an end lost the family.
     */
    private RouteDirection directionFor(PendingTunnel t, boolean toMn) {
        End self = toMn ? t.mn : t.cnEnd();
        End peer = toMn ? t.cnEnd() : t.mn;
        PathDecision d = t.decision;
        Family selfFamily = toMn ? d.mnFamily() : d.cnFamily();
        Family peerFamily = toMn ? d.cnFamily() : d.mnFamily();
        Position.Reach selfReach = self.position().get(selfFamily);
        Position.Reach peerReach = peer.position().get(peerFamily);
        if (selfReach == null || peerReach == null) {
            counters.count("directionStale");
            return null;
        }
        boolean selfOpens = toMn == d.mnInitiates();
        InetSocketAddress endpoint = d.relay() ? t.relay.info.address(selfFamily) : peerReach.observed();
        InetSocketAddress mapped = d.optimise() ? peerReach.observed() : null;
        return new RouteDirection(toMn ? t.requestId : 0, t.id, t.generation,
                toMn ? RouteDirection.INITIATOR : RouteDirection.RESPONDER, selfOpens,
                d.relay() ? RouteDirection.RELAY : RouteDirection.DIRECT, peer.fqdn, peer.v4, peer.v6,
                endpoint, mapped, t.tunnelSecret, t.relaySecret);
    }

    /** Sends the direction for one end of {@code t}: to a local node, or through the CN's DC. */
    private void sendDirection(PendingTunnel t, boolean toMn) {
        RouteDirection rd = directionFor(t, toMn);
        if (rd == null) {
            return;
        }
        if (!toMn && t.remote != null) {
            RemoteEnd r = t.remote;
            DatagramEndpoint via = endpoints.get(Family.of(r.dcAddress.getAddress()));
            int family = t.decision.cnFamily() == Family.V4 ? 4 : 6;
            if (via != null) {
                dcChannel.send(via, r.dcAddress, r.peer, MessageType.DC_DIRECTION,
                        b -> new DcDirection(family, r.fqdn, rd).encode(b));
            }
            return;
        }
        NodeRecord self = toMn ? t.mn : t.cn;
        Binding b = self.bindings.get(toMn ? t.decision.mnFamily() : t.decision.cnFamily());
        outbox.send(b.via, b.observed, self.assoc.send(), MessageType.ROUTE_DIRECTION, 0, self.keyId, rd::encode);
    }

    private void onRouteDirectionAck(NodeRecord node, DirectionAck ack) {
        PendingTunnel t = tunnels.get(ack.tunnelId());
        if (t == null) {
            ForeignTunnel ft = foreign.get(ack.tunnelId());
            if (ft != null) {
                onForeignDirectionAck(node, ft, ack);
            } else {
                counters.count("unknownTunnelAck");
            }
            return;
        }
        if (ack.generation() != t.generation) {
            counters.count("staleDirectionAck");
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
     * stay, so the ends' sessions continue. For tunnels another DC owns (this node is their CN),
     * report the new position to that DC, which decides.
     */
    private void redirectTunnelsOf(NodeRecord node) {
        node.foreign.removeIf(ft -> ft.closed);
        for (ForeignTunnel ft : node.foreign) {
            reportPosition(ft);
        }
        node.tunnels.removeIf(t -> t.closed || !tunnels.containsKey(t.id));
        for (PendingTunnel t : node.tunnels) {
            if (t.remote == null) {
                NodeRecord other = t.mn == node ? t.cn : t.mn;
                if (other.bindings.isEmpty() || nodesByKey.get(other.keyId) != other) {
                    continue;
                }
            }
            redirect(t, node.fqdn);
        }
    }

    /** Decides {@code t} again from both ends' current positions and directs both (generation + 1). */
    private void redirect(PendingTunnel t, String moved) {
        if (t.closed || t.mn.bindings.isEmpty() || t.cnEnd().position().anyFamily() == null) {
            return;
        }
        PathDecision d = PathRules.decide(t.mn.position(), t.cnEnd().position());
        if (d.relay() && t.relay == null) {
            t.relay = chooseRelay(d.mnFamily(), d.cnFamily());
            if (t.relay == null) {
                counters.count("redirectNoRelay");
                return;
            }
            random.nextBytes(t.relaySecret);
            t.relay.load++;
        } else if (d.relay() && !(t.relay.info.serves(d.mnFamily()) && t.relay.info.serves(d.cnFamily()))) {
            t.relay = chooseRelay(d.mnFamily(), d.cnFamily());
            if (t.relay == null) {
                counters.count("redirectNoRelay");
                return;
            }
        }
        t.decision = d;
        t.generation++;
        t.mnAcked = false;
        t.cnAcked = false;
        counters.count("redirects");
        LOG.log(System.Logger.Level.INFO, "event=redirect tunnel=" + Long.toHexString(t.id) + " moved="
                + moved + " path=" + (d.relay() ? "relay" : "direct"));
        if (d.relay()) {
            t.relayAuthorised = false;
            authoriseRelay(t, 0);
        } else {
            startDirections(t);
        }
    }

    // ---------------------------------------------------------------- inter-domain, as DCmn

    /** A DIRECTION_REQUEST for a name of {@code domain}, another domain: find its DC, then ask it. */
    private void startRemote(NodeRecord mn, long requestId, String cnName, String domain, String key) {
        DcChannel.Peer peer = dcChannel == null ? null : dcChannel.peer(domain);
        if (peer == null) {
            counters.count("noPeerSecret");
            fail(mn, requestId, "no inter-DC secret for domain " + domain + " (ntm dc --peer " + domain
                    + "=SECRET), so " + cnName + " cannot be reached from " + config.domain());
            return;
        }
        RemoteRequest rr = new RemoteRequest(mn, requestId, cnName, domain, peer, key);
        remoteRequests.put(key, rr);
        counters.count("remoteRequests");
        LOG.log(System.Logger.Level.INFO, "event=remote-request mn=" + mn.fqdn + " cn=" + cnName + " domain=" + domain);
        locator.locate(domain, (addresses, error) -> {
            if (rr.done) {
                return;
            }
            if (error != null) {
                remoteFail(rr, error);
                return;
            }
            rr.dcAddresses = addresses;
            rr.tunnelId = newTunnelId();
            long q;
            do {
                q = random.nextLong();
            } while (q == 0 || queries.containsKey(q));
            rr.queryId = q;
            queries.put(q, rr);
            sendQuery(rr);
        });
    }

    private void sendQuery(RemoteRequest rr) {
        if (rr.done) {
            return;
        }
        if (rr.attempts >= DC_QUERY_TRIES) {
            locator.forget(rr.domain); // it may have moved: ask DNS again next time
            counters.count("dcQueryTimeouts");
            remoteFail(rr, "DC of " + rr.domain + " at " + rr.dcAddresses + " did not answer (down, or it has no "
                    + "secret for " + config.domain() + ")");
            return;
        }
        InetSocketAddress to = rr.dcAddresses.get(rr.attempts++ % rr.dcAddresses.size());
        DatagramEndpoint via = endpoints.get(Family.of(to.getAddress()));
        if (via != null) {
            dcChannel.send(via, to, rr.peer, MessageType.DC_QUERY,
                    b -> new DcQuery(rr.queryId, rr.tunnelId, rr.mn.fqdn, rr.cnFqdn).encode(b));
        }
        rr.timer = loop.schedule(RETRANSMIT_NANOS, () -> sendQuery(rr));
    }

    private void remoteFail(RemoteRequest rr, String reason) {
        finish(rr);
        counters.count("remoteFailures");
        fail(rr.mn, rr.requestId, reason);
    }

    private void finish(RemoteRequest rr) {
        rr.done = true;
        if (rr.timer != null) {
            rr.timer.cancel();
        }
        remoteRequests.remove(rr.key);
        queries.remove(rr.queryId);
    }

    private void onDcAnswer(DcChannel.Peer peer, DcAnswer a, InetSocketAddress from) {
        RemoteRequest rr = queries.get(a.queryId());
        if (rr == null || rr.done || rr.peer != peer) {
            counters.count("dcUnexpectedAnswer"); // a late duplicate, most likely
            return;
        }
        finish(rr);
        NodeRecord mn = rr.mn;
        if (nodesByKey.get(mn.keyId) != mn || mn.bindings.isEmpty()) {
            counters.count("remoteMnGone");
            return;
        }
        if (tunnels.containsKey(rr.tunnelId) || foreign.containsKey(rr.tunnelId)) {
            remoteFail(rr, "tunnel id collision, please retry");
            return;
        }
        RemoteEnd cn = new RemoteEnd(rr.cnFqdn, a.cnV4(), a.cnV6(), position(a.position()), peer, from);
        LOG.log(System.Logger.Level.INFO, "event=dc-answer cn=" + cn.fqdn + " dc=" + peer.domain + " at=" + from
                + " position=" + cn.position);
        createTunnel(rr.tunnelId, mn, rr.requestId, null, cn, PathRules.decide(mn.position(), cn.position), rr.key);
    }

    private void onDcDirectionAck(DcChannel.Peer peer, DcAck ack) {
        PendingTunnel t = tunnels.get(ack.tunnelId());
        if (t == null || t.remote == null || t.remote.peer != peer) {
            counters.count("dcUnexpectedAck");
            return;
        }
        if (ack.value() != t.generation) {
            counters.count("staleDirectionAck");
            return;
        }
        t.cnAcked = true;
    }

    /** The CN of a tunnel we own moved (its DC tells us): store the position, ack, re-direct. */
    private void onDcPosition(DcChannel.Peer peer, DcPosition m, InetSocketAddress from, DatagramEndpoint via) {
        PendingTunnel t = tunnels.get(m.tunnelId());
        if (t == null || t.closed || t.remote == null || t.remote.peer != peer) {
            sendDcFailure(peer, from, via, MessageType.DC_POSITION, m.tunnelId(), "no tunnel "
                    + Long.toHexString(m.tunnelId()) + " of yours here");
            return;
        }
        RemoteEnd r = t.remote;
        r.dcAddress = from;
        dcChannel.send(via, from, peer, MessageType.DC_POSITION_ACK, b -> new DcAck(m.tunnelId(), m.sequence()).encode(b));
        if (m.sequence() <= r.positionSequence) {
            counters.count("dcStalePosition"); // a retransmission, or overtaken by a newer one
            return;
        }
        r.positionSequence = m.sequence();
        Position now = position(m.position());
        if (now.toString().equals(r.position.toString())) {
            counters.count("dcPositionUnchanged");
            return;
        }
        r.position = now;
        counters.count("dcPositions");
        LOG.log(System.Logger.Level.INFO, "event=dc-position tunnel=" + Long.toHexString(t.id) + " cn=" + r.fqdn
                + " position=" + r.position);
        redirect(t, r.fqdn);
    }

    // ---------------------------------------------------------------- inter-domain, as DCcn

    private void onDcQuery(DcChannel.Peer peer, DcQuery q, InetSocketAddress from, DatagramEndpoint via) {
        String cnName = q.cnFqdn().toLowerCase(Locale.ROOT);
        NodeRecord cn = nodesByName.get(cnName);
        ForeignTunnel ft = foreign.get(q.tunnelId());
        String reason = null;
        if (!peer.domain.equals(InterDcConfig.domainOf(q.mnFqdn()))) {
            reason = "DC of " + peer.domain + " cannot ask for " + q.mnFqdn() + ", a name of another domain";
        } else if (!config.domain().equals(InterDcConfig.domainOf(cnName))) {
            reason = q.cnFqdn() + " is not in " + config.domain();
        } else if (cn == null || cn.bindings.isEmpty()) {
            reason = "no node registered as " + q.cnFqdn();
        } else if (tunnels.containsKey(q.tunnelId()) || ft != null && ft.owner != peer) {
            reason = "tunnel id " + Long.toHexString(q.tunnelId()) + " is in use here";
        }
        if (reason != null) {
            counters.count("dcQueriesRefused");
            sendDcFailure(peer, from, via, MessageType.DC_QUERY, q.queryId(), reason);
            return;
        }
        counters.count("dcQueriesAnswered");
        List<DcReach> position = reaches(cn);
        dcChannel.send(via, from, peer, MessageType.DC_ANSWER,
                b -> new DcAnswer(q.queryId(), cn.v4, cn.v6, position).encode(b));
    }

    /** DCmn's direction for our CN: hand it on, sealed with the CN's key (paper 3.2: "through DCcn"). */
    private void onDcDirection(DcChannel.Peer peer, DcDirection m, InetSocketAddress from, DatagramEndpoint via) {
        RouteDirection rd = m.direction();
        long id = rd.tunnelId();
        String cnName = m.cnFqdn().toLowerCase(Locale.ROOT);
        NodeRecord cn = nodesByName.get(cnName);
        ForeignTunnel ft = foreign.get(id);
        String reason = null;
        if (rd.role() != RouteDirection.RESPONDER || rd.requestId() != 0) {
            reason = "a CN's direction must have role responder and request id 0";
        } else if (!peer.domain.equals(InterDcConfig.domainOf(rd.peerFqdn()))) {
            reason = "DC of " + peer.domain + " cannot direct toward " + rd.peerFqdn() + ", a name of another domain";
        } else if (cn == null || cn.bindings.isEmpty()) {
            reason = "no node registered as " + m.cnFqdn();
        } else if (tunnels.containsKey(id) || ft != null && (ft.owner != peer || !ft.cn.fqdn.equals(cnName))) {
            reason = "tunnel id " + Long.toHexString(id) + " is in use here";
        }
        if (reason != null) {
            counters.count("dcDirectionsRefused");
            sendDcFailure(peer, from, via, MessageType.DC_DIRECTION, id, reason);
            return;
        }
        if (ft == null) {
            ft = new ForeignTunnel(id, peer, cn);
            foreign.put(id, ft);
            counters.count("foreignTunnels");
            LOG.log(System.Logger.Level.INFO, "event=foreign-tunnel tunnel=" + Long.toHexString(id) + " cn=" + cnName
                    + " mn=" + rd.peerFqdn() + " dc=" + peer.domain);
        }
        if (ft.cn != cn) {
            ft.cn = cn; // the CN logged in again: same name, new session
        }
        if (!cn.foreign.contains(ft)) {
            cn.foreign.add(ft);
        }
        ft.ownerAddress = from;
        ft.via = via;
        if (rd.generation() < ft.generation) {
            counters.count("dcStaleDirection");
            return;
        }
        if (rd.generation() == ft.generation && ft.cnAcked) {
            sendForeignAck(ft); // our ack was lost
            return;
        }
        if (rd.generation() != ft.generation) {
            ft.generation = rd.generation();
            ft.cnAcked = false;
        }
        Binding b = cn.bindings.get(m.cnFamily() == 4 ? Family.V4 : Family.V6);
        if (b == null) {
            counters.count("directionStale"); // the CN left that family; its new position is on the way
            return;
        }
        outbox.send(b.via, b.observed, cn.assoc.send(), MessageType.ROUTE_DIRECTION, 0, cn.keyId, rd::encode);
    }

    private void onForeignDirectionAck(NodeRecord node, ForeignTunnel ft, DirectionAck ack) {
        if (node != ft.cn) {
            counters.count("foreignTunnelAck");
            return;
        }
        if (ack.generation() != ft.generation) {
            counters.count("staleDirectionAck");
            return;
        }
        ft.cnAcked = true;
        sendForeignAck(ft);
    }

    private void sendForeignAck(ForeignTunnel ft) {
        long gen = ft.generation;
        dcChannel.send(ft.via, ft.ownerAddress, ft.owner, MessageType.DC_DIRECTION_ACK,
                b -> new DcAck(ft.id, gen).encode(b));
    }

    /** Our CN of a tunnel another DC owns moved: tell that DC (sequence + 1) until it acks. */
    private void reportPosition(ForeignTunnel ft) {
        ft.positionSequence++;
        ft.positionAttempts = 0;
        if (ft.positionTimer != null) {
            ft.positionTimer.cancel();
        }
        sendPosition(ft);
    }

    private void sendPosition(ForeignTunnel ft) {
        if (ft.closed || ft.positionAcked == ft.positionSequence) {
            return;
        }
        if (ft.positionAttempts++ >= MAX_RETRANSMITS) {
            counters.count("dcPositionTimeouts");
            LOG.log(System.Logger.Level.INFO, "event=dc-position-timeout tunnel=" + Long.toHexString(ft.id) + " dc="
                    + ft.owner.domain);
            return;
        }
        List<DcReach> position = reaches(ft.cn);
        if (!position.isEmpty()) {
            long seq = ft.positionSequence;
            dcChannel.send(ft.via, ft.ownerAddress, ft.owner, MessageType.DC_POSITION,
                    b -> new DcPosition(ft.id, seq, position).encode(b));
        }
        ft.positionTimer = loop.schedule(RETRANSMIT_NANOS, () -> sendPosition(ft));
    }

    private void onDcPositionAck(DcChannel.Peer peer, DcAck ack) {
        ForeignTunnel ft = foreign.get(ack.tunnelId());
        if (ft == null || ft.owner != peer) {
            counters.count("dcUnexpectedAck");
            return;
        }
        if (ack.value() == ft.positionSequence) {
            ft.positionAcked = ack.value();
            if (ft.positionTimer != null) {
                ft.positionTimer.cancel();
            }
        }
    }

    // ---------------------------------------------------------------- inter-domain, both

    private void onDcMessage(ByteBuffer p, int type, InetSocketAddress from, DatagramEndpoint via) {
        if (dcChannel == null) {
            counters.count("dcNoPeers"); // no peer domain configured: nobody can talk to us
            return;
        }
        DcChannel.Peer peer = dcChannel.open(p, plain);
        if (peer == null) {
            return; // counted by the channel
        }
        try {
            switch (type) {
                case MessageType.DC_QUERY -> onDcQuery(peer, DcQuery.decode(plain), from, via);
                case MessageType.DC_ANSWER -> onDcAnswer(peer, DcAnswer.decode(plain), from);
                case MessageType.DC_DIRECTION -> onDcDirection(peer, DcDirection.decode(plain), from, via);
                case MessageType.DC_DIRECTION_ACK -> onDcDirectionAck(peer, DcAck.decode(plain, "DC_DIRECTION_ACK"));
                case MessageType.DC_POSITION -> onDcPosition(peer, DcPosition.decode(plain), from, via);
                case MessageType.DC_POSITION_ACK -> onDcPositionAck(peer, DcAck.decode(plain, "DC_POSITION_ACK"));
                case MessageType.DC_FAILURE -> onDcFailure(peer, DcFailure.decode(plain));
                default -> counters.count("dcUnexpected");
            }
        } catch (MalformedMessageException e) {
            counters.count("dcMalformed");
            LOG.log(System.Logger.Level.DEBUG, "event=dc-malformed from=" + from + " peer=" + peer.domain + " reason="
                    + e.getMessage());
        }
    }

    private void sendDcFailure(DcChannel.Peer peer, InetSocketAddress to, DatagramEndpoint via, int about, long id,
                               String reason) {
        LOG.log(System.Logger.Level.INFO, "event=dc-refused peer=" + peer.domain + " about="
                + MessageType.name(about) + " id=" + Long.toHexString(id) + " reason=\"" + reason + "\"");
        dcChannel.send(via, to, peer, MessageType.DC_FAILURE, b -> new DcFailure(about, id, reason).encode(b));
    }

    private void onDcFailure(DcChannel.Peer peer, DcFailure f) {
        LOG.log(System.Logger.Level.INFO, "event=dc-failure peer=" + peer.domain + " about="
                + MessageType.name(f.about()) + " id=" + Long.toHexString(f.id()) + " reason=\"" + f.reason() + "\"");
        switch (f.about()) {
            case MessageType.DC_QUERY -> {
                RemoteRequest rr = queries.get(f.id());
                if (rr != null && rr.peer == peer && !rr.done) {
                    remoteFail(rr, "DC of " + rr.domain + ": " + f.reason());
                } else {
                    counters.count("dcUnexpectedFailure");
                }
            }
            case MessageType.DC_DIRECTION -> {
                PendingTunnel t = tunnels.get(f.id());
                if (t != null && t.remote != null && t.remote.peer == peer) {
                    t.closed = true;
                    if (t.retransmit != null) {
                        t.retransmit.cancel();
                    }
                    tunnels.remove(t.id);
                    counters.count("dcDirectionRefused");
                    fail(t.mn, t.requestId, "DC of " + peer.domain + ": " + f.reason());
                } else {
                    counters.count("dcUnexpectedFailure");
                }
            }
            default -> { // DC_POSITION: the owner no longer has the tunnel
                ForeignTunnel ft = foreign.get(f.id());
                if (ft != null && ft.owner == peer) {
                    ft.closed = true;
                    if (ft.positionTimer != null) {
                        ft.positionTimer.cancel();
                    }
                    foreign.remove(ft.id);
                    ft.cn.foreign.remove(ft);
                } else {
                    counters.count("dcUnexpectedFailure");
                }
            }
        }
    }

    private static List<DcReach> reaches(NodeRecord n) {
        List<DcReach> out = new ArrayList<>(2);
        for (Family f : Family.values()) {
            Binding b = n.bindings.get(f);
            if (b != null) {
                out.add(new DcReach(b.observed, b.natted));
            }
        }
        return out;
    }

    private static Position position(List<DcReach> reaches) {
        Position p = new Position();
        for (DcReach r : reaches) {
            p.with(Family.of(r.observed().getAddress()), r.observed(), r.natted());
        }
        return p;
    }

    @Override
    public void close() {
        java.util.Set.copyOf(endpoints.values()).forEach(DatagramEndpoint::close);
        dnsEndpoints.forEach(DatagramEndpoint::close);
        if (locator != null) {
            locator.close();
        }
    }

    // ---------------------------------------------------------------- state

    /** One family's registration: where the DC saw the node and through which socket. */
    record Binding(InetSocketAddress observed, boolean natted, DatagramEndpoint via, long lastSeenNanos) {
    }

    /**
     * One end of a tunnel as the path rules and directions see it: a local node or a remote CN.
     * Name and virtual addresses are fixed for the end's life (a DC hands them out once per name);
     * only the position changes: a node's with its REGISTERs, a remote CN's with its DC's reports.
     */
    private abstract static class End {
        final String fqdn;
        final InetAddress v4;
        final InetAddress v6;

        End(String fqdn, InetAddress v4, InetAddress v6) {
            this.fqdn = fqdn;
            this.v4 = v4;
            this.v6 = v6;
        }

        abstract Position position();
    }

    private static final class NodeRecord extends End {
        final long keyId;
        final Association assoc;
        final Map<Family, Binding> bindings = new EnumMap<>(Family.class);
        final List<PendingTunnel> tunnels = new ArrayList<>();
        /** Tunnels other DCs own whose CN this node is. */
        final List<ForeignTunnel> foreign = new ArrayList<>();

        NodeRecord(long keyId, String fqdn, InetAddress v4, InetAddress v6, Association assoc) {
            super(fqdn, v4, v6);
            this.keyId = keyId;
            this.assoc = assoc;
        }

        /** From the bindings: where the DC saw the node last, per family. */
        @Override
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

    /** As DCmn: the CN of a tunnel, registered at another domain's DC, as that DC last described it. */
    private static final class RemoteEnd extends End {
        final DcChannel.Peer peer;
        Position position;
        long positionSequence;
        InetSocketAddress dcAddress;

        RemoteEnd(String fqdn, InetAddress v4, InetAddress v6, Position position, DcChannel.Peer peer,
                  InetSocketAddress dcAddress) {
            super(fqdn, v4, v6);
            this.position = position;
            this.peer = peer;
            this.dcAddress = dcAddress;
        }

        /** As the CN's DC reported it last (DC_ANSWER, then DC_POSITION). */
        @Override
        Position position() {
            return position;
        }
    }

    /** As DCmn: a DIRECTION_REQUEST for a name of another domain, while DNS and DC_QUERY run. */
    private static final class RemoteRequest {
        final NodeRecord mn;
        final long requestId;
        final String cnFqdn;
        final String domain;
        final DcChannel.Peer peer;
        final String key;
        List<InetSocketAddress> dcAddresses;
        long queryId;
        long tunnelId;
        int attempts;
        boolean done;
        EventLoop.Timer timer;

        RemoteRequest(NodeRecord mn, long requestId, String cnFqdn, String domain, DcChannel.Peer peer, String key) {
            this.mn = mn;
            this.requestId = requestId;
            this.cnFqdn = cnFqdn;
            this.domain = domain;
            this.peer = peer;
            this.key = key;
        }
    }

    /** As DCcn: a tunnel another DC owns whose CN is ours. */
    private static final class ForeignTunnel {
        final long id;
        final DcChannel.Peer owner;
        NodeRecord cn;
        InetSocketAddress ownerAddress;
        DatagramEndpoint via;
        long generation = -1;
        boolean cnAcked;
        long positionSequence;
        long positionAcked;
        int positionAttempts;
        EventLoop.Timer positionTimer;
        boolean closed;

        ForeignTunnel(long id, DcChannel.Peer owner, NodeRecord cn) {
            this.id = id;
            this.owner = owner;
            this.cn = cn;
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
        /** The CN when it is ours; null when it lives at another DC ({@link #remote}). */
        final NodeRecord cn;
        final RemoteEnd remote;
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
        long generation;
        EventLoop.Timer retransmit;

        PendingTunnel(long id, NodeRecord mn, NodeRecord cn, RemoteEnd remote, long requestId, PathDecision decision,
                      RelayState relay) {
            this.id = id;
            this.mn = mn;
            this.cn = cn;
            this.remote = remote;
            this.requestId = requestId;
            this.decision = decision;
            this.relay = relay;
        }

        End cnEnd() {
            return cn != null ? cn : remote;
        }
    }
}
