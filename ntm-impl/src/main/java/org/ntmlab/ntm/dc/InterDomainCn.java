package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.wire.DcAck;
import org.ntmlab.ntm.wire.DcAnswer;
import org.ntmlab.ntm.wire.DcDirection;
import org.ntmlab.ntm.wire.DcFailure;
import org.ntmlab.ntm.wire.DcPosition;
import org.ntmlab.ntm.wire.DcQuery;
import org.ntmlab.ntm.wire.DcReach;
import org.ntmlab.ntm.wire.DirectionAck;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RouteDirection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This DC as DCcn: the CN is ours, the MN and the tunnel belong to another domain's DC (paper
 * section 3.2: DCmn gets the CN's addresses from DCcn, and "the direction to the CN goes
 * through DCcn"; docs/architecture.md "Several domains"). Answers DC_QUERY with the CN's
 * virtual addresses and position, hands DC_DIRECTION on to the CN sealed with the CN's key,
 * returns the CN's ack (DC_DIRECTION_ACK), and reports the CN's moves to DCmn (DC_POSITION,
 * retransmitted until acked). Owns the {@link ForeignTunnel}s (kept in {@link Tunnels}).
 * Used on the DC's event loop only.
 */
final class InterDomainCn {

    private static final Logger LOG = LoggerFactory.getLogger(InterDomainCn.class);

    private final String domain;
    private final EventLoop loop;
    private final Outbox outbox;
    private final Counters counters;
    private final InterDomainLink link;
    private final NodeRegistry nodes;
    private final Tunnels tunnels;

    InterDomainCn(String domain, EventLoop loop, Outbox outbox, Counters counters, InterDomainLink link,
                  NodeRegistry nodes, Tunnels tunnels) {
        this.domain = domain;
        this.loop = loop;
        this.outbox = outbox;
        this.counters = counters;
        this.link = link;
        this.nodes = nodes;
        this.tunnels = tunnels;
    }

    /** DC_QUERY: where is our node {@code q.cnFqdn()}? DC_ANSWER, or DC_FAILURE with the reason. */
    void onDcQuery(DcChannel.Peer peer, DcQuery q, InetSocketAddress from, DatagramEndpoint via) {
        String cnName = q.cnFqdn().toLowerCase(Locale.ROOT);
        NodeRecord cn = nodes.byName(cnName);
        ForeignTunnel ft = tunnels.foreign.get(q.tunnelId());
        String reason = null;
        if (!peer.domain.equals(InterDcConfig.domainOf(q.mnFqdn()))) {
            reason = "DC of " + peer.domain + " cannot ask for " + q.mnFqdn() + ", a name of another domain";
        } else if (!domain.equals(InterDcConfig.domainOf(cnName))) {
            reason = q.cnFqdn() + " is not in " + domain;
        } else if (cn == null || cn.bindings.isEmpty()) {
            reason = "no node registered as " + q.cnFqdn();
        } else if (tunnels.owned.containsKey(q.tunnelId()) || ft != null && ft.owner != peer) {
            reason = "tunnel id " + Long.toHexString(q.tunnelId()) + " is in use here";
        }
        if (reason != null) {
            counters.count(DcCounter.DC_QUERIES_REFUSED);
            link.sendFailure(peer, from, via, MessageType.DC_QUERY, q.queryId(), reason);
            return;
        }
        counters.count(DcCounter.DC_QUERIES_ANSWERED);
        List<DcReach> position = InterDomainLink.reaches(cn);
        link.send(via, from, peer, MessageType.DC_ANSWER,
                b -> new DcAnswer(q.queryId(), cn.v4, cn.v6, position).encode(b));
    }

    /** DCmn's direction for our CN: hand it on, sealed with the CN's key (paper 3.2: "through DCcn"). */
    void onDcDirection(DcChannel.Peer peer, DcDirection m, InetSocketAddress from, DatagramEndpoint via) {
        RouteDirection rd = m.direction();
        long id = rd.tunnelId();
        String cnName = m.cnFqdn().toLowerCase(Locale.ROOT);
        NodeRecord cn = nodes.byName(cnName);
        ForeignTunnel ft = tunnels.foreign.get(id);
        String reason = null;
        if (rd.role() != RouteDirection.RESPONDER || rd.requestId() != 0) {
            reason = "a CN's direction must have role responder and request id 0";
        } else if (!peer.domain.equals(InterDcConfig.domainOf(rd.peerFqdn()))) {
            reason = "DC of " + peer.domain + " cannot direct toward " + rd.peerFqdn() + ", a name of another domain";
        } else if (InterDomainLink.outsideBlock(peer.domain, rd.peerV4(), rd.peerV6()) != null) {
            counters.count(DcCounter.DC_ADDRESS_OUTSIDE_BLOCK);
            reason = "the MN's " + InterDomainLink.outsideBlock(peer.domain, rd.peerV4(), rd.peerV6());
        } else if (cn == null || cn.bindings.isEmpty()) {
            reason = "no node registered as " + m.cnFqdn();
        } else if (tunnels.owned.containsKey(id) || ft != null && (ft.owner != peer || !ft.cn.fqdn.equals(cnName))) {
            reason = "tunnel id " + Long.toHexString(id) + " is in use here";
        }
        if (reason != null) {
            counters.count(DcCounter.DC_DIRECTIONS_REFUSED);
            link.sendFailure(peer, from, via, MessageType.DC_DIRECTION, id, reason);
            return;
        }
        if (ft == null) {
            ft = new ForeignTunnel(id, peer, cn);
            tunnels.foreign.put(id, ft);
            counters.count(DcCounter.FOREIGN_TUNNELS);
            LOG.info("event=foreign-tunnel tunnel={} cn={} mn={} dc={}", Long.toHexString(id), cnName, rd.peerFqdn(),
                    peer.domain);
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
            counters.count(DcCounter.DC_STALE_DIRECTION);
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
        NodeRecord.Binding b = cn.bindings.get(m.cnFamily() == 4 ? Family.V4 : Family.V6);
        if (b == null) {
            counters.count(DcCounter.DIRECTION_STALE); // the CN left that family; its new position is on the way
            return;
        }
        outbox.send(b.via(), b.observed(), cn.assoc.send(), MessageType.ROUTE_DIRECTION, 0, cn.keyId, rd::encode);
    }

    /** ROUTE_DIRECTION_ACK from our CN for a tunnel DCmn owns: pass it on as DC_DIRECTION_ACK. */
    void onDirectionAck(NodeRecord node, ForeignTunnel ft, DirectionAck ack) {
        if (node != ft.cn) {
            counters.count(DcCounter.FOREIGN_TUNNEL_ACK);
            return;
        }
        if (ack.generation() != ft.generation) {
            counters.count(DcCounter.STALE_DIRECTION_ACK);
            return;
        }
        ft.cnAcked = true;
        sendForeignAck(ft);
    }

    private void sendForeignAck(ForeignTunnel ft) {
        long gen = ft.generation;
        link.send(ft.via, ft.ownerAddress, ft.owner, MessageType.DC_DIRECTION_ACK,
                b -> new DcAck(ft.id, gen).encode(b));
    }

    /** {@code node} moved: tell the DC of each tunnel it is the CN of (DCmn decides again). */
    void reportPositionOf(NodeRecord node) {
        node.foreign.removeIf(ft -> ft.closed);
        for (ForeignTunnel ft : node.foreign) {
            reportPosition(ft);
        }
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
        if (ft.positionAttempts++ >= Dc.MAX_RETRANSMITS) {
            counters.count(DcCounter.DC_POSITION_TIMEOUTS);
            LOG.info("event=dc-position-timeout tunnel={} dc={}", Long.toHexString(ft.id), ft.owner.domain);
            return;
        }
        List<DcReach> position = InterDomainLink.reaches(ft.cn);
        if (!position.isEmpty()) {
            long seq = ft.positionSequence;
            link.send(ft.via, ft.ownerAddress, ft.owner, MessageType.DC_POSITION,
                    b -> new DcPosition(ft.id, seq, position).encode(b));
        }
        ft.positionTimer = loop.schedule(Dc.RETRANSMIT_NANOS, () -> sendPosition(ft));
    }

    void onDcPositionAck(DcChannel.Peer peer, DcAck ack) {
        ForeignTunnel ft = tunnels.foreign.get(ack.tunnelId());
        if (ft == null || ft.owner != peer) {
            counters.count(DcCounter.DC_UNEXPECTED_ACK);
            return;
        }
        if (ack.value() == ft.positionSequence) {
            ft.positionAcked = ack.value();
            if (ft.positionTimer != null) {
                ft.positionTimer.cancel();
            }
        }
    }

    /** DC_FAILURE about our DC_POSITION: the owner no longer has the tunnel, so we forget it too. */
    void onPositionRefused(DcChannel.Peer peer, DcFailure f) {
        ForeignTunnel ft = tunnels.foreign.get(f.id());
        if (ft != null && ft.owner == peer) {
            ft.closed = true;
            if (ft.positionTimer != null) {
                ft.positionTimer.cancel();
            }
            tunnels.foreign.remove(ft.id);
            ft.cn.foreign.remove(ft);
        } else {
            counters.count(DcCounter.DC_UNEXPECTED_FAILURE);
        }
    }
}
