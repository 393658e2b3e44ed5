package org.ntmlab.ntm.node;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.stack.Ip;
import org.ntmlab.ntm.stack.VirtualStack;
import org.ntmlab.ntm.stack.tcp.TcpLayer;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageDrop;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * The receive side of the tunnels (paper section 3.2, UDP tunnel; section 4.2, Figure 6 in
 * reverse): opens each tunnel message with the tunnel key (RELAY_BIND_ACK with the relay
 * key), lets what any authenticated message proves act on the {@link Tunnel} (the peer
 * roamed, the path works again after a move), then handles the message by type: DATA goes to
 * the virtual stack, TUNNEL_REQUEST / TUNNEL_RESPONSE bring the tunnel UP, PROBE is answered,
 * PROBE_ACK completes route optimisation (docs/protocol.md "Route optimisation"). Also tells
 * the TCP stack when a path works again ("path resume", docs/protocol.md). Loop-thread only.
 */
final class TunnelReceive {

    private final NodeContext ctx;
    private final ByteBuffer plain;
    private final VirtualStack stack;
    private final TcpLayer tcp;
    private final TunnelSend send;
    private final TunnelTimers timers;
    private final PendingResolves pending;

    TunnelReceive(NodeContext ctx, VirtualStack stack, TcpLayer tcp, TunnelSend send, TunnelTimers timers,
                  PendingResolves pending) {
        this.ctx = ctx;
        this.plain = ctx.plain;
        this.stack = stack;
        this.tcp = tcp;
        this.send = send;
        this.timers = timers;
        this.pending = pending;
    }

    /** A message of a tunnel (its header passed the pre-check): {@code id} is the tunnel id. */
    void onTunnelMessage(ByteBuffer p, int type, long id, InetSocketAddress from) {
        Tunnel t = ctx.tunnels.get(id);
        if (t == null) {
            ctx.counters.count(NodeCounter.UNKNOWN_TUNNEL);
            return;
        }
        if (type == MessageType.RELAY_BIND_ACK) {
            onRelayBindAck(t, p);
            return;
        }
        if (!open(t, p, type, from)) {
            return;
        }
        switch (type) {
            case MessageType.DATA -> onData(t);
            case MessageType.TUNNEL_REQUEST -> onTunnelRequest(t, from);
            case MessageType.TUNNEL_RESPONSE -> onTunnelResponse(t);
            case MessageType.PROBE -> onProbe(t, from);
            case MessageType.PROBE_ACK -> onProbeAck(t, from);
            default -> ctx.counters.count(MessageDrop.UNEXPECTED_TYPE);
        }
    }

    /**
     * Opens {@code p} into the plaintext buffer with the tunnel key, then applies what any
     * authenticated message proves. Returns false (counted) when it does not open.
     */
    private boolean open(Tunnel t, ByteBuffer p, int type, InetSocketAddress from) {
        long counter = NtmHeader.counter(p, p.position());
        long highestBefore = t.keys.receive().highestOpened();
        plain.clear();
        TrafficKey.Result r = t.keys.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            t.dropped();
            ctx.counters.count(NodeCounter.tunnelDrop(r));
            return false;
        }
        plain.flip();
        if (t.heard()) {
            ctx.counters.count(NodeCounter.TUNNELS_REVIVED);
            ctx.event(NodeEvents.TUNNEL_REVIVED, "tunnel=" + Long.toHexString(t.id) + " peer=" + t.peerFqdn);
            pathResumed(t, "revived");
        }
        if (t.peerSeenAt(from, counter > highestBefore)) {
            ctx.event(NodeEvents.PEER_ROAMED, "tunnel=" + Long.toHexString(t.id) + " endpoint=" + NodeEvents.format(from));
        }
        if (t.awaitingResume() && t.isUp()) {
            pathResumed(t, "first-packet"); // the first authenticated packet over the resumed path
        }
        if (type != MessageType.TUNNEL_REQUEST) {
            tunnelUp(t, t.trafficAfterRedirection());
        }
        return true;
    }

    /** RELAY_BIND_ACK: the RS bound our address (at set-up, or again after a move). */
    private void onRelayBindAck(Tunnel t, ByteBuffer p) {
        plain.clear();
        if (t.relayKeys() == null || t.relayKeys().receive().open(p, plain) != TrafficKey.Result.OK) {
            ctx.counters.count(NodeCounter.BAD_RELAY_ACK);
            return;
        }
        if (t.awaitingResume() && t.isUp() && t.path() == Tunnel.Path.RELAY) {
            // re-bound at the RS from the new address: tell the peer (its TCP may be waiting
            // on a backed-off timer too) and resend our own outstanding segments
            send.sendProbe(t, MessageType.PROBE, TunnelSend.RESUME_NONCE, t.relayEndpoint());
            pathResumed(t, "relay-rebound");
        }
        if (t.relayBound()) {
            timers.connect(t);
        }
    }

    private void onData(Tunnel t) {
        if (!fromPeer(t)) {
            t.dropped();
            ctx.counters.count(NodeCounter.SPOOFED_SOURCE);
            return;
        }
        t.received(plain.remaining());
        stack.inputFromTunnel(plain); // AEAD verified: no transport checksums again
    }

    /**
     * Cryptokey routing (as WireGuard's allowed IPs, issue 11 finding 3): an inner packet is
     * accepted only with the tunnel's peer's own virtual address as its source, so a peer cannot
     * pose as another node (and start an echo loop between two others). A packet too short to
     * carry a source passes on, for the stack to count as malformed.
     */
    private boolean fromPeer(Tunnel t) {
        int at = plain.position();
        int n = plain.remaining();
        if (n < 1) {
            return true;
        }
        int version = (plain.get(at) & 0xFF) >>> 4;
        if (version == 4) {
            return n < 20 || Ip.srcEquals(plain, at, t.peerV4Bytes);
        }
        if (version == 6) {
            return n < 40 || Ip.srcEquals(plain, at, t.peerV6Bytes);
        }
        return true;
    }

    /** TUNNEL_REQUEST (responder): answer TUNNEL_RESPONSE the way it came, then UP. */
    private void onTunnelRequest(Tunnel t, InetSocketAddress from) {
        if (t.opener()) {
            ctx.counters.count(MessageDrop.UNEXPECTED_TYPE);
            return;
        }
        t.requestReceived(from);
        send.sendHello(t, MessageType.TUNNEL_RESPONSE, t.path() == Tunnel.Path.DIRECT ? from : t.relayEndpoint());
        tunnelUp(t, t.requestAnswered(ctx.loop.nanoTime()));
    }

    /** TUNNEL_RESPONSE (opener): UP. */
    private void onTunnelResponse(Tunnel t) {
        if (!t.opener()) {
            ctx.counters.count(MessageDrop.UNEXPECTED_TYPE);
            return;
        }
        tunnelUp(t, t.responseReceived(ctx.loop.nanoTime()));
    }

    /**
     * PROBE (keepalive, route optimisation or move notice): answer PROBE_ACK to its source. A
     * route-optimisation PROBE (any nonce but the keepalive's and the move notice's) from outside
     * the RS also triggers a check of that source while this end is relayed
     * ({@link TunnelTimers#triggeredCheck}), so both ends agree on the path.
     */
    private void onProbe(Tunnel t, InetSocketAddress from) {
        try {
            long nonce = IdBody.decode(plain, "PROBE").value();
            send.sendProbe(t, MessageType.PROBE_ACK, nonce, from);
            if (nonce == TunnelSend.RESUME_NONCE) {
                pathResumed(t, "peer-moved");
            } else if (nonce != TunnelSend.KEEPALIVE_NONCE) {
                timers.triggeredCheck(t, from);
            }
        } catch (MalformedMessageException e) {
            ctx.counters.count(MessageDrop.MALFORMED);
        }
    }

    /** PROBE_ACK: from outside the RS it proves a direct path (route optimisation). */
    private void onProbeAck(Tunnel t, InetSocketAddress from) {
        if (t.probeAcked(from)) {
            ctx.counters.count(NodeCounter.OPTIMISED);
            ctx.event(NodeEvents.ROUTE_OPTIMISED, "tunnel=" + Long.toHexString(t.id) + " endpoint=" + NodeEvents.format(from));
        }
    }

    /** What follows an event that made (or kept) {@code t} UP: log, path resume, resolves complete, route optimisation. */
    private void tunnelUp(Tunnel t, Tunnel.Up change) {
        if (change == Tunnel.Up.NO) {
            return;
        }
        if (change != Tunnel.Up.STILL) {
            boolean again = change == Tunnel.Up.AGAIN;
            ctx.event(again ? NodeEvents.TUNNEL_UPDATED : NodeEvents.TUNNEL_UP, "tunnel=" + Long.toHexString(t.id)
                    + " peer=" + t.peerFqdn + " path=" + t.path() + " target=" + NodeEvents.format(t.target()));
            if (again) {
                pathResumed(t, "re-directed");
            } else if (supersedeOlder(t)) {
                pathResumed(t, "replaced"); // TCP waited on a backed-off timer while the old tunnel was dead
            }
        }
        pending.tunnelUp(t);
        timers.optimise(t);
    }

    /**
     * {@code t} is UP for the first time: older tunnels to the same peer (DOWN ones the re-resolve
     * replaced, or a pair both ends asked for at once) leave the table, so that both ends settle
     * on the newest tunnel, as the DC does (docs/protocol.md "Tunnel liveness"). Returns whether
     * there was any.
     */
    private boolean supersedeOlder(Tunnel t) {
        boolean any = false;
        for (Tunnel o : ctx.tunnels.byPeer(t.peerFqdn)) {
            if (o == t) {
                break; // byPeer is in creation order: only those before t are older
            }
            ctx.tunnels.remove(o);
            o.failed(ctx.loop.nanoTime()); // stops its retries
            ctx.counters.count(NodeCounter.TUNNELS_SUPERSEDED);
            ctx.event(NodeEvents.TUNNEL_REMOVED, "tunnel=" + Long.toHexString(o.id) + " peer=" + o.peerFqdn
                    + " reason=superseded by=" + Long.toHexString(t.id));
            any = true;
        }
        return any;
    }

    /**
     * The tunnel works again after a move of this end or the peer: TCP connections to the
     * peer's virtual addresses resend now ({@link TcpLayer#pathResumed}) instead of waiting
     * for a retransmission timer that backed off while the old path was dead.
     */
    private void pathResumed(Tunnel t, String reason) {
        t.resumed();
        int n = 0;
        if (t.peerV4 != null) {
            n += tcp.pathResumed(t.peerV4);
        }
        if (t.peerV6 != null) {
            n += tcp.pathResumed(t.peerV6);
        }
        ctx.counters.count(NodeCounter.PATH_RESUMED);
        ctx.event(NodeEvents.PATH_RESUMED, "tunnel=" + Long.toHexString(t.id) + " reason=" + reason + " tcp=" + n);
    }
}
