package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.wire.DcAck;
import org.ntmlab.ntm.wire.DcAnswer;
import org.ntmlab.ntm.wire.DcDirection;
import org.ntmlab.ntm.wire.DcFailure;
import org.ntmlab.ntm.wire.DcPosition;
import org.ntmlab.ntm.wire.DcQuery;
import org.ntmlab.ntm.wire.DirectionAck;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageDrop;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.Register;
import org.ntmlab.ntm.wire.Reregister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every datagram on the DC's signalling sockets (paper section 3.1: all NTMobile signalling is
 * authenticated and encrypted with keys shared in advance): checks the NTM header, opens the
 * message with the key of its sender (a node's, an RS's, or a peer DC's through
 * {@link InterDomainLink}) into one reused buffer, and hands it to the part that owns its
 * message type. No input can stop the DC: malformed or unauthenticated messages are counted
 * and dropped. Runs on the DC's event loop; allocates nothing of its own per packet.
 */
final class SignallingReceiver implements DatagramEndpoint.Receiver {

    private static final Logger LOG = LoggerFactory.getLogger(SignallingReceiver.class);

    private final ByteBuffer plain = ByteBuffer.allocate(Dc.PLAINTEXT_BUFFER_BYTES);
    private final Counters counters;
    private final NodeRegistry nodes;
    private final RouteDirections routes;
    private final RelayAuthorisation relays;
    private final InterDomainLink link;
    private final InterDomainMn dcmn;
    private final InterDomainCn dccn;

    SignallingReceiver(Counters counters, NodeRegistry nodes, RouteDirections routes, RelayAuthorisation relays,
                       InterDomainLink link, InterDomainMn dcmn, InterDomainCn dccn) {
        this.counters = counters;
        this.nodes = nodes;
        this.routes = routes;
        this.relays = relays;
        this.link = link;
        this.dcmn = dcmn;
        this.dccn = dccn;
    }

    @Override
    public void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        int at = p.position();
        MessageDrop bad = NtmHeader.precheck(p, at, p.remaining());
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
        NodeRecord node = nodes.byKey(id);
        if (node == null) {
            if (MessageType.isNodeToDc(type)) {
                // REGISTER of a new login, or a node this DC forgot (it restarted): fetch the key
                // from the AS; the message is handled again once it is there
                nodes.fetchKeyThenRetry(p, from, via, id, this);
            } else {
                counters.count(DcCounter.UNKNOWN_KEY);
            }
            return;
        }
        plain.clear();
        TrafficKey.Result res = node.assoc.receive().open(p, plain);
        if (res != TrafficKey.Result.OK) {
            counters.count(res.drop());
            return;
        }
        plain.flip();
        if (type != MessageType.REGISTER && node.bindings.isEmpty()) {
            // authenticated, but we hold no registration (a restarted DC): ask the node to register
            nodes.askToRegister(node, Reregister.UNKNOWN_NODE, type, from, via);
            return;
        }
        try {
            switch (type) {
                case MessageType.REGISTER -> {
                    if (nodes.onRegister(node, Register.decode(plain), from, via)) {
                        routes.redirectTunnelsOf(node);
                    }
                }
                case MessageType.KEEPALIVE -> {
                    if (nodes.onKeepalive(node, from, via)) {
                        routes.redirectTunnelsOf(node); // NAT rebinding: the peers must learn the new mapping
                    }
                }
                case MessageType.DIRECTION_REQUEST -> routes.onDirectionRequest(node, DirectionRequest.decode(plain));
                case MessageType.ROUTE_DIRECTION_ACK -> routes.onRouteDirectionAck(node, DirectionAck.decode(plain));
                default -> counters.count(MessageDrop.UNEXPECTED_TYPE);
            }
        } catch (MalformedMessageException e) {
            counters.count(MessageDrop.MALFORMED);
            LOG.debug("event=malformed from={} reason={}", from, e.getMessage());
        }
    }

    /** RELAY_AUTHORISE_ACK, under the RS's key id. */
    private void onRelayAck(ByteBuffer p, long relayId) {
        RelayState rs = relays.relay(relayId);
        if (rs == null) {
            counters.count(DcCounter.UNKNOWN_RELAY);
            return;
        }
        plain.clear();
        TrafficKey.Result res = rs.assoc.receive().open(p, plain);
        if (res != TrafficKey.Result.OK) {
            counters.count(res.drop());
            return;
        }
        plain.flip();
        try {
            relays.onAuthoriseAck(IdBody.decode(plain, "RELAY_AUTHORISE_ACK").value());
        } catch (MalformedMessageException e) {
            counters.count(MessageDrop.MALFORMED);
        }
    }

    /** A DC <-> DC message: as DCmn (answers, acks, positions) or as DCcn (queries, directions). */
    private void onDcMessage(ByteBuffer p, int type, InetSocketAddress from, DatagramEndpoint via) {
        if (!link.configured()) {
            counters.count(DcCounter.DC_NO_PEERS); // no peer domain configured: nobody can talk to us
            return;
        }
        DcChannel.Peer peer = link.open(p, plain, from);
        if (peer == null) {
            return; // counted by the channel
        }
        try {
            switch (type) {
                case MessageType.DC_QUERY -> dccn.onDcQuery(peer, DcQuery.decode(plain), from, via);
                case MessageType.DC_ANSWER -> dcmn.onDcAnswer(peer, DcAnswer.decode(plain), from);
                case MessageType.DC_DIRECTION -> dccn.onDcDirection(peer, DcDirection.decode(plain), from, via);
                case MessageType.DC_DIRECTION_ACK ->
                        dcmn.onDcDirectionAck(peer, DcAck.decode(plain, "DC_DIRECTION_ACK"));
                case MessageType.DC_POSITION -> dcmn.onDcPosition(peer, DcPosition.decode(plain), from, via);
                case MessageType.DC_POSITION_ACK -> dccn.onDcPositionAck(peer, DcAck.decode(plain, "DC_POSITION_ACK"));
                case MessageType.DC_FAILURE -> onDcFailure(peer, DcFailure.decode(plain));
                default -> counters.count(DcCounter.DC_UNEXPECTED);
            }
        } catch (MalformedMessageException e) {
            counters.count(DcCounter.DC_MALFORMED);
            LOG.debug("event=dc-malformed from={} peer={} reason={}", from, peer.domain, e.getMessage());
        }
    }

    /** DC_FAILURE: a peer DC refused our DC_QUERY, DC_DIRECTION (we are DCmn) or DC_POSITION (DCcn). */
    private void onDcFailure(DcChannel.Peer peer, DcFailure f) {
        LOG.info("event=dc-failure peer={} about={} id={} reason=\"{}\"", peer.domain, MessageType.name(f.about()),
                Long.toHexString(f.id()), f.reason());
        switch (f.about()) {
            case MessageType.DC_QUERY -> dcmn.onQueryRefused(peer, f);
            case MessageType.DC_DIRECTION -> dcmn.onDirectionRefused(peer, f);
            default -> dccn.onPositionRefused(peer, f); // DC_POSITION: the owner no longer has the tunnel
        }
    }
}

