package org.ntmlab.ntm.node;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.TunnelHello;

/**
 * The send side of the tunnels (paper section 4.2, Figure 6 (1)): encapsulates the virtual
 * stack's inner packets as sealed DATA, and sends the tunnel's own messages (TUNNEL_*, PROBE,
 * RELAY_BIND). It picks the real socket by the target's family and the header flags by the
 * path: a message to the peer's own or mapped address is not marked relayed.
 */
final class TunnelSend {

    /** PROBE nonce of the keepalive probe on up tunnels (docs/protocol.md "Keepalive of direct paths"). */
    static final long KEEPALIVE_NONCE = 0;
    /**
     * PROBE nonce of the move notice (docs/protocol.md "Moves"): keepalive probes carry 0,
     * route-optimisation probes a random nonce; 1 says "my address changed, the path works
     * again", so the receiver's TCP resends at once rather than at its backed-off timer.
     */
    static final long RESUME_NONCE = 1;

    private final NodeContext ctx;
    // heap buffer: javax.crypto copies direct buffers through temporary arrays (ntm-bench gc profile)
    private final ByteBuffer tx = ByteBuffer.allocate(ProtocolConstants.Node.DATAGRAM_BUFFER_BYTES);
    private final Consumer<ByteBuffer> hello = this::encodeHello;

    private Consumer<Tunnel> onDownTunnel = t -> { };

    TunnelSend(NodeContext ctx) {
        this.ctx = ctx;
    }

    /** What an inner packet for a DOWN tunnel's peer triggers: a re-resolve ({@link Resolution#reresolve}). */
    void onDownTunnel(Consumer<Tunnel> action) {
        this.onDownTunnel = action;
    }

    /** The virtual stack's output: one inner packet to encapsulate (paper Figure 6 (1)). */
    void sendInner(ByteBuffer ip) {
        Tunnel t = ctx.tunnels.forDestination(ip, ip.position());
        if (t == null || !t.carriesData()) { // once up, keep sending while a move re-signals the path
            ctx.counters.count(NodeCounter.NO_TUNNEL);
            if (t != null && t.isDown()) {
                onDownTunnel.accept(t); // the next packet to a dead tunnel's peer re-resolves through the DC
            }
            return;
        }
        InetSocketAddress to = t.target();
        DatagramEndpoint ep = ctx.endpointFor(to);
        if (ep == null) {
            ctx.counters.count(NodeCounter.NO_ENDPOINT);
            return;
        }
        int len = ip.remaining();
        tx.clear();
        t.keys.send().seal(tx, MessageType.DATA, flags(t), t.id, ip);
        tx.flip();
        if (ep.send(tx, to)) {
            t.sent(len);
        }
    }

    /** Sends one tunnel message sealed with the tunnel key; returns whether the kernel (or the in-memory network) took it. */
    boolean sendTunnelMessage(Tunnel t, int type, Consumer<ByteBuffer> body, InetSocketAddress to) {
        DatagramEndpoint ep = ctx.endpointFor(to);
        if (ep == null) {
            ctx.counters.count(NodeCounter.NO_ENDPOINT);
            return false;
        }
        int fl = flags(t);
        if (to.equals(t.peerMapped()) || to.equals(t.peerEndpoint()) && t.path() == Tunnel.Path.DIRECT) {
            fl &= ~NtmHeader.FLAG_RELAYED;
        }
        return ctx.outbox.send(ep, to, t.keys.send(), type, fl, t.id, body);
    }

    /** A PROBE (or PROBE_ACK, by {@code type}) carrying {@code nonce}. */
    boolean sendProbe(Tunnel t, int type, long nonce, InetSocketAddress to) {
        return sendTunnelMessage(t, type, b -> new IdBody(nonce).encode(b), to);
    }

    /** TUNNEL_REQUEST or TUNNEL_RESPONSE: our name and virtual addresses. */
    void sendHello(Tunnel t, int type, InetSocketAddress to) {
        sendTunnelMessage(t, type, hello, to);
    }

    /** RELAY_BIND to the tunnel's RS, sealed with the relay key; returns whether it left. */
    boolean sendRelayBind(Tunnel t) {
        InetSocketAddress rs = t.relayEndpoint();
        DatagramEndpoint ep = ctx.endpointFor(rs);
        return ep != null && ctx.outbox.send(ep, rs, t.relayKeys().send(), MessageType.RELAY_BIND, flags(t), t.id,
                null);
    }

    private void encodeHello(ByteBuffer b) {
        new TunnelHello(ctx.key.fqdn(), ctx.virtualV4, ctx.virtualV6).encode(b);
    }

    private static int flags(Tunnel t) {
        return (t.initiator ? NtmHeader.FLAG_INITIATOR : 0) | (t.path() == Tunnel.Path.RELAY
                ? NtmHeader.FLAG_RELAYED : 0);
    }
}
