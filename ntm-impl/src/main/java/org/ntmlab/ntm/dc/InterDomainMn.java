package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

import org.ntmlab.ntm.metrics.Counters;
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
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RouteDirection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This DC as DCmn: the MN is ours, the CN's name belongs to another domain (paper section 3.2:
 * "DCmn looks for DCcn with its DNS function, gets the CN's real and virtual addresses (and its
 * NAT's) from it, decides the route and directs MN and CN; the CN's direction goes through
 * DCcn"; docs/architecture.md "Several domains"). Owns the {@link RemoteRequest}s while DNS
 * and DC_QUERY run, DC_ANSWER (which makes the tunnel in {@link RouteDirections}, CN as a
 * {@link RemoteEnd}), DC_DIRECTION to DCcn and its ack, and DC_POSITION (the CN moved: decide
 * again here, since DCmn owns the tunnel). Used on the DC's event loop only.
 */
final class InterDomainMn {

    private static final Logger LOG = LoggerFactory.getLogger(InterDomainMn.class);

    private final String domain;
    private final EventLoop loop;
    private final SecureRandom random;
    private final Counters counters;
    private final InterDomainLink link;
    private final NodeRegistry nodes;
    private final Tunnels tunnels;
    private final RouteDirections routes;
    /** Requests for a name of another domain, while DNS and DC_QUERY run; by MN key + request id. */
    private final Map<String, RemoteRequest> requests = new HashMap<>();
    /** The same requests by DC_QUERY id, once their query is out. */
    private final Map<Long, RemoteRequest> queries = new HashMap<>();

    InterDomainMn(String domain, EventLoop loop, SecureRandom random, Counters counters, InterDomainLink link,
                  NodeRegistry nodes, Tunnels tunnels, RouteDirections routes) {
        this.domain = domain;
        this.loop = loop;
        this.random = random;
        this.counters = counters;
        this.link = link;
        this.nodes = nodes;
        this.tunnels = tunnels;
        this.routes = routes;
    }

    /** True while the request filed under {@code key} waits for DNS or the peer's DC. */
    boolean isAsking(String key) {
        return requests.containsKey(key);
    }

    /** A DIRECTION_REQUEST for a name of {@code cnDomain}, another domain: find its DC, then ask it. */
    void startRemote(NodeRecord mn, long requestId, String cnName, String cnDomain, String key) {
        DcChannel.Peer peer = link.peer(cnDomain);
        if (peer == null) {
            counters.count(DcCounter.NO_PEER_SECRET);
            routes.fail(mn, requestId, "no inter-DC secret for domain " + cnDomain + " (ntm dc --peer " + cnDomain
                    + "=SECRET), so " + cnName + " cannot be reached from " + domain);
            return;
        }
        RemoteRequest rr = new RemoteRequest(mn, requestId, cnName, cnDomain, peer, key);
        requests.put(key, rr);
        counters.count(DcCounter.REMOTE_REQUESTS);
        LOG.info("event=remote-request mn={} cn={} domain={}", mn.fqdn, cnName, cnDomain);
        link.locate(cnDomain, (addresses, error) -> {
            if (rr.done) {
                return;
            }
            if (error != null) {
                remoteFail(rr, error);
                return;
            }
            rr.dcAddresses = addresses;
            rr.tunnelId = tunnels.newTunnelId();
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
        if (rr.attempts >= Dc.DC_QUERY_TRIES) {
            link.forget(rr.domain); // it may have moved: ask DNS again next time
            counters.count(DcCounter.DC_QUERY_TIMEOUTS);
            remoteFail(rr, "DC of " + rr.domain + " at " + rr.dcAddresses + " did not answer (down, or it has no "
                    + "secret for " + domain + ")");
            return;
        }
        InetSocketAddress to = rr.dcAddresses.get(rr.attempts++ % rr.dcAddresses.size());
        DatagramEndpoint via = link.endpointToward(to);
        if (via != null) {
            link.send(via, to, rr.peer, MessageType.DC_QUERY,
                    b -> new DcQuery(rr.queryId, rr.tunnelId, rr.mn.fqdn, rr.cnFqdn).encode(b));
        }
        rr.timer = loop.schedule(Dc.RETRANSMIT_NANOS, () -> sendQuery(rr));
    }

    private void remoteFail(RemoteRequest rr, String reason) {
        finish(rr);
        counters.count(DcCounter.REMOTE_FAILURES);
        routes.fail(rr.mn, rr.requestId, reason);
    }

    private void finish(RemoteRequest rr) {
        rr.done = true;
        if (rr.timer != null) {
            rr.timer.cancel();
        }
        requests.remove(rr.key);
        queries.remove(rr.queryId);
    }

    /** DCcn says where the CN is: decide the path here and direct both ends. */
    void onDcAnswer(DcChannel.Peer peer, DcAnswer a, InetSocketAddress from) {
        RemoteRequest rr = queries.get(a.queryId());
        if (rr == null || rr.done || rr.peer != peer) {
            counters.count(DcCounter.DC_UNEXPECTED_ANSWER); // a late duplicate, most likely
            return;
        }
        finish(rr);
        NodeRecord mn = rr.mn;
        if (!nodes.isCurrent(mn) || mn.bindings.isEmpty()) {
            counters.count(DcCounter.REMOTE_MN_GONE);
            return;
        }
        if (tunnels.inUse(rr.tunnelId)) {
            remoteFail(rr, "tunnel id collision, please retry");
            return;
        }
        String outside = InterDomainLink.outsideBlock(peer.domain, a.cnV4(), a.cnV6());
        if (outside != null) {
            counters.count(DcCounter.DC_ADDRESS_OUTSIDE_BLOCK);
            LOG.warn("event=dc-answer-refused cn={} dc={} reason=\"{}\"", rr.cnFqdn, peer.domain, outside);
            remoteFail(rr, "DC of " + peer.domain + " answered a " + outside);
            return;
        }
        RemoteEnd cn = new RemoteEnd(rr.cnFqdn, a.cnV4(), a.cnV6(), InterDomainLink.position(a.position()), peer,
                from);
        LOG.info("event=dc-answer cn={} dc={} at={} position={}", cn.fqdn, peer.domain, from, cn.position);
        routes.createTunnel(rr.tunnelId, mn, rr.requestId, null, cn, PathRules.decide(mn.position(), cn.position),
                rr.key);
    }

    /** DC_DIRECTION: the CN's route direction, for DCcn to seal with the CN's key and deliver. */
    void sendCnDirection(PendingTunnel t, RouteDirection rd) {
        RemoteEnd r = t.remote;
        DatagramEndpoint via = link.endpointToward(r.dcAddress);
        int family = t.decision.cnFamily() == Family.V4 ? 4 : 6;
        if (via != null) {
            link.send(via, r.dcAddress, r.peer, MessageType.DC_DIRECTION,
                    b -> new DcDirection(family, r.fqdn, rd).encode(b));
        }
    }

    /** DC_DIRECTION_ACK: the remote CN acked the current generation. */
    void onDcDirectionAck(DcChannel.Peer peer, DcAck ack) {
        PendingTunnel t = tunnels.owned.get(ack.tunnelId());
        if (t == null || t.remote == null || t.remote.peer != peer) {
            counters.count(DcCounter.DC_UNEXPECTED_ACK);
            return;
        }
        if (ack.value() != t.generation) {
            counters.count(DcCounter.STALE_DIRECTION_ACK);
            return;
        }
        t.ackedByCn();
    }

    /** The CN of a tunnel we own moved (its DC tells us): store the position, ack, re-direct. */
    void onDcPosition(DcChannel.Peer peer, DcPosition m, InetSocketAddress from, DatagramEndpoint via) {
        PendingTunnel t = tunnels.owned.get(m.tunnelId());
        if (t == null || t.closed() || t.remote == null || t.remote.peer != peer) {
            link.sendFailure(peer, from, via, MessageType.DC_POSITION, m.tunnelId(), "no tunnel "
                    + Long.toHexString(m.tunnelId()) + " of yours here");
            return;
        }
        RemoteEnd r = t.remote;
        r.dcAddress = from;
        link.send(via, from, peer, MessageType.DC_POSITION_ACK, b -> new DcAck(m.tunnelId(), m.sequence()).encode(b));
        if (m.sequence() <= r.positionSequence) {
            counters.count(DcCounter.DC_STALE_POSITION); // a retransmission, or overtaken by a newer one
            return;
        }
        r.positionSequence = m.sequence();
        Position now = InterDomainLink.position(m.position());
        if (now.toString().equals(r.position.toString())) {
            counters.count(DcCounter.DC_POSITION_UNCHANGED);
            return;
        }
        r.position = now;
        counters.count(DcCounter.DC_POSITIONS);
        LOG.info("event=dc-position tunnel={} cn={} position={}", Long.toHexString(t.id), r.fqdn, r.position);
        routes.redirect(t, r.fqdn);
    }

    /** DC_FAILURE about our DC_QUERY: DCcn cannot serve the request. */
    void onQueryRefused(DcChannel.Peer peer, DcFailure f) {
        RemoteRequest rr = queries.get(f.id());
        if (rr != null && rr.peer == peer && !rr.done) {
            remoteFail(rr, "DC of " + rr.domain + ": " + f.reason());
        } else {
            counters.count(DcCounter.DC_UNEXPECTED_FAILURE);
        }
    }

    /** DC_FAILURE about our DC_DIRECTION: DCcn will not deliver it, so the tunnel is dropped. */
    void onDirectionRefused(DcChannel.Peer peer, DcFailure f) {
        PendingTunnel t = tunnels.owned.get(f.id());
        if (t != null && t.remote != null && t.remote.peer == peer) {
            t.close();
            tunnels.owned.remove(t.id);
            counters.count(DcCounter.DC_DIRECTION_REFUSED);
            routes.fail(t.mn, t.requestId, "DC of " + peer.domain + ": " + f.reason());
        } else {
            counters.count(DcCounter.DC_UNEXPECTED_FAILURE);
        }
    }
}
