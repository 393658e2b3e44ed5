package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;

import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.wire.DirectionAck;
import org.ntmlab.ntm.wire.DirectionFailure;
import org.ntmlab.ntm.wire.DirectionRequest;
import org.ntmlab.ntm.wire.HostName;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RouteDirection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route directions (paper section 3.2: the MN sends its DC a direction request with the CN's
 * FQDN; the DC decides the path from where both are and directs both ends; section 4.2: after
 * a move the DC signals again). Owns DIRECTION_REQUEST, the {@link PathRules} decision, the
 * {@link PendingTunnel}s, ROUTE_DIRECTION to both ends (retransmitted until each acks),
 * DIRECTION_ACK, DIRECTION_FAILURE, and re-direction after a move (generation + 1, same id and
 * keys, route optimisation re-decided). A relay path first goes through
 * {@link RelayAuthorisation}; a CN of another domain through {@link InterDomainMn}.
 * Used on the DC's event loop only.
 */
final class RouteDirections {

    private static final Logger LOG = LoggerFactory.getLogger(RouteDirections.class);

    private final EventLoop loop;
    private final SecureRandom random;
    private final Outbox outbox;
    private final Counters counters;
    private final String domain;
    private final NodeRegistry nodes;
    private final Tunnels tunnels;
    private final InterDomainCn dccn;
    // the parts that call back into this one: set once by connect(), before any datagram
    private RelayAuthorisation relays;
    private InterDomainMn dcmn;

    RouteDirections(String domain, EventLoop loop, SecureRandom random, Outbox outbox, Counters counters,
                    NodeRegistry nodes, Tunnels tunnels, InterDomainCn dccn) {
        this.domain = domain;
        this.loop = loop;
        this.random = random;
        this.outbox = outbox;
        this.counters = counters;
        this.nodes = nodes;
        this.tunnels = tunnels;
        this.dccn = dccn;
    }

    /** Closes the loop with the two parts that both use this one and are used by it. */
    void connect(RelayAuthorisation relays, InterDomainMn dcmn) {
        this.relays = relays;
        this.dcmn = dcmn;
    }

    void onDirectionRequest(NodeRecord mn, DirectionRequest req) {
        String key = mn.keyId + "/" + req.requestId();
        PendingTunnel existing = tunnels.byRequest.get(key);
        if (existing != null) { // the MN retransmitted: answer again
            if (existing.directionsSentOnce()) {
                sendDirection(existing, true);
            }
            return;
        }
        if (dcmn.isAsking(key)) {
            return; // the MN retransmitted while we ask DNS and the peer's DC
        }
        String notHost = HostName.problem(req.peerFqdn());
        if (notHost != null) {
            // refused before it is kept or forwarded (DC_QUERY): lower-casing a non-ASCII name can
            // make it longer than a message field holds
            counters.count(DcCounter.BAD_PEER_NAME);
            fail(mn, req.requestId(), "cannot resolve that name: " + notHost);
            return;
        }
        String peerName = req.peerFqdn().toLowerCase(Locale.ROOT);
        if (peerName.endsWith(".")) {
            peerName = peerName.substring(0, peerName.length() - 1); // an absolute name (RFC 1035 3.1)
        }
        NodeRecord cn = nodes.byName(peerName);
        if (cn == null) {
            String peerDomain = InterDcConfig.domainOf(peerName);
            if (peerDomain != null && !peerDomain.equals(domain)) {
                dcmn.startRemote(mn, req.requestId(), peerName, peerDomain, key);
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
        retireOlder(mn, cn);
        if (mn.tunnels.size() >= Dc.MAX_TUNNELS_PER_NODE || cn.tunnels.size() >= Dc.MAX_TUNNELS_PER_NODE) {
            counters.count(DcCounter.TUNNEL_LIMIT);
            fail(mn, req.requestId(), "too many tunnels (" + Dc.MAX_TUNNELS_PER_NODE + " per node)");
            return;
        }
        PathDecision d = PathRules.decide(mn.position(), cn.position());
        createTunnel(tunnels.newTunnelId(), mn, req.requestId(), cn, null, d, key);
    }

    /**
     * {@code mn} asks for a tunnel to {@code cn} again: it has none that works (its old one went
     * DOWN, or the peer restarted under the same name), so their older tunnels are retired, except
     * those younger than {@code TUNNEL_RETIRE_MIN_AGE_NANOS} (both ends may ask at once) while the
     * pair has fewer than {@code MAX_TUNNELS_PER_PAIR} with the new one. The ends
     * drop theirs when the new one is UP (docs/protocol.md "Tunnel liveness"). Matched by name: a
     * peer that registered again has a new record.
     */
    private void retireOlder(NodeRecord mn, NodeRecord cn) {
        long now = loop.nanoTime();
        java.util.Set<PendingTunnel> either = new java.util.LinkedHashSet<>(mn.tunnels);
        either.addAll(cn.tunnels); // one of them may have registered again: its new record lists none
        java.util.List<PendingTunnel> young = new java.util.ArrayList<>();
        for (PendingTunnel t : either) {
            if (t.remote != null) {
                continue;
            }
            String other = t.mn.fqdn.equals(mn.fqdn) ? t.cn.fqdn : t.mn.fqdn;
            if (!other.equals(cn.fqdn)) {
                continue;
            }
            if (now - t.createdNanos < Dc.TUNNEL_RETIRE_MIN_AGE_NANOS) {
                young.add(t);
            } else {
                retire(t);
            }
        }
        // a pair asking again and again must not fill both ends' tables: keep its newest few
        young.sort(java.util.Comparator.comparingLong(t -> t.createdNanos));
        for (int i = 0; i <= young.size() - Dc.MAX_TUNNELS_PER_PAIR; i++) {
            retire(young.get(i));
        }
    }

    private void retire(PendingTunnel t) {
        tunnels.retire(t);
        counters.count(DcCounter.TUNNELS_RETIRED);
        LOG.info("event=tunnel-retired tunnel={} mn={} cn={}", Long.toHexString(t.id), t.mn.fqdn, t.cn.fqdn);
    }

    /** Records a tunnel decided here (local CN, or remote CN as DCmn), picks the RS, starts directing. */
    void createTunnel(long id, NodeRecord mn, long requestId, NodeRecord cn, RemoteEnd remote, PathDecision d,
                      String key) {
        RelayState rs = null;
        if (d.relay()) {
            rs = relays.choose(d.mnFamily(), d.cnFamily());
            if (rs == null) {
                fail(mn, requestId, "no relay server serves " + d.mnFamily() + "<->" + d.cnFamily());
                return;
            }
        }
        PendingTunnel t = new PendingTunnel(id, mn, cn, remote, requestId, d, rs);
        t.createdNanos = loop.nanoTime();
        random.nextBytes(t.tunnelSecret);
        if (rs != null) {
            relays.assign(t);
        }
        tunnels.owned.put(t.id, t);
        tunnels.byRequest.put(key, t);
        mn.tunnels.add(t);
        if (cn != null) {
            cn.tunnels.add(t);
        }
        counters.count(d.relay() ? DcCounter.DIRECTIONS_RELAY : DcCounter.DIRECTIONS_DIRECT);
        countSameNat(t);
        LOG.info("event=direction mn={} cn={} tunnel={} path={} mnFamily={} cnFamily={} optimise={}{}", mn.fqdn,
                t.cnEnd().fqdn, Long.toHexString(t.id), d.relay() ? "relay" : "direct", d.mnFamily(), d.cnFamily(),
                d.optimise(), remote != null ? " cnDc=" + remote.peer.domain : "");
        if (rs != null) {
            relays.authorise(t);
        } else {
            startDirections(t);
        }
    }

    /** DIRECTION_FAILURE to the MN: its request {@code requestId} cannot be served. */
    void fail(NodeRecord mn, long requestId, String reason) {
        counters.count(DcCounter.DIRECTION_FAILURES);
        LOG.info("event=direction-failure mn={} request={} reason=\"{}\"", mn.fqdn, requestId, reason);
        NodeRecord.Binding b = mn.latestBinding();
        if (b == null) {
            return;
        }
        outbox.send(b.via(), b.observed(), mn.assoc.send(), MessageType.DIRECTION_FAILURE, 0, mn.keyId,
                buf -> new DirectionFailure(requestId, reason).encode(buf));
    }

    /** Sends the directions of the current generation to both ends, retransmitted until acked. */
    void startDirections(PendingTunnel t) {
        t.startDirections();
        retransmitDirections(t);
    }

    private void retransmitDirections(PendingTunnel t) {
        if (t.closed() || (t.mnAcked() && t.cnAcked())) {
            return;
        }
        if (t.attempts++ >= Dc.MAX_RETRANSMITS) {
            counters.count(DcCounter.DIRECTION_TIMEOUTS);
            LOG.info("event=direction-timeout tunnel={} mnAcked={} cnAcked={}", Long.toHexString(t.id), t.mnAcked(),
                    t.cnAcked());
            return;
        }
        if (!t.cnAcked()) {
            sendDirection(t, false); // CN first: it must know the tunnel before the MN's request arrives
        }
        if (!t.mnAcked()) {
            sendDirection(t, true);
        }
        t.retransmit = loop.schedule(Dc.RETRANSMIT_NANOS, () -> retransmitDirections(t));
    }

    /**
     * The ROUTE_DIRECTION for one end of {@code t}, computed from both ends' current positions
     * (for a remote CN: the position its DC reported last), or null when an end lost the family.
     * With both ends NATed on one family the direction carries the peer's mapped address, so
     * the ends try the direct path (route optimisation, {@link PathDecision#optimise()}).
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
            counters.count(DcCounter.DIRECTION_STALE);
            return null;
        }
        boolean selfOpens = toMn == d.mnInitiates();
        InetSocketAddress endpoint = d.relay() ? t.relay.info.address(selfFamily) : peerReach.observed();
        InetSocketAddress mapped = d.optimise() ? peerReach.observed() : null;
        List<InetSocketAddress> hosts = t.remote == null && behindOneAddress(d, selfReach, peerReach)
                ? hostsOfFamily(peer, peerFamily) : List.of();
        return new RouteDirection(toMn ? t.requestId : 0, t.id, t.generation,
                toMn ? RouteDirection.INITIATOR : RouteDirection.RESPONDER, selfOpens,
                d.relay() ? RouteDirection.RELAY : RouteDirection.DIRECT, peer.fqdn, peer.v4, peer.v6,
                endpoint, mapped, hosts, t.tunnelSecret, t.relaySecret);
    }

    /**
     * Whether the two ends of an optimised tunnel are behind one public address: the DC saw both
     * NATed, from the same IP address of the family they use. Then their PROBEs to each other's
     * mapping need the NAT to hairpin, which many do not (Linux MASQUERADE), and the ends get
     * each other's host endpoints to probe on their shared segment (as ICE host candidates,
     * RFC 8445 section 5.1.1.1). Only then, and only between two nodes of this DC (a CN of
     * another domain has no host endpoints here, and gets none of ours): a node's private
     * addresses reach no one else.
     */
    private static boolean behindOneAddress(PathDecision d, Position.Reach self, Position.Reach peer) {
        return d.optimise() && self.natted() && peer.natted()
                && self.observed().getAddress().equals(peer.observed().getAddress());
    }

    /** {@code end}'s host endpoints of family {@code f} (at most 4: REGISTER carries no more). */
    private static List<InetSocketAddress> hostsOfFamily(End end, Family f) {
        List<InetSocketAddress> out = new java.util.ArrayList<>();
        for (InetSocketAddress h : end.hostEndpoints()) {
            if (Family.of(h.getAddress()) == f) {
                out.add(h);
            }
        }
        return out;
    }

    /** Counts a (re-)decision of {@code t} between two ends behind one public address. */
    private void countSameNat(PendingTunnel t) {
        PathDecision d = t.decision;
        if (t.remote != null) {
            return;
        }
        Position.Reach m = t.mn.position().get(d.mnFamily());
        Position.Reach c = t.cnEnd().position().get(d.cnFamily());
        if (m != null && c != null && behindOneAddress(d, m, c)) {
            counters.count(DcCounter.SAME_NAT_DIRECTIONS);
            LOG.info("event=same-nat tunnel={} mn={} cn={} address={}", Long.toHexString(t.id), t.mn.fqdn,
                    t.cnEnd().fqdn, m.observed().getAddress().getHostAddress());
        }
    }

    /** Sends the direction for one end of {@code t}: to a local node, or through the CN's DC. */
    private void sendDirection(PendingTunnel t, boolean toMn) {
        RouteDirection rd = directionFor(t, toMn);
        if (rd == null) {
            return;
        }
        if (!toMn && t.remote != null) {
            dcmn.sendCnDirection(t, rd);
            return;
        }
        NodeRecord self = toMn ? t.mn : t.cn;
        NodeRecord.Binding b = self.bindings.get(toMn ? t.decision.mnFamily() : t.decision.cnFamily());
        outbox.send(b.via(), b.observed(), self.assoc.send(), MessageType.ROUTE_DIRECTION, 0, self.keyId,
                rd::encode);
    }

    void onRouteDirectionAck(NodeRecord node, DirectionAck ack) {
        PendingTunnel t = tunnels.owned.get(ack.tunnelId());
        if (t == null) {
            ForeignTunnel ft = tunnels.foreign.get(ack.tunnelId());
            if (ft != null) {
                dccn.onDirectionAck(node, ft, ack);
            } else {
                counters.count(DcCounter.UNKNOWN_TUNNEL_ACK);
            }
            return;
        }
        if (ack.generation() != t.generation) {
            counters.count(DcCounter.STALE_DIRECTION_ACK);
            return;
        }
        if (node == t.mn) {
            t.ackedByMn();
        } else if (node == t.cn) {
            t.ackedByCn();
        } else {
            counters.count(DcCounter.FOREIGN_TUNNEL_ACK);
        }
    }

    /**
     * A node's real address changed (paper section 4.2: re-signalling after a move): decide
     * each of its tunnels again and send fresh directions to both ends. Tunnel ids and keys
     * stay, so the ends' sessions continue. For tunnels another DC owns (this node is their CN),
     * report the new position to that DC, which decides.
     */
    void redirectTunnelsOf(NodeRecord node) {
        dccn.reportPositionOf(node);
        node.tunnels.removeIf(t -> t.closed() || !tunnels.owned.containsKey(t.id));
        for (PendingTunnel t : node.tunnels) {
            if (t.remote == null) {
                NodeRecord other = t.mn == node ? t.cn : t.mn;
                if (other.bindings.isEmpty() || !nodes.isCurrent(other)) {
                    continue;
                }
            }
            redirect(t, node.fqdn);
        }
    }

    /** Decides {@code t} again from both ends' current positions and directs both (generation + 1). */
    void redirect(PendingTunnel t, String moved) {
        if (t.closed() || t.mn.bindings.isEmpty() || t.cnEnd().position().anyFamily() == null) {
            return;
        }
        PathDecision d = PathRules.decide(t.mn.position(), t.cnEnd().position());
        if (d.relay() && !relays.keepOrChoose(t, d)) {
            return;
        }
        t.redirect(d);
        counters.count(DcCounter.REDIRECTS);
        countSameNat(t);
        LOG.info("event=redirect tunnel={} moved={} path={}", Long.toHexString(t.id), moved,
                d.relay() ? "relay" : "direct");
        if (d.relay()) {
            t.relayRequested();
            relays.authorise(t);
        } else {
            startDirections(t);
        }
    }
}
