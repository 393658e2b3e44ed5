package org.ntmlab.ntm.node;

import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.CLOSE_TIMEOUT_MS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.RESOLVE_TIMEOUT_SECONDS;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.stack.Ip;
import org.ntmlab.ntm.stack.VirtualStack;
import org.ntmlab.ntm.stack.tcp.TcpConfig;
import org.ntmlab.ntm.stack.tcp.TcpLayer;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.wire.DirectionFailure;
import org.ntmlab.ntm.wire.KeepaliveAck;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageDrop;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.RegisterAck;
import org.ntmlab.ntm.wire.Reregister;
import org.ntmlab.ntm.wire.RouteDirection;

/**
 * An NTM node: the NTMfw library inside an application (paper section 4). It registers with
 * its DC, turns name resolution of a peer into NTM signalling, and carries the virtual
 * stack's packets through encrypted UDP tunnels, directly or via an RS. When its real
 * addresses change it re-registers and its tunnels follow, while application sockets,
 * bound to virtual addresses, stay as they are (paper section 4.2).
 *
 * <p>This class is the facade; each protocol concern has its own package-private class:
 * {@link Registration} (REGISTER, keepalive, sockets, moves), {@link Resolution}
 * (DIRECTION_REQUEST, ROUTE_DIRECTION), {@link TunnelSend}, {@link TunnelReceive} and
 * {@link TunnelTimers} (the tunnels), sharing a {@link NodeContext}; {@link Tunnel} owns each
 * tunnel's state machine.
 *
 * <p>All state lives on one {@link EventLoop}; public methods may be called from any thread.
 */
public final class NtmNode implements AutoCloseable {

    /** Virtual UDP and TCP port of the built-in echo service (RFC 862). */
    public static final int ECHO_PORT = 7;
    /** Real-network MTU the tunnel is sized for: inner TCP segments fit one Ethernet frame. */
    public static final int TUNNEL_LINK_MTU = 1500;

    private final NodeContext ctx;
    private final VirtualStack stack;
    private final TcpLayer tcp;
    private final Registration registration;
    private final Resolution resolution;
    private final TunnelReceive receive;
    private final TunnelTimers timers;

    public NtmNode(NodeConfig config, NodeKey key, Network network, EventLoop loop) {
        this.ctx = new NodeContext(config, key, network, loop);
        TunnelSend send = new TunnelSend(ctx);
        this.stack = new VirtualStack(send::sendInner);
        this.tcp = new TcpLayer(loop, TcpConfig.builder().tunnelMtu(TUNNEL_LINK_MTU).build(),
                (src, dst, segment) -> stack.sendTransport(Ip.PROTO_TCP, src, dst, segment), stack::sourceFor);
        stack.setTcp(tcp::onSegment);
        PendingResolves pending = new PendingResolves();
        this.timers = new TunnelTimers(ctx, send, pending);
        this.registration = new Registration(ctx, stack, timers, this::onDatagram);
        this.resolution = new Resolution(ctx, registration, timers, pending);
        this.receive = new TunnelReceive(ctx, stack, tcp, send, timers, pending);
        send.onDownTunnel(resolution::reresolve);
        timers.onDead(resolution::reresolve);
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
                TunnelInfo t = resolve(fqdn).get(RESOLVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return six ? t.peerVirtualV6() : t.peerVirtualV4();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) {
                return null;
            }
        };
    }

    /** What the node was started with (its DC's addresses, port, cipher suite). */
    public NodeConfig config() {
        return ctx.config;
    }

    public String fqdn() {
        return ctx.key.fqdn();
    }

    public EventLoop loop() {
        return ctx.loop;
    }

    /** The virtual stack; use on {@link #loop()} only (sockets do). */
    public VirtualStack stack() {
        return stack;
    }

    public Counters counters() {
        return ctx.counters;
    }

    public InetAddress virtualV4() {
        return ctx.virtualV4;
    }

    public InetAddress virtualV6() {
        return ctx.virtualV6;
    }

    /**
     * Called with one key=value line per signalling event (for the lab's handover timeline), in
     * the format pcap-analysis reads as it is; the names are {@link NodeEvents}.
     */
    public void onEvent(Consumer<String> listener) {
        ctx.loop.execute(() -> ctx.addEventListener(listener));
    }

    /**
     * {@link System#nanoTime()} when the node last saw a real (not link-local) address appear (the
     * {@code address-added} event), 0 before any. Any thread.
     */
    public long addressAddedNanos() {
        return ctx.addressAddedNanos;
    }

    /**
     * Writes {@link NodeEvents#UDP_ECHO_RESUMED} into the node's event log (the listeners of
     * {@link #onEvent}), stamped {@code at}: an application heard its peer again after an address
     * change, so the handover timeline has the application's view beside the node's. Any thread.
     */
    public void udpEchoResumed(String attributes, java.time.Instant at) {
        ctx.loop.execute(() -> ctx.event(NodeEvents.UDP_ECHO_RESUMED, attributes, at));
    }

    // ---------------------------------------------------------------- registration (paper 3.2, 4.2)

    /**
     * Opens the real sockets and registers with the DC (paper section 3.2). Completes when
     * the DC has acknowledged on at least one IP family, with the virtual addresses set.
     */
    public CompletableFuture<Void> start() {
        ctx.loop.execute(() -> {
            stack.bindUdp(ECHO_PORT, (src, srcPort, dst, payload) -> {
                if (srcPort < 1024) {
                    // RFC 862 echo answers anyone: never a well-known port, which may be another
                    // echo (or chargen) service, so that two services cannot bounce for ever
                    ctx.counters.count(NodeCounter.ECHO_PRIVILEGED_SOURCE);
                    return;
                }
                stack.sendUdp(ECHO_PORT, src, srcPort, payload);
            });
            TcpEchoService.start(tcp, ECHO_PORT);
            registration.start();
            timers.startLiveness();
        });
        return registration.registered();
    }

    /** Real addresses changed (a move): fix sockets per family and register again at once. */
    public void addressesChanged() {
        if (!ctx.closed) {
            ctx.loop.execute(registration::addressesChanged);
        }
    }

    /**
     * A route appeared (netlink RTM_NEWROUTE). After a DHCP lease the default route follows
     * the address by a few milliseconds, and what the node sent in between (REGISTER, the
     * move PROBE) failed with "network unreachable": send it again now rather than at the
     * next retry timer (30 ms and more).
     */
    public void routesChanged() {
        ctx.loop.execute(registration::routesChanged);
    }

    // ---------------------------------------------------------------- resolution (paper 3.2)

    /**
     * Resolves a peer's FQDN the NTM way: asks the DC for a route direction, builds the
     * tunnel, and completes with the tunnel once data can flow.
     */
    public CompletableFuture<TunnelInfo> resolve(String fqdn) {
        CompletableFuture<TunnelInfo> f = new CompletableFuture<>();
        ctx.loop.execute(() -> resolution.resolve(fqdn, f));
        return f;
    }

    // ---------------------------------------------------------------- receive

    /**
     * Every datagram of the real sockets: tunnel messages (by type) go to {@link TunnelReceive};
     * the rest is signalling from the DC, opened with the node's DC key and handed to
     * {@link Registration} or {@link Resolution}.
     */
    private void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        int at = p.position();
        MessageDrop bad = NtmHeader.precheck(p, at, p.remaining());
        if (bad != null) {
            ctx.counters.count(bad);
            return;
        }
        int type = NtmHeader.type(p, at);
        long id = NtmHeader.id(p, at);
        if (MessageType.isTunnelMessage(type)) {
            receive.onTunnelMessage(p, type, id, from);
            return;
        }
        if (id != ctx.key.keyId()) {
            ctx.counters.count(NodeCounter.UNKNOWN_KEY);
            return;
        }
        ByteBuffer plain = ctx.plain;
        plain.clear();
        TrafficKey.Result r = ctx.dcKeys.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            ctx.counters.count(NodeCounter.dcDrop(r));
            return;
        }
        plain.flip();
        Family f = Family.of(from.getAddress());
        try {
            switch (type) {
                case MessageType.REGISTER_ACK -> registration.onRegisterAck(RegisterAck.decode(plain), f);
                case MessageType.KEEPALIVE_ACK -> registration.onKeepaliveAck(KeepaliveAck.decode(plain), f);
                case MessageType.REREGISTER -> registration.onReregister(Reregister.decode(plain), f);
                case MessageType.ROUTE_DIRECTION -> resolution.onRouteDirection(RouteDirection.decode(plain), f);
                case MessageType.DIRECTION_FAILURE -> resolution.onDirectionFailure(DirectionFailure.decode(plain));
                default -> ctx.counters.count(MessageDrop.UNEXPECTED_TYPE);
            }
        } catch (MalformedMessageException e) {
            ctx.counters.count(MessageDrop.MALFORMED);
        }
    }

    // ---------------------------------------------------------------- API

    /** A snapshot of the tunnel table. */
    public CompletableFuture<List<TunnelInfo>> tunnels() {
        CompletableFuture<List<TunnelInfo>> f = new CompletableFuture<>();
        ctx.loop.execute(() -> f.complete(ctx.tunnels.all().stream().map(Tunnel::info).toList()));
        return f;
    }

    /** The real addresses the DC saw for this node, per family ("mapped" when behind a NAT). */
    public CompletableFuture<Map<String, InetSocketAddress>> observedAddresses() {
        CompletableFuture<Map<String, InetSocketAddress>> f = new CompletableFuture<>();
        ctx.loop.execute(() -> {
            Map<String, InetSocketAddress> m = new HashMap<>();
            ctx.observed.forEach((k, v) -> m.put(k.name().toLowerCase(Locale.ROOT), v));
            f.complete(m);
        });
        return f;
    }

    /** ICMP echo to a virtual address: round-trip times in ms of the replies (NaN for lost ones). */
    public double[] ping(InetAddress dst, int count, Duration timeout) throws InterruptedException {
        return new Pinger(this).ping(dst, count, timeout);
    }

    public boolean isRegistered() {
        return registration.isRegistered();
    }

    @Override
    public void close() {
        ctx.closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        ctx.loop.execute(() -> {
            registration.close();
            done.complete(null);
        });
        try {
            done.get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
