package org.ntmlab.ntm.node;

import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.HOST_ENDPOINTS_PER_FAMILY;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.KEEPALIVE_ACK_TIMEOUT_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.KEEPALIVE_DEFAULT_SECONDS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.KEEPALIVE_MIN_SECONDS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.KEEPALIVE_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REGISTER_FIRST_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REGISTER_MAX_ADDRESSES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REGISTER_RETRY_MAX_DOUBLINGS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REGISTER_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REGISTER_TRIES;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REREGISTER_FIRST_RETRY_NANOS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REREGISTER_MAX_DOUBLINGS;
import static org.ntmlab.ntm.signalling.ProtocolConstants.Node.REREGISTER_MAX_RETRY_NANOS;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.stack.VirtualStack;
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
 * The node's registration with its DC (paper section 3.2: at start the node registers its
 * real addresses and gets its virtual IPv4/IPv6 addresses, then keeps the association alive;
 * section 4.2: when its addresses change it registers again). Owns the real sockets per family,
 * REGISTER / REGISTER_ACK with retransmission, KEEPALIVE / KEEPALIVE_ACK and the addresses the
 * DC observed, and reacts to address and route changes. Loop-thread only.
 *
 * <p>Liveness (issue 10): every KEEPALIVE expects a KEEPALIVE_ACK within
 * {@code KEEPALIVE_ACK_TIMEOUT_NANOS}; after {@code KEEPALIVE_TRIES} sends without one, or on an
 * authenticated REREGISTER from the DC (a restarted DC does not know us), the registration is
 * lost: {@link #isRegistered()} turns false, {@link NodeEvents#REGISTRATION_LOST} is written and
 * the node registers again with a jittered exponential backoff that never gives up. Tunnels do
 * not depend on the DC and keep carrying data meanwhile.
 */
final class Registration {

    private static final Logger LOG = LoggerFactory.getLogger(NtmNode.class);

    private final NodeContext ctx;
    private final VirtualStack stack;
    private final TunnelTimers timers;
    private final DatagramEndpoint.Receiver receiver;
    private DatagramEndpoint shared;

    private CompletableFuture<Void> registered = new CompletableFuture<>();
    private EventLoop.Timer registerTimer;
    private EventLoop.Timer keepaliveTimer;
    private int registerTries;
    /** True once the DC has acknowledged a REGISTER: from then on registering never gives up. */
    private boolean everRegistered;
    /** The registration was lost: REGISTERs follow the jittered backoff until one is acknowledged. */
    private boolean recovering;
    /** Pending wait for a KEEPALIVE_ACK, or null when no KEEPALIVE is unanswered. */
    private EventLoop.Timer keepaliveAckTimer;
    /** KEEPALIVEs sent in the current round without a KEEPALIVE_ACK (0: no round running). */
    private int keepaliveTries;
    private int keepaliveSeconds = KEEPALIVE_DEFAULT_SECONDS;
    /** Whether every datagram of the last REGISTER was taken by the network (no "unreachable"). */
    private boolean lastRegisterLeft;
    /**
     * The real addresses the node last knew (formatted as its events name them, IPv4 first;
     * loopback left out): what the next address notification is compared with.
     */
    private List<String> knownAddresses = List.of();

    Registration(NodeContext ctx, VirtualStack stack, TunnelTimers timers, DatagramEndpoint.Receiver receiver) {
        this.ctx = ctx;
        this.stack = stack;
        this.timers = timers;
        this.receiver = receiver;
    }

    /** Completes when the DC has acknowledged on at least one family (a fresh future after each move). */
    CompletableFuture<Void> registered() {
        return registered;
    }

    boolean isRegistered() {
        return registered.isDone() && !registered.isCompletedExceptionally();
    }

    /** Opens the real sockets and registers (call on the loop). */
    void start() {
        knownAddresses = eventAddresses();
        openEndpoints();
        registerNow();
    }

    /** Real addresses changed (a move, paper section 4.2): fix sockets per family, register again at once, resume tunnels. */
    void addressesChanged() {
        logAddressChange();
        openEndpoints();
        registerTries = 0;
        if (registered.isDone()) {
            registered = new CompletableFuture<>();
        }
        registerNow();
        timers.resume();
    }

    /** A route appeared: send again what failed with "network unreachable" before it existed. */
    void routesChanged() {
        if (ctx.closed) {
            return;
        }
        // only what did not leave: a route event comes with every address and route a DHCP
        // client installs, and each REGISTER costs the DC a re-decision
        boolean registering = !lastRegisterLeft && (!registered.isDone() || unacknowledgedFamily());
        boolean resuming = timers.resumePending();
        if (!registering && !resuming) {
            return;
        }
        ctx.event(NodeEvents.ROUTE_ADDED, "registering=" + registering + " resuming=" + resuming);
        if (registering) {
            registerNow();
        }
        if (resuming) {
            timers.resume();
        }
    }

    /** The families with a socket, as {@code V4,V6} (one value: no space in it). */
    private String families() {
        StringBuilder sb = new StringBuilder();
        for (Family f : ctx.endpoints.keySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append(f);
        }
        return sb.toString();
    }

    private boolean unacknowledgedFamily() {
        for (Family f : ctx.endpoints.keySet()) {
            if (!ctx.observed.containsKey(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Logs what changed since the last known addresses: {@code address-added addr=<a>} per
     * address that appeared, then {@code address-removed addr=<a>} per address that went away
     * (each with {@code addresses=<all now>}), IPv4 before IPv6 within each; or
     * {@code address-changed} when the notification added and removed nothing. Additions come
     * first so that the first {@code address-added} after a move is the new address, of the
     * family the node registers on first: that is the address pcap-analysis follows
     * (docs/pcap-analysis.md, "Node event log").
     */
    private void logAddressChange() {
        List<String> now = eventAddresses();
        List<String> before = knownAddresses;
        knownAddresses = now;
        String all = "addresses=" + String.join(",", now);
        boolean changed = false;
        for (String a : now) {
            if (!before.contains(a)) {
                if (!a.startsWith("fe80:")) { // a link-local address comes with every link-up: not a move
                    ctx.addressAddedNanos = System.nanoTime();
                }
                ctx.event(NodeEvents.ADDRESS_ADDED, "addr=" + a + " " + all);
                changed = true;
            }
        }
        for (String a : before) {
            if (!now.contains(a)) {
                ctx.event(NodeEvents.ADDRESS_REMOVED, "addr=" + a + " " + all);
                changed = true;
            }
        }
        if (!changed) {
            ctx.event(NodeEvents.ADDRESS_CHANGED, all);
        }
    }

    /**
     * The host's real addresses as the address events name them ({@link NodeEvents#format}),
     * without loopback (it never moves, even when the DC is on it), each once, IPv4 first and
     * otherwise in the host's order. One interface enumeration, as the address list it
     * replaces. Link-local addresses do not get here on the kernel network
     * ({@code KernelNetwork.localAddresses()} leaves them out; netlink still reports them, and
     * such a notification logs {@code address-changed}); the memory labs use none.
     */
    private List<String> eventAddresses() {
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        for (InetAddress a : ctx.network.localAddresses()) {
            if (a.isLoopbackAddress()) {
                continue;
            }
            List<String> to = a instanceof Inet4Address ? v4 : v6;
            String s = NodeEvents.format(a);
            if (!to.contains(s)) {
                to.add(s);
            }
        }
        v4.addAll(v6);
        return List.copyOf(v4);
    }

    /**
     * One socket per family the host and the DC both have, wildcard-bound so a move keeps it.
     * On kernel sockets one dual-stack socket serves both families.
     */
    private void openEndpoints() {
        List<InetAddress> local = realAddresses();
        for (Family f : Family.values()) {
            boolean wanted = ctx.dcAddress(f) != null && local.stream().anyMatch(a -> Family.of(a) == f);
            DatagramEndpoint ep = ctx.endpoints.get(f);
            if (wanted && ep == null) {
                ep = ctx.network.dualStackSockets() ? sharedEndpoint() : openEndpoint(f == Family.V4 ? anyV4() : anyV6());
                if (ep != null) {
                    ctx.endpoints.put(f, ep);
                }
            } else if (!wanted && ep != null) {
                ctx.endpoints.remove(f);
                ctx.observed.remove(f);
                // The dual-stack wildcard socket stays open through moments without addresses
                // (mid-move): closing it defers the kernel's unbind to the next select, so
                // reopening the port at once would fail with "address in use".
                if (ep != shared && !ctx.endpoints.containsValue(ep)) {
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
        NodeConfig config = ctx.config;
        boolean dcOnLoopback = (config.dcV4() != null && config.dcV4().getAddress().isLoopbackAddress())
                || (config.dcV6() != null && config.dcV6().getAddress().isLoopbackAddress());
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : ctx.network.localAddresses()) {
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
            return ctx.network.open(new InetSocketAddress(any, ctx.config.localPort()), ctx.loop, receiver);
        } catch (IOException | RuntimeException e) {
            ctx.counters.count(NodeCounter.OPEN_FAILED);
            LOG.warn("event=open-failed node={} bind={} error={}", ctx.key.fqdn(), any, e.getMessage());
            return null;
        }
    }

    private void registerNow() {
        if (registerTimer != null) {
            registerTimer.cancel();
        }
        if (ctx.closed) {
            return;
        }
        if (!recovering && registerTries >= REGISTER_TRIES && !registered.isDone()) {
            if (everRegistered) {
                lose("register-timeout", null); // after a move: keep trying, with the backoff
                return;
            }
            registered.completeExceptionally(new IOException("DC at " + ctx.config.dcV4() + " / "
                    + ctx.config.dcV6() + " did not answer " + REGISTER_TRIES + " REGISTER messages"));
            return;
        }
        registerTries++;
        if (ctx.endpoints.isEmpty()) {
            openEndpoints(); // a socket may have failed to open during a move: try again
        }
        List<InetAddress> real = realAddresses();
        if (real.size() > REGISTER_MAX_ADDRESSES) {
            real = real.subList(0, REGISTER_MAX_ADDRESSES);
        }
        Register reg = new Register(ctx.key.fqdn(), real, hostEndpoints(real), System.currentTimeMillis());
        boolean left = !ctx.endpoints.isEmpty();
        for (Map.Entry<Family, DatagramEndpoint> e : ctx.endpoints.entrySet()) {
            left &= ctx.outbox.send(e.getValue(), ctx.dcAddress(e.getKey()), ctx.dcKeys.send(), MessageType.REGISTER,
                    0, ctx.key.keyId(), reg::encode);
        }
        lastRegisterLeft = left;
        ctx.event(NodeEvents.REGISTER_SENT, "families=" + families());
        long retry = recovering ? reregisterBackoff(registerTries) : Math.min(REGISTER_RETRY_NANOS,
                REGISTER_FIRST_RETRY_NANOS << Math.min(registerTries - 1, REGISTER_RETRY_MAX_DOUBLINGS));
        registerTimer = ctx.loop.schedule(retry, () -> {
            if (!registered.isDone() || unacknowledgedFamily()) {
                registerNow();
            }
        });
    }

    /**
     * This node's host endpoints for REGISTER, as ICE host candidates (RFC 8445 section 5.1.1.1):
     * each real address with the port of our socket of its family, at most
     * {@code HOST_ENDPOINTS_PER_FAMILY} per family, in the host's order. Only private addresses
     * ({@link HostEndpoints#isPrivate}): a public one is reached without them, and the DC would
     * refuse it.
     * The DC hands them only to a peer it sees behind our public address (docs/protocol.md
     * "Route optimisation").
     */
    private List<InetSocketAddress> hostEndpoints(List<InetAddress> real) {
        List<InetSocketAddress> out = new ArrayList<>();
        int v4 = 0;
        int v6 = 0;
        for (InetAddress a : real) {
            DatagramEndpoint ep = ctx.endpoints.get(Family.of(a));
            if (ep == null || !HostEndpoints.isPrivate(a)) {
                continue;
            }
            int port = ep.localAddress().getPort();
            boolean four = a instanceof Inet4Address;
            if (port == 0 || (four ? v4 : v6) >= HOST_ENDPOINTS_PER_FAMILY) {
                continue;
            }
            if (four) {
                v4++;
            } else {
                v6++;
            }
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    /** REGISTER_ACK on family {@code f}: our virtual addresses, the address the DC saw, the keepalive interval. */
    void onRegisterAck(RegisterAck ack, Family f) {
        ctx.virtualV4 = ack.virtualV4();
        ctx.virtualV6 = ack.virtualV6();
        stack.setAddresses(ack.virtualV4(), ack.virtualV6());
        ctx.observed.put(f, ack.observed());
        keepaliveSeconds = Math.max(KEEPALIVE_MIN_SECONDS, ack.keepaliveSeconds());
        ctx.event(NodeEvents.REGISTER_ACKED, "family=" + f + " observed=" + NodeEvents.format(ack.observed())
                + " v4=" + NodeEvents.format(ack.virtualV4()) + " v6=" + NodeEvents.format(ack.virtualV6()));
        if (!registered.isDone()) {
            everRegistered = true;
            recovering = false;
            registerTries = 0;
            registered.complete(null);
            endKeepaliveRound();
            scheduleKeepalive();
        }
    }

    /**
     * The wait before REGISTER number {@code tries + 1} while recovering a lost registration:
     * {@code REREGISTER_FIRST_RETRY_NANOS} doubled per try up to {@code REREGISTER_MAX_RETRY_NANOS},
     * drawn uniformly from the upper half of that (jitter: the nodes of a restarted DC spread out).
     */
    private long reregisterBackoff(int tries) {
        long nominal = Math.min(REREGISTER_MAX_RETRY_NANOS,
                REREGISTER_FIRST_RETRY_NANOS << Math.min(Math.max(tries - 1, 0), REREGISTER_MAX_DOUBLINGS));
        return nominal / 2 + (long) (ctx.random.nextDouble() * (nominal / 2));
    }

    /**
     * The registration is lost ({@link NodeEvents#REGISTRATION_LOST} with {@code reason}, and
     * {@code family} when only one family's is): forget what the DC observed, report unregistered,
     * and register again at once, then with the backoff, without giving up.
     */
    private void lose(String reason, Family family) {
        endKeepaliveRound();
        ctx.counters.count(NodeCounter.REGISTRATION_LOST);
        ctx.event(NodeEvents.REGISTRATION_LOST, "reason=" + reason + (family == null ? "" : " family=" + family));
        LOG.info("event=registration-lost node={} reason={}", ctx.key.fqdn(), reason);
        ctx.observed.clear();
        if (registered.isDone()) {
            registered = new CompletableFuture<>();
        }
        recovering = true;
        registerTries = 0;
        registerNow();
    }

    /**
     * REREGISTER (authenticated: it opened with our DC key): the DC holds no registration of ours
     * (it restarted), or none on family {@code f}. Register again at once; while registering
     * already, the REGISTER is on its way.
     */
    void onReregister(Reregister r, Family f) {
        ctx.counters.count(NodeCounter.REREGISTER_REQUESTS);
        if (ctx.closed || !isRegistered()) {
            return;
        }
        if (r.reason() == Reregister.FAMILY_UNREGISTERED) {
            ctx.observed.remove(f);
            if (!ctx.observed.isEmpty()) { // registered on another family: only this one is re-done
                endKeepaliveRound();
                ctx.event(NodeEvents.REGISTRATION_LOST, "reason=dc-" + r.reasonName() + " family=" + f);
                registerTries = 0;
                registerNow();
                return;
            }
        }
        lose("dc-" + r.reasonName(), r.reason() == Reregister.FAMILY_UNREGISTERED ? f : null);
    }

    /** KEEPALIVE_ACK: the DC still holds us; its view of our address, a change means our NAT re-mapped us. */
    void onKeepaliveAck(KeepaliveAck ack, Family f) {
        endKeepaliveRound();
        InetSocketAddress before = ctx.observed.put(f, ack.observed());
        if (before != null && !before.equals(ack.observed())) {
            ctx.event(NodeEvents.MAPPING_CHANGED, "family=" + f + " observed=" + NodeEvents.format(ack.observed()));
        }
    }

    private void scheduleKeepalive() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
        keepaliveTimer = ctx.loop.schedule(TimeUnit.SECONDS.toNanos(keepaliveSeconds), () -> {
            if (ctx.closed) {
                return;
            }
            if (isRegistered() && keepaliveTries == 0) {
                sendKeepalive();
            }
            timers.keepalive(); // tunnels do not depend on the DC: their probes go on in any case
            scheduleKeepalive();
        });
    }

    /** One KEEPALIVE per family, then wait {@code KEEPALIVE_ACK_TIMEOUT_NANOS} for an ack. */
    private void sendKeepalive() {
        keepaliveTries++;
        for (Family f : ctx.endpoints.keySet()) {
            ctx.sendToDc(f, MessageType.KEEPALIVE, null);
        }
        keepaliveAckTimer = ctx.loop.schedule(KEEPALIVE_ACK_TIMEOUT_NANOS, () -> {
            keepaliveAckTimer = null;
            if (ctx.closed || !isRegistered()) {
                keepaliveTries = 0;
            } else if (keepaliveTries < KEEPALIVE_TRIES) {
                ctx.counters.count(NodeCounter.KEEPALIVE_RETRIES);
                sendKeepalive();
            } else {
                lose("keepalive-timeout", null);
            }
        });
    }

    private void endKeepaliveRound() {
        keepaliveTries = 0;
        if (keepaliveAckTimer != null) {
            keepaliveAckTimer.cancel();
            keepaliveAckTimer = null;
        }
    }

    /** Closes the real sockets and stops the keepalive (call on the loop). */
    void close() {
        java.util.Set.copyOf(ctx.endpoints.values()).forEach(DatagramEndpoint::close);
        if (shared != null) {
            shared.close();
        }
        ctx.endpoints.clear();
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
        endKeepaliveRound();
        if (registerTimer != null) {
            registerTimer.cancel();
        }
    }

    private static InetAddress anyV4() {
        try {
            return Inet4Address.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress anyV6() {
        try {
            return Inet6Address.getByAddress(new byte[16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
