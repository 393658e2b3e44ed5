package org.ntmlab.ntm.node;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.stack.Ip;
import org.ntmlab.ntm.stack.VirtualStack;
import org.ntmlab.ntm.stack.tcp.TcpConfig;
import org.ntmlab.ntm.stack.tcp.TcpLayer;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Network;
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
import org.ntmlab.ntm.wire.RouteDirection;
import org.ntmlab.ntm.wire.TunnelHello;

/**
 * An NTM node: the NTMfw library inside an application (paper section 4). It registers with
 * its DC, turns name resolution of a peer into NTM signalling, and carries the virtual
 * stack's packets through encrypted UDP tunnels, directly or via an RS. When its real
 * addresses change it re-registers and its tunnels follow, while application sockets,
 * bound to virtual addresses, stay as they are (paper section 4.2).
 *
 * <p>All state lives on one {@link EventLoop}; public methods may be called from any thread.
 */
public final class NtmNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NtmNode.class.getName());

    /** Signalling retransmission (docs/protocol.md, "State machines"). */
    static final long REGISTER_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * First REGISTER retry, doubled up to {@link #REGISTER_RETRY_NANOS}: right after a move the
     * first REGISTER often leaves before DHCP has installed the default route (seen in the
     * Docker lab), so the next try must come soon.
     */
    static final long REGISTER_FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(30);
    static final int REGISTER_TRIES = 20;
    static final long DIRECTION_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long TUNNEL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int MAX_TRIES = 10;
    static final int PROBE_TRIES = 10;
    /**
     * PROBE nonce of the move notice (docs/protocol.md "Moves"): keepalive probes carry 0,
     * route-optimisation probes a random nonce; 1 says "my address changed, the path works
     * again", so the receiver's TCP resends at once rather than at its backed-off timer.
     */
    static final long RESUME_NONCE = 1;
    /** Virtual UDP and TCP port of the built-in echo service (RFC 862). */
    public static final int ECHO_PORT = 7;
    /** Real-network MTU the tunnel is sized for: inner TCP segments fit one Ethernet frame. */
    public static final int TUNNEL_LINK_MTU = 1500;
    static final int RESOLVE_TIMEOUT_S = 10;

    private final NodeConfig config;
    private final Network network;
    private final EventLoop loop;
    private final NodeKey key;
    private final Association dcKeys;
    private final SecureRandom random = new SecureRandom();
    private final Outbox outbox = new Outbox();
    // heap buffers: javax.crypto copies direct buffers through temporary arrays (ntm-bench gc profile)
    private final ByteBuffer plain = ByteBuffer.allocate(2048);
    private final ByteBuffer tx = ByteBuffer.allocate(2048);
    private final VirtualStack stack;
    private final TcpLayer tcp;
    private final TunnelTable tunnels = new TunnelTable();
    private final Map<Family, DatagramEndpoint> endpoints = new EnumMap<>(Family.class);
    private DatagramEndpoint shared;
    private final Map<Family, InetSocketAddress> observed = new EnumMap<>(Family.class);
    private final Map<Long, PendingResolve> pending = new HashMap<>();
    private final Counters counters = new Counters();
    private final List<Consumer<String>> eventListeners = new ArrayList<>();

    private CompletableFuture<Void> registered = new CompletableFuture<>();
    private EventLoop.Timer registerTimer;
    private EventLoop.Timer keepaliveTimer;
    private int registerTries;
    private int keepaliveSeconds = 10;
    private long nextRequestId = 1;
    private volatile InetAddress virtualV4;
    private volatile InetAddress virtualV6;
    private volatile boolean closed;
    /** Whether every datagram of the last REGISTER was taken by the network (no "unreachable"). */
    private boolean lastRegisterLeft;

    public NtmNode(NodeConfig config, NodeKey key, Network network, EventLoop loop) {
        this.config = config;
        this.key = key;
        this.network = network;
        this.loop = loop;
        this.dcKeys = Association.longLived(config.suite(), key.secret(), KeyLabels.NODE_TO_DC, KeyLabels.DC_TO_NODE);
        this.stack = new VirtualStack(this::sendInner);
        this.tcp = new TcpLayer(loop, TcpConfig.builder().tunnelMtu(TUNNEL_LINK_MTU).build(),
                (src, dst, segment) -> stack.sendTransport(Ip.PROTO_TCP, src, dst, segment), stack::sourceFor);
        stack.setTcp(tcp::onSegment);
    }

    /** The virtual TCP layer (RFC 9293); sockets: {@code new NtmSocket(node.tcp(), node.resolver(), host, port)}. */
    public TcpLayer tcp() {
        return tcp;
    }

    /**
     * Name resolution for sockets: a peer FQDN (optionally suffixed /6 for IPv6) to its
     * virtual address via NTM signalling; a literal address as itself; null when unknown.
     * Blocks: call from application threads, not the loop.
     */
    public Function<String, InetAddress> resolver() {
        return host -> {
            try {
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return InetAddress.getByName(host);
                }
                boolean six = host.endsWith("/6");
                String fqdn = six || host.endsWith("/4") ? host.substring(0, host.length() - 2) : host;
                TunnelInfo t = resolve(fqdn).get(RESOLVE_TIMEOUT_S, TimeUnit.SECONDS);
                return six ? t.peerVirtualV6() : t.peerVirtualV4();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) {
                return null;
            }
        };
    }

    public String fqdn() {
        return key.fqdn();
    }

    public EventLoop loop() {
        return loop;
    }

    /** The virtual stack; use on {@link #loop()} only (sockets do). */
    public VirtualStack stack() {
        return stack;
    }

    public Counters counters() {
        return counters;
    }

    public InetAddress virtualV4() {
        return virtualV4;
    }

    public InetAddress virtualV6() {
        return virtualV6;
    }

    /** Called with one key=value line per signalling event (for the lab's handover timeline). */
    public void onEvent(Consumer<String> listener) {
        loop.execute(() -> eventListeners.add(listener));
    }

    private void event(String line) {
        java.time.Instant now = java.time.Instant.now();
        String full = "ts=" + now.getEpochSecond() + "." + String.format("%06d", now.getNano() / 1000) + " node="
                + key.fqdn() + " " + line;
        LOG.log(System.Logger.Level.DEBUG, full);
        for (Consumer<String> l : eventListeners) {
            l.accept(full);
        }
    }

    // ---------------------------------------------------------------- registration

    /**
     * Opens the real sockets and registers with the DC (paper section 3.2). Completes when
     * the DC has acknowledged on at least one IP family, with the virtual addresses set.
     */
    public CompletableFuture<Void> start() {
        loop.execute(() -> {
            stack.bindUdp(ECHO_PORT, (src, srcPort, dst, payload) -> stack.sendUdp(ECHO_PORT, src, srcPort, payload));
            TcpEchoService.start(tcp, ECHO_PORT);
            openEndpoints();
            registerNow();
        });
        return registered;
    }

    /** Real addresses changed (a move): fix sockets per family and register again at once. */
    public void addressesChanged() {
        loop.execute(() -> {
            event("event=address-added addresses=" + addressList());
            openEndpoints();
            registerTries = 0;
            if (registered.isDone()) {
                registered = new CompletableFuture<>();
            }
            registerNow();
            resumeTunnels();
        });
    }

    /**
     * A route appeared (netlink RTM_NEWROUTE). After a DHCP lease the default route follows
     * the address by a few milliseconds, and what the node sent in between (REGISTER, the
     * move PROBE) failed with "network unreachable": send it again now rather than at the
     * next retry timer (30 ms and more).
     */
    public void routesChanged() {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            // only what did not leave: a route event comes with every address and route a DHCP
            // client installs, and each REGISTER costs the DC a re-decision
            boolean registering = !lastRegisterLeft && (!registered.isDone()
                    || endpoints.keySet().stream().anyMatch(f -> !observed.containsKey(f)));
            boolean resuming = tunnels.all().stream().anyMatch(t -> t.awaitingResume && !t.resumeNoticeSent);
            if (!registering && !resuming) {
                return;
            }
            event("event=route-added registering=" + registering + " resuming=" + resuming);
            if (registering) {
                registerNow();
            }
            if (resuming) {
                resumeTunnels();
            }
        });
    }

    /**
     * Resumes data at once from the new address, in parallel with the DC's re-signalling:
     * an authenticated PROBE moves a direct peer's endpoint (roaming), a RELAY_BIND moves our
     * binding at the RS. Where the new position needs another path, the DC's direction follows.
     */
    private void resumeTunnels() {
        for (Tunnel t : tunnels.all()) {
            if (t.upNanos == 0) {
                continue;
            }
            t.awaitingResume = true;
            if (t.path == Tunnel.Path.DIRECT && t.peerEndpoint != null) {
                t.resumeNoticeSent = sendTunnelMessage(t, MessageType.PROBE, b -> new IdBody(RESUME_NONCE).encode(b),
                        t.peerEndpoint);
            } else if (t.path == Tunnel.Path.RELAY && t.relayEndpoint != null && t.relayKeys != null) {
                DatagramEndpoint ep = endpointFor(t.relayEndpoint);
                t.resumeNoticeSent = ep != null && outbox.send(ep, t.relayEndpoint, t.relayKeys.send(),
                        MessageType.RELAY_BIND, flags(t), t.id, null);
            }
        }
    }

    private String addressList() {
        StringBuilder sb = new StringBuilder();
        for (InetAddress a : realAddresses()) {
            sb.append(sb.length() == 0 ? "" : ",").append(a.getHostAddress());
        }
        return sb.toString();
    }

    /**
     * One socket per family the host and the DC both have, wildcard-bound so a move keeps it.
     * On kernel sockets one dual-stack socket serves both families.
     */
    private void openEndpoints() {
        List<InetAddress> local = realAddresses();
        for (Family f : Family.values()) {
            boolean wanted = dcAddress(f) != null && local.stream().anyMatch(a -> Family.of(a) == f);
            DatagramEndpoint ep = endpoints.get(f);
            if (wanted && ep == null) {
                ep = network.dualStackSockets() ? sharedEndpoint() : openEndpoint(f == Family.V4 ? anyV4() : anyV6());
                if (ep != null) {
                    endpoints.put(f, ep);
                }
            } else if (!wanted && ep != null) {
                endpoints.remove(f);
                observed.remove(f);
                // The dual-stack wildcard socket stays open through moments without addresses
                // (mid-move): closing it defers the kernel's unbind to the next select, so
                // reopening the port at once would fail with "address in use".
                if (ep != shared && !endpoints.containsValue(ep)) {
                    ep.close();
                }
            }
        }
    }

    /**
     * The host's addresses that count for NTM: loopback only when the DC itself is on loopback
     * (tests on one machine); otherwise an IPv6-only host would still look IPv4-capable
     * because of 127.0.0.1, and keep a stale IPv4 registration after a move to IPv6.
     */
    private List<InetAddress> realAddresses() {
        boolean dcOnLoopback = (config.dcV4() != null && config.dcV4().getAddress().isLoopbackAddress())
                || (config.dcV6() != null && config.dcV6().getAddress().isLoopbackAddress());
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : network.localAddresses()) {
            if (dcOnLoopback || !a.isLoopbackAddress()) {
                out.add(a);
            }
        }
        return out;
    }

    private DatagramEndpoint sharedEndpoint() {
        if (shared == null) {
            shared = openEndpoint(anyV6());
        }
        return shared;
    }

    private DatagramEndpoint openEndpoint(InetAddress any) {
        try {
            return network.open(new InetSocketAddress(any, config.localPort()), loop, this::onDatagram);
        } catch (IOException | RuntimeException e) {
            counters.count("openFailed");
            LOG.log(System.Logger.Level.WARNING, "event=open-failed node=" + key.fqdn() + " bind=" + any
                    + " error=" + e.getMessage());
            return null;
        }
    }

    private InetSocketAddress dcAddress(Family f) {
        return f == Family.V4 ? config.dcV4() : config.dcV6();
    }

    private void registerNow() {
        if (registerTimer != null) {
            registerTimer.cancel();
        }
        if (closed) {
            return;
        }
        if (registerTries++ >= REGISTER_TRIES && !registered.isDone()) {
            registered.completeExceptionally(new IOException("DC at " + config.dcV4() + " / " + config.dcV6()
                    + " did not answer " + REGISTER_TRIES + " REGISTER messages"));
            return;
        }
        if (endpoints.isEmpty()) {
            openEndpoints(); // a socket may have failed to open during a move: try again
        }
        List<InetAddress> real = realAddresses();
        if (real.size() > 32) {
            real = real.subList(0, 32);
        }
        Register reg = new Register(key.fqdn(), real, config.localPort());
        boolean left = !endpoints.isEmpty();
        for (Map.Entry<Family, DatagramEndpoint> e : endpoints.entrySet()) {
            left &= outbox.send(e.getValue(), dcAddress(e.getKey()), dcKeys.send(), MessageType.REGISTER, 0,
                    key.keyId(), reg::encode);
        }
        lastRegisterLeft = left;
        event("event=register-sent families=" + endpoints.keySet());
        long retry = Math.min(REGISTER_RETRY_NANOS, REGISTER_FIRST_RETRY_NANOS << Math.min(registerTries - 1, 5));
        registerTimer = loop.schedule(retry, () -> {
            if (!registered.isDone() || endpoints.keySet().stream().anyMatch(f -> !observed.containsKey(f))) {
                registerNow();
            }
        });
    }

    private void onRegisterAck(RegisterAck ack, Family f) {
        virtualV4 = ack.virtualV4();
        virtualV6 = ack.virtualV6();
        stack.setAddresses(ack.virtualV4(), ack.virtualV6());
        observed.put(f, ack.observed());
        keepaliveSeconds = Math.max(1, ack.keepaliveSeconds());
        event("event=register-acked family=" + f + " observed=" + ack.observed() + " v4="
                + ack.virtualV4().getHostAddress() + " v6=" + ack.virtualV6().getHostAddress());
        if (!registered.isDone()) {
            registered.complete(null);
            scheduleKeepalive();
        }
    }

    private void scheduleKeepalive() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
        keepaliveTimer = loop.schedule(TimeUnit.SECONDS.toNanos(keepaliveSeconds), () -> {
            if (closed) {
                return;
            }
            for (Map.Entry<Family, DatagramEndpoint> e : endpoints.entrySet()) {
                outbox.send(e.getValue(), dcAddress(e.getKey()), dcKeys.send(), MessageType.KEEPALIVE, 0,
                        key.keyId(), null);
            }
            for (Tunnel t : tunnels.all()) { // keeps NAT mappings of direct paths open (RFC 4787 REQ-5)
                if (t.state == Tunnel.State.UP) {
                    sendTunnelMessage(t, MessageType.PROBE, b -> new IdBody(0).encode(b), t.target());
                }
            }
            scheduleKeepalive();
        });
    }

    // ---------------------------------------------------------------- resolution (paper 3.2)

    /**
     * Resolves a peer's FQDN the NTM way: asks the DC for a route direction, builds the
     * tunnel, and completes with the tunnel once data can flow.
     */
    public CompletableFuture<TunnelInfo> resolve(String fqdn) {
        CompletableFuture<TunnelInfo> f = new CompletableFuture<>();
        loop.execute(() -> {
            for (Tunnel t : tunnels.byPeer(fqdn)) {
                if (t.state == Tunnel.State.UP) {
                    f.complete(t.info());
                    return;
                }
            }
            if (!registered.isDone() || registered.isCompletedExceptionally()) {
                f.completeExceptionally(new IOException("node " + key.fqdn() + " is not registered with its DC"));
                return;
            }
            PendingResolve p = new PendingResolve(nextRequestId++, fqdn, f, loop.nanoTime());
            pending.put(p.requestId, p);
            event("event=direction-request peer=" + fqdn + " request=" + p.requestId);
            sendDirectionRequest(p);
        });
        return f;
    }

    private void sendDirectionRequest(PendingResolve p) {
        if (p.future.isDone() || p.tunnelId != 0) {
            return;
        }
        if (p.tries++ >= MAX_TRIES) {
            pending.remove(p.requestId);
            p.future.completeExceptionally(new IOException("DC did not direct a path to " + p.fqdn));
            return;
        }
        Family f = signallingFamily();
        if (f == null) {
            p.future.completeExceptionally(new IOException("no real network to reach the DC"));
            return;
        }
        outbox.send(endpoints.get(f), dcAddress(f), dcKeys.send(), MessageType.DIRECTION_REQUEST, 0, key.keyId(),
                b -> new DirectionRequest(p.requestId, p.fqdn).encode(b));
        p.timer = loop.schedule(DIRECTION_RETRY_NANOS, () -> sendDirectionRequest(p));
    }

    private Family signallingFamily() {
        for (Family f : Family.values()) {
            if (endpoints.containsKey(f) && observed.containsKey(f)) {
                return f;
            }
        }
        return endpoints.isEmpty() ? null : endpoints.keySet().iterator().next();
    }

    private void onRouteDirection(RouteDirection rd, Family f) {
        Family sigFamily = f;
        outbox.send(endpoints.get(sigFamily), dcAddress(sigFamily), dcKeys.send(), MessageType.ROUTE_DIRECTION_ACK,
                0, key.keyId(), b -> new DirectionAck(rd.tunnelId(), rd.generation()).encode(b));
        Tunnel t = tunnels.get(rd.tunnelId());
        if (t != null && rd.generation() < t.generation) {
            counters.count("staleDirection");
            return;
        }
        boolean initiator = rd.role() == RouteDirection.INITIATOR;
        if (t == null) {
            String clash = virtualAddressClash(rd);
            if (clash != null) {
                // Packets are routed to a tunnel by the peer's virtual address: a second peer
                // with the same address would get the first one's traffic (docs/protocol.md).
                counters.count("virtualAddressClash");
                event("event=tunnel-refused peer=" + rd.peerFqdn() + " reason=\"" + clash + "\"");
                failResolve(rd.requestId(), clash);
                return;
            }
            Association keys = Association.of(config.suite(), rd.tunnelSecret(),
                    initiator ? KeyLabels.INITIATOR_TO_RESPONDER : KeyLabels.RESPONDER_TO_INITIATOR,
                    initiator ? KeyLabels.RESPONDER_TO_INITIATOR : KeyLabels.INITIATOR_TO_RESPONDER);
            t = new Tunnel(rd.tunnelId(), initiator, rd.peerFqdn(), rd.peerV4(), rd.peerV6(), keys);
            t.createdNanos = loop.nanoTime();
            tunnels.put(t);
        } else if (t.initiator != initiator) {
            counters.count("roleChanged"); // keys are bound to the role: ignore a contradicting direction
            return;
        } else if (t.state == Tunnel.State.UP && rd.generation() == t.generation && sameDirection(t, rd)) {
            return; // a retransmission of what we already follow
        }
        if (rd.requestId() != 0) {
            PendingResolve p = pending.get(rd.requestId());
            if (p != null) {
                p.tunnelId = t.id;
                if (p.timer != null) {
                    p.timer.cancel();
                }
            }
        }
        t.cancelRetransmit();
        t.generation = rd.generation();
        t.opener = rd.opener();
        t.path = rd.path() == RouteDirection.DIRECT ? Tunnel.Path.DIRECT : Tunnel.Path.RELAY;
        t.optimised = false;
        t.peerMapped = rd.peerMapped();
        if (t.path == Tunnel.Path.DIRECT) {
            t.peerEndpoint = rd.peerEndpoint();
            t.relayEndpoint = null;
        } else {
            t.relayEndpoint = rd.peerEndpoint();
            if (t.relayKeys == null || !java.util.Arrays.equals(t.relaySecret, rd.relaySecret())) {
                t.relaySecret = rd.relaySecret();
                t.relayKeys = Association.of(config.suite(), rd.relaySecret(),
                        initiator ? KeyLabels.INITIATOR_TO_RS : KeyLabels.RESPONDER_TO_RS,
                        initiator ? KeyLabels.RS_TO_INITIATOR : KeyLabels.RS_TO_RESPONDER);
            }
        }
        event("event=route-direction tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn + " role="
                + (initiator ? "initiator" : "responder") + " path=" + t.path + " target=" + t.target());
        t.attempts = 0;
        if (t.path == Tunnel.Path.RELAY) {
            t.state = Tunnel.State.BINDING;
            relayBind(t);
        } else {
            t.state = Tunnel.State.CONNECTING;
            if (t.opener) {
                tunnelRequest(t);
            }
        }
    }

    private static boolean sameDirection(Tunnel t, RouteDirection rd) {
        boolean direct = rd.path() == RouteDirection.DIRECT;
        return direct ? t.path == Tunnel.Path.DIRECT && rd.peerEndpoint().equals(t.peerEndpoint)
                : t.path == Tunnel.Path.RELAY && rd.peerEndpoint().equals(t.relayEndpoint)
                || t.optimised && rd.peerEndpoint().equals(t.relayEndpoint);
    }

    private void relayBind(Tunnel t) {
        if (t.state != Tunnel.State.BINDING) {
            return;
        }
        if (t.attempts++ >= MAX_TRIES) {
            failTunnel(t, "relay server " + t.relayEndpoint + " did not answer RELAY_BIND");
            return;
        }
        DatagramEndpoint ep = endpointFor(t.relayEndpoint);
        if (ep != null) {
            outbox.send(ep, t.relayEndpoint, t.relayKeys.send(), MessageType.RELAY_BIND, flags(t), t.id, null);
        }
        t.retransmit = loop.schedule(TUNNEL_RETRY_NANOS, () -> relayBind(t));
    }

    private void tunnelRequest(Tunnel t) {
        if (t.state != Tunnel.State.CONNECTING) {
            return;
        }
        if (t.attempts++ >= MAX_TRIES) {
            failTunnel(t, "peer " + t.peerFqdn + " did not answer TUNNEL_REQUEST at " + t.target());
            return;
        }
        sendTunnelMessage(t, MessageType.TUNNEL_REQUEST, this::encodeHello, t.target());
        t.retransmit = loop.schedule(TUNNEL_RETRY_NANOS, () -> tunnelRequest(t));
    }

    private void encodeHello(ByteBuffer b) {
        new TunnelHello(key.fqdn(), virtualV4, virtualV6).encode(b);
    }

    private void failTunnel(Tunnel t, String reason) {
        counters.count("tunnelFailures");
        event("event=tunnel-failed tunnel=" + Long.toHexString(t.id) + " reason=\"" + reason + "\"");
        for (PendingResolve p : List.copyOf(pending.values())) {
            if (p.tunnelId == t.id) {
                pending.remove(p.requestId);
                p.future.completeExceptionally(new IOException(reason));
            }
        }
    }

    private void tunnelUp(Tunnel t) {
        boolean first = t.state != Tunnel.State.UP;
        t.state = Tunnel.State.UP;
        t.cancelRetransmit();
        if (first) {
            boolean again = t.upNanos != 0;
            if (!again) {
                t.upNanos = loop.nanoTime();
            }
            event("event=" + (again ? "tunnel-updated" : "tunnel-up") + " tunnel=" + Long.toHexString(t.id)
                    + " peer=" + t.peerFqdn + " path=" + t.path + " target=" + t.target());
            if (again) {
                pathResumed(t, "re-directed");
            }
        }
        for (PendingResolve p : List.copyOf(pending.values())) {
            if (p.tunnelId == t.id) {
                pending.remove(p.requestId);
                p.future.complete(t.info());
            }
        }
        if (t.path == Tunnel.Path.RELAY && t.peerMapped != null && !t.optimised) {
            t.probeNonce = random.nextLong();
            t.attempts = 0;
            probe(t);
        }
    }

    /**
     * The tunnel works again after a move of this end or the peer: TCP connections to the
     * peer's virtual addresses resend now ({@link TcpLayer#pathResumed}) instead of waiting
     * for a retransmission timer that backed off while the old path was dead.
     */
    private void pathResumed(Tunnel t, String reason) {
        t.awaitingResume = false;
        int n = 0;
        if (t.peerV4 != null) {
            n += tcp.pathResumed(t.peerV4);
        }
        if (t.peerV6 != null) {
            n += tcp.pathResumed(t.peerV6);
        }
        counters.count("pathResumed");
        event("event=path-resumed tunnel=" + Long.toHexString(t.id) + " reason=" + reason + " tcp=" + n);
    }

    /** Route optimisation (docs/protocol.md): punch toward the peer's NAT mapping. */
    private void probe(Tunnel t) {
        if (t.optimised || t.path != Tunnel.Path.RELAY || t.peerMapped == null) {
            return;
        }
        if (t.attempts++ >= PROBE_TRIES) {
            event("event=optimisation-failed tunnel=" + Long.toHexString(t.id) + " peerMapped=" + t.peerMapped);
            counters.count("optimisationFailed");
            return;
        }
        long nonce = t.probeNonce;
        sendTunnelMessage(t, MessageType.PROBE, b -> new IdBody(nonce).encode(b), t.peerMapped);
        t.retransmit = loop.schedule(PROBE_INTERVAL_NANOS, () -> probe(t));
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
        if (MessageType.isTunnelMessage(type)) {
            onTunnelMessage(p, type, id, from);
            return;
        }
        if (id != key.keyId()) {
            counters.count("unknownKey");
            return;
        }
        plain.clear();
        TrafficKey.Result r = dcKeys.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            counters.count("dc" + r.name());
            return;
        }
        plain.flip();
        Family f = Family.of(from.getAddress());
        try {
            switch (type) {
                case MessageType.REGISTER_ACK -> onRegisterAck(RegisterAck.decode(plain), f);
                case MessageType.KEEPALIVE_ACK -> onKeepaliveAck(KeepaliveAck.decode(plain), f);
                case MessageType.ROUTE_DIRECTION -> onRouteDirection(RouteDirection.decode(plain), f);
                case MessageType.DIRECTION_FAILURE -> onDirectionFailure(DirectionFailure.decode(plain));
                default -> counters.count("unexpectedType");
            }
        } catch (MalformedMessageException e) {
            counters.count("malformed");
        }
    }

    private void onKeepaliveAck(KeepaliveAck ack, Family f) {
        InetSocketAddress before = observed.put(f, ack.observed());
        if (before != null && !before.equals(ack.observed())) {
            event("event=mapping-changed family=" + f + " observed=" + ack.observed());
        }
    }

    /** Why a new tunnel to {@code rd}'s peer cannot coexist with ours, or null. */
    private String virtualAddressClash(RouteDirection rd) {
        if (rd.peerV4() != null && rd.peerV4().equals(virtualV4) || rd.peerV6() != null && rd.peerV6().equals(
                virtualV6)) {
            return "virtual address of " + rd.peerFqdn() + " is this node's own (their domains' DCs hand out"
                    + " overlapping virtual blocks)";
        }
        for (Tunnel o : tunnels.all()) {
            if (o.peerFqdn.equals(rd.peerFqdn())) {
                continue;
            }
            InetAddress same = rd.peerV4() != null && rd.peerV4().equals(o.peerV4) ? o.peerV4
                    : rd.peerV6() != null && rd.peerV6().equals(o.peerV6) ? o.peerV6 : null;
            if (same != null) {
                return "virtual address " + same.getHostAddress() + " of " + rd.peerFqdn() + " is already "
                        + o.peerFqdn + "'s (their domains' DCs hand out overlapping virtual blocks)";
            }
        }
        return null;
    }

    private void onDirectionFailure(DirectionFailure df) {
        failResolve(df.requestId(), "DC: " + df.reason());
    }

    /** Ends a pending resolve (if {@code requestId} names one) with {@code reason}. */
    private void failResolve(long requestId, String reason) {
        PendingResolve p = pending.remove(requestId);
        if (p != null) {
            if (p.timer != null) {
                p.timer.cancel();
            }
            p.future.completeExceptionally(new IOException(reason));
        }
    }

    private void onTunnelMessage(ByteBuffer p, int type, long id, InetSocketAddress from) {
        Tunnel t = tunnels.get(id);
        if (t == null) {
            counters.count("unknownTunnel");
            return;
        }
        if (type == MessageType.RELAY_BIND_ACK) {
            plain.clear();
            if (t.relayKeys == null || t.relayKeys.receive().open(p, plain) != TrafficKey.Result.OK) {
                counters.count("badRelayAck");
                return;
            }
            if (t.awaitingResume && t.state == Tunnel.State.UP && t.path == Tunnel.Path.RELAY) {
                // re-bound at the RS from the new address: tell the peer (its TCP may be waiting
                // on a backed-off timer too) and resend our own outstanding segments
                sendTunnelMessage(t, MessageType.PROBE, b -> new IdBody(RESUME_NONCE).encode(b), t.relayEndpoint);
                pathResumed(t, "relay-rebound");
            }
            if (t.state == Tunnel.State.BINDING) {
                t.cancelRetransmit();
                t.state = Tunnel.State.CONNECTING;
                t.attempts = 0;
                if (t.opener) {
                    tunnelRequest(t);
                }
            }
            return;
        }
        long counter = NtmHeader.counter(p, p.position());
        long highestBefore = t.keys.receive().highestOpened();
        plain.clear();
        TrafficKey.Result r = t.keys.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            t.rxDropped++;
            counters.count("tunnel" + r.name());
            return;
        }
        plain.flip();
        if (t.path == Tunnel.Path.DIRECT && counter > highestBefore && !from.equals(t.peerEndpoint)
                && !from.equals(t.relayEndpoint)) {
            // authenticated, and newer than anything seen, from a new address: the peer moved
            // (roaming as in WireGuard; a late packet from the old address must not move it back,
            // cf. RFC 9000 section 9.3)
            t.peerEndpoint = from;
            t.roams++;
            event("event=peer-roamed tunnel=" + Long.toHexString(t.id) + " endpoint=" + from);
        }
        if (t.awaitingResume && t.state == Tunnel.State.UP) {
            pathResumed(t, "first-packet"); // the first authenticated packet over the resumed path
        }
        if (t.state == Tunnel.State.CONNECTING && !t.opener && t.upNanos != 0 && type != MessageType.TUNNEL_REQUEST) {
            tunnelUp(t); // after a re-direction the peer's authenticated traffic is proof enough
        }
        switch (type) {
            case MessageType.DATA -> {
                t.rxPackets++;
                t.rxBytes += plain.remaining();
                stack.inputFromTunnel(plain); // AEAD verified: no transport checksums again
            }
            case MessageType.TUNNEL_REQUEST -> {
                if (t.opener) {
                    counters.count("unexpectedType");
                    return;
                }
                if (t.path == Tunnel.Path.DIRECT) {
                    t.peerEndpoint = from; // the initiator's (possibly NAT-mapped) source
                }
                sendTunnelMessage(t, MessageType.TUNNEL_RESPONSE, this::encodeHello, t.path == Tunnel.Path.DIRECT
                        ? from : t.relayEndpoint);
                if (t.state != Tunnel.State.BINDING) {
                    tunnelUp(t);
                }
            }
            case MessageType.TUNNEL_RESPONSE -> {
                if (!t.opener) {
                    counters.count("unexpectedType");
                    return;
                }
                tunnelUp(t);
            }
            case MessageType.PROBE -> {
                try {
                    long nonce = IdBody.decode(plain, "PROBE").value();
                    sendTunnelMessage(t, MessageType.PROBE_ACK, b -> new IdBody(nonce).encode(b), from);
                    if (nonce == RESUME_NONCE) {
                        pathResumed(t, "peer-moved");
                    }
                } catch (MalformedMessageException e) {
                    counters.count("malformed");
                }
            }
            case MessageType.PROBE_ACK -> {
                // only an ACK that did not come through the RS proves a direct path (a keepalive
                // probe sent on the relay path is answered through the relay too)
                if (t.path == Tunnel.Path.RELAY && t.peerMapped != null && !t.optimised
                        && !from.equals(t.relayEndpoint)) {
                    t.optimised = true;
                    t.path = Tunnel.Path.DIRECT;
                    t.peerEndpoint = from;
                    t.cancelRetransmit();
                    counters.count("optimised");
                    event("event=route-optimised tunnel=" + Long.toHexString(t.id) + " endpoint=" + from);
                }
            }
            default -> counters.count("unexpectedType");
        }
    }

    // ---------------------------------------------------------------- send

    private int flags(Tunnel t) {
        return (t.initiator ? NtmHeader.FLAG_INITIATOR : 0) | (t.path == Tunnel.Path.RELAY ? NtmHeader.FLAG_RELAYED
                : 0);
    }

    private DatagramEndpoint endpointFor(InetSocketAddress to) {
        return to == null ? null : endpoints.get(Family.of(to.getAddress()));
    }

    /** Returns whether the kernel (or the in-memory network) took the datagram. */
    private boolean sendTunnelMessage(Tunnel t, int type, Consumer<ByteBuffer> body, InetSocketAddress to) {
        DatagramEndpoint ep = endpointFor(to);
        if (ep == null) {
            counters.count("noEndpoint");
            return false;
        }
        int fl = flags(t);
        if (to.equals(t.peerMapped) || to.equals(t.peerEndpoint) && t.path == Tunnel.Path.DIRECT) {
            fl &= ~NtmHeader.FLAG_RELAYED;
        }
        return outbox.send(ep, to, t.keys.send(), type, fl, t.id, body);
    }

    /** The virtual stack's output: one inner packet to encapsulate (paper Figure 6 (1)). */
    private void sendInner(ByteBuffer ip) {
        Tunnel t = tunnels.forDestination(ip, ip.position());
        if (t == null || t.upNanos == 0) { // once up, keep sending while a move re-signals the path
            counters.count("noTunnel");
            return;
        }
        InetSocketAddress to = t.target();
        DatagramEndpoint ep = endpointFor(to);
        if (ep == null) {
            counters.count("noEndpoint");
            return;
        }
        int len = ip.remaining();
        tx.clear();
        t.keys.send().seal(tx, MessageType.DATA, flags(t), t.id, ip);
        tx.flip();
        if (ep.send(tx, to)) {
            t.txPackets++;
            t.txBytes += len;
        }
    }

    // ---------------------------------------------------------------- API

    /** A snapshot of the tunnel table. */
    public CompletableFuture<List<TunnelInfo>> tunnels() {
        CompletableFuture<List<TunnelInfo>> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(tunnels.all().stream().map(Tunnel::info).toList()));
        return f;
    }

    /** The real addresses the DC saw for this node, per family ("mapped" when behind a NAT). */
    public CompletableFuture<Map<String, InetSocketAddress>> observedAddresses() {
        CompletableFuture<Map<String, InetSocketAddress>> f = new CompletableFuture<>();
        loop.execute(() -> {
            Map<String, InetSocketAddress> m = new HashMap<>();
            observed.forEach((k, v) -> m.put(k.name().toLowerCase(Locale.ROOT), v));
            f.complete(m);
        });
        return f;
    }

    /** ICMP echo to a virtual address: round-trip times in ms of the replies (NaN for lost ones). */
    public double[] ping(InetAddress dst, int count, Duration timeout) throws InterruptedException {
        return new Pinger(this).ping(dst, count, timeout);
    }

    public boolean isRegistered() {
        return registered.isDone() && !registered.isCompletedExceptionally();
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            java.util.Set.copyOf(endpoints.values()).forEach(DatagramEndpoint::close);
            if (shared != null) {
                shared.close();
            }
            endpoints.clear();
            if (keepaliveTimer != null) {
                keepaliveTimer.cancel();
            }
            done.complete(null);
        });
        try {
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }

    static InetAddress anyV4() {
        try {
            return Inet4Address.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress anyV6() {
        try {
            return Inet6Address.getByAddress(new byte[16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class PendingResolve {
        final long requestId;
        final String fqdn;
        final CompletableFuture<TunnelInfo> future;
        final long startNanos;
        long tunnelId;
        int tries;
        EventLoop.Timer timer;

        PendingResolve(long requestId, String fqdn, CompletableFuture<TunnelInfo> future, long startNanos) {
            this.requestId = requestId;
            this.fqdn = fqdn;
            this.future = future;
            this.startNanos = startNanos;
        }
    }
}
