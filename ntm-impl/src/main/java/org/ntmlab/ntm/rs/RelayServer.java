package org.ntmlab.ntm.rs;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Relay;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.FamilySockets;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.wire.IdBody;
import org.ntmlab.ntm.wire.MalformedMessageException;
import org.ntmlab.ntm.wire.MessageDrop;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.RelayAuthorise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Relay Server (paper section 3.1): relays encapsulated packets between two ends that
 * cannot reach each other (both behind NATs, or IPv4 <-> IPv6). It is dual-stack and
 * relays only tunnels a DC authorised (RELAY_AUTHORISE), and only from the addresses the
 * two ends bound with the tunnel's relay key (RELAY_BIND): never an open relay. It cannot
 * read relayed data: the tunnel keys are the ends' alone.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final long id;
    private final EventLoop loop;
    private final CipherSuite suite;
    private final Association dc;
    private final DatagramEndpoint v4;
    private final DatagramEndpoint v6;
    private final Outbox outbox = new Outbox();
    private final ByteBuffer plain = ByteBuffer.allocate(Relay.PLAINTEXT_BUFFER_BYTES);
    private final Map<Long, RelayedTunnel> tunnels = new HashMap<>();
    private final int maxTunnels;
    private final Counters counters = new Counters();

    /**
     * @param id       this RS's id, as the DC knows it
     * @param dcSecret secret shared with the DC (32 bytes)
     */
    public RelayServer(long id, byte[] dcSecret, CipherSuite suite, InetSocketAddress bindV4,
                       InetSocketAddress bindV6, Network network, EventLoop loop) throws IOException {
        this(id, dcSecret, suite, bindV4, bindV6, network, loop, Relay.MAX_TUNNELS);
    }

    /** As above, relaying at most {@code maxTunnels} tunnels (tests of the cap use a small one). */
    RelayServer(long id, byte[] dcSecret, CipherSuite suite, InetSocketAddress bindV4, InetSocketAddress bindV6,
                Network network, EventLoop loop, int maxTunnels) throws IOException {
        this.id = id;
        this.maxTunnels = maxTunnels;
        this.loop = loop;
        this.suite = suite;
        this.dc = Association.longLived(suite, dcSecret, KeyLabels.RS_TO_DC, KeyLabels.DC_TO_RS);
        var sockets = FamilySockets.open(network, bindV4, bindV6, loop, this::onDatagram);
        this.v4 = sockets.get(Family.V4);
        this.v6 = sockets.get(Family.V6);
        if (v4 == null && v6 == null) {
            throw new IllegalArgumentException("an RS needs at least one of bindV4/bindV6");
        }
    }

    public Counters counters() {
        return counters;
    }

    public InetSocketAddress localAddressV4() {
        return v4 == null ? null : v4.localAddress();
    }

    public InetSocketAddress localAddressV6() {
        return v6 == null ? null : v6.localAddress();
    }

    private void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        int at = p.position();
        MessageDrop bad = NtmHeader.precheck(p, at, p.remaining());
        if (bad != null) {
            counters.count(bad);
            return;
        }
        int type = NtmHeader.type(p, at);
        if (type == MessageType.RELAY_AUTHORISE) {
            onAuthorise(p, from, via);
            return;
        }
        if (!MessageType.isTunnelMessage(type)) {
            counters.count(MessageDrop.UNEXPECTED_TYPE);
            return;
        }
        RelayedTunnel t = tunnels.get(NtmHeader.id(p, at));
        if (t == null) {
            counters.count(RelayCounter.UNAUTHORISED_TUNNEL);
            return;
        }
        boolean fromInitiator = (NtmHeader.flags(p, at) & NtmHeader.FLAG_INITIATOR) != 0;
        if (type == MessageType.RELAY_BIND) {
            onBind(t, fromInitiator, p, from, via);
            return;
        }
        InetSocketAddress bound = fromInitiator ? t.initiator : t.responder;
        if (bound == null || !bound.equals(from)) {
            counters.count(RelayCounter.UNBOUND_SOURCE); // only the bound ends may use the relay
            return;
        }
        InetSocketAddress to = fromInitiator ? t.responder : t.initiator;
        if (to == null) {
            counters.count(RelayCounter.PEER_NOT_BOUND);
            return;
        }
        DatagramEndpoint out = to.getAddress() instanceof Inet4Address ? v4 : v6;
        if (out == null) {
            counters.count(RelayCounter.NO_FAMILY);
            return;
        }
        t.lastUsedNanos = loop.nanoTime();
        t.relayed++;
        counters.count(RelayCounter.RELAYED);
        out.send(p, to); // forwarded unchanged: end-to-end protection stays intact
    }

    private void onAuthorise(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        if (NtmHeader.id(p, p.position()) != id) {
            counters.count(RelayCounter.WRONG_RELAY_ID);
            return;
        }
        plain.clear();
        TrafficKey.Result r = dc.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            counters.count(r.drop());
            return;
        }
        plain.flip();
        RelayAuthorise auth;
        try {
            auth = RelayAuthorise.decode(plain);
        } catch (MalformedMessageException e) {
            counters.count(MessageDrop.MALFORMED);
            return;
        }
        RelayedTunnel t = tunnels.get(auth.tunnelId());
        if (t == null || !java.util.Arrays.equals(t.secret, auth.relaySecret())) {
            // new tunnel, or the DC re-authorised it with a new secret after a move
            if (t == null && tunnels.size() >= maxTunnels) {
                counters.count(RelayCounter.TABLE_FULL);
                return;
            }
            t = new RelayedTunnel(auth.tunnelId(), auth.relaySecret(), suite);
            tunnels.put(t.id, t);
            LOG.info("event=relay-authorised rs={} tunnel={}", id, Long.toHexString(t.id));
            scheduleExpiry(t, auth.lifetimeSeconds());
        }
        counters.count(RelayCounter.AUTHORISED);
        long tid = t.id;
        outbox.send(via, from, dc.send(), MessageType.RELAY_AUTHORISE_ACK, 0, id, b -> new IdBody(tid).encode(b));
    }

    private void scheduleExpiry(RelayedTunnel t, int lifetimeSeconds) {
        long life = TimeUnit.SECONDS.toNanos(Math.max(Relay.MIN_LIFETIME_SECONDS, lifetimeSeconds));
        loop.schedule(life, () -> {
            if (tunnels.get(t.id) != t) {
                return;
            }
            if (loop.nanoTime() - t.lastUsedNanos >= life) {
                tunnels.remove(t.id);
                counters.count(RelayCounter.EXPIRED);
            } else {
                scheduleExpiry(t, lifetimeSeconds);
            }
        });
    }

    private void onBind(RelayedTunnel t, boolean initiator, ByteBuffer p, InetSocketAddress from,
                        DatagramEndpoint via) {
        Association a = initiator ? t.initiatorKeys : t.responderKeys;
        plain.clear();
        TrafficKey.Result r = a.receive().open(p, plain);
        if (r != TrafficKey.Result.OK) {
            counters.count(RelayCounter.bindDrop(r));
            return;
        }
        if (initiator) {
            t.initiator = from;
        } else {
            t.responder = from;
        }
        t.lastUsedNanos = loop.nanoTime();
        counters.count(RelayCounter.BINDS);
        if (LOG.isDebugEnabled()) { // on the RS's receive path: build the hex id only when it is logged
            LOG.debug("event=relay-bind tunnel={} side={} from={}", Long.toHexString(t.id),
                    initiator ? "initiator" : "responder", from);
        }
        outbox.send(via, from, a.send(), MessageType.RELAY_BIND_ACK, 0, t.id, null);
    }

    @Override
    public void close() {
        if (v4 != null) {
            v4.close();
        }
        if (v6 != null && v6 != v4) {
            v6.close();
        }
    }

    /** The RS's view of one tunnel: the two bound ends. */
    private static final class RelayedTunnel {
        final long id;
        final byte[] secret;
        final Association initiatorKeys;
        final Association responderKeys;
        InetSocketAddress initiator;
        InetSocketAddress responder;
        long lastUsedNanos;
        long relayed;

        RelayedTunnel(long id, byte[] secret, CipherSuite suite) {
            this.id = id;
            this.secret = secret;
            // long-lived: after an RS restart the DC authorises the same relay secret again
            this.initiatorKeys = Association.longLived(suite, secret, KeyLabels.RS_TO_INITIATOR,
                    KeyLabels.INITIATOR_TO_RS);
            this.responderKeys = Association.longLived(suite, secret, KeyLabels.RS_TO_RESPONDER,
                    KeyLabels.RESPONDER_TO_RS);
        }
    }
}
