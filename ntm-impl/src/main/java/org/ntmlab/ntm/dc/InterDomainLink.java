package org.ntmlab.ntm.dc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.wire.DcFailure;
import org.ntmlab.ntm.wire.DcReach;
import org.ntmlab.ntm.wire.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This DC's link to the DCs of other domains, shared by its two roles there, DCmn
 * ({@link InterDomainMn}) and DCcn ({@link InterDomainCn}) (paper section 3.2: DCmn finds DCcn
 * through DNS and directs the CN through it; docs/architecture.md "Several domains"): the
 * authenticated {@link DcChannel}, the {@link DcLocator} that finds a domain's DC, DC_FAILURE
 * refusals, and the position format both roles exchange. Without a peer domain configured
 * there is no channel and no locator: {@link #configured()} is false. Used on the DC's event
 * loop only.
 */
final class InterDomainLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InterDomainLink.class);

    private final DcConfig config;
    private final EventLoop loop;
    private final SecureRandom random;
    private final Map<Family, DatagramEndpoint> endpoints;
    private final Counters counters;
    // set once by open(); null until then, and for good when no peer domain is configured
    private DcChannel channel;
    private DcLocator locator;

    /** @param endpoints the DC's signalling sockets by family (filled when they open) */
    InterDomainLink(DcConfig config, EventLoop loop, SecureRandom random, Map<Family, DatagramEndpoint> endpoints,
                    Counters counters) {
        this.config = config;
        this.loop = loop;
        this.random = random;
        this.endpoints = endpoints;
        this.counters = counters;
    }

    /**
     * Starts the link when peer domains are configured: the channel, and the DNS client that
     * finds other domains' DCs. After the signalling sockets (the locator uses their families).
     */
    void open(Network network) throws IOException {
        InterDcConfig inter = config.interDc();
        if (!inter.peerSecrets().isEmpty()) {
            channel = new DcChannel(config.domain(), inter.peerSecrets(), config.suite(), random, counters,
                    System::currentTimeMillis, loop::nanoTime);
            locator = new DcLocator(network, loop, inter.resolvers(), endpoints.keySet(), counters, random);
            // junk under unknown sessions spent the strangers' trials: find our peers' DCs, so their
            // messages are judged on a budget of their own (issue 11 finding 6)
            channel.onPressure(() -> {
                for (String domain : channel.peerDomains()) {
                    locate(domain, (addresses, error) -> { });
                }
            });
        }
    }

    /** True when at least one peer domain (and its secret) is configured and the link is open. */
    boolean configured() {
        return channel != null;
    }

    /** The peer for {@code domain}, or null when no secret is configured for it. */
    DcChannel.Peer peer(String domain) {
        return channel == null ? null : channel.peer(domain);
    }

    /** Opens a DC <-> DC message into {@code plain}: the sending peer, or null (dropped and counted). */
    DcChannel.Peer open(ByteBuffer p, ByteBuffer plain, InetSocketAddress from) {
        return channel.open(p, plain, from.getAddress());
    }

    void send(DatagramEndpoint via, InetSocketAddress to, DcChannel.Peer peer, int type, Consumer<ByteBuffer> body) {
        channel.send(via, to, peer, type, body);
    }

    /** The DC's signalling socket of {@code to}'s family, or null. */
    DatagramEndpoint endpointToward(InetSocketAddress to) {
        return endpoints.get(Family.of(to.getAddress()));
    }

    /** Finds the DC of {@code domain} (see {@link DcLocator#locate}). */
    void locate(String domain, DcLocator.Callback cb) {
        locator.locate(domain, (addresses, error) -> {
            channel.located(domain, addresses); // where a peer's DC is, it gets its own trial budget
            cb.located(addresses, error);
        });
    }

    /** Forgets where the DC of {@code domain} is: it did not answer, ask DNS again next time. */
    void forget(String domain) {
        locator.forget(domain);
    }

    /** DC_FAILURE: tells {@code peer} why its message {@code about} for {@code id} was refused. */
    void sendFailure(DcChannel.Peer peer, InetSocketAddress to, DatagramEndpoint via, int about, long id,
                     String reason) {
        LOG.info("event=dc-refused peer={} about={} id={} reason=\"{}\"", peer.domain, MessageType.name(about),
                Long.toHexString(id), reason);
        channel.send(via, to, peer, MessageType.DC_FAILURE, b -> new DcFailure(about, id, reason).encode(b));
    }

    /**
     * Why the virtual addresses a peer DC gave for a node of its domain cannot be taken, or null:
     * each must lie in that domain's blocks ({@link VirtualAddressPool#inBlock}).
     */
    static String outsideBlock(String peerDomain, InetAddress v4, InetAddress v6) {
        VirtualAddressPool pool = new VirtualAddressPool(peerDomain);
        for (InetAddress a : new InetAddress[] {v4, v6}) {
            if (!pool.inBlock(a)) {
                return "virtual address " + a.getHostAddress() + " is outside " + peerDomain + "'s blocks ("
                        + pool.v4Block() + ", " + pool.v6Block() + ")";
            }
        }
        return null;
    }

    /** A node's position as DC_ANSWER and DC_POSITION carry it: observed address and NAT, per family. */
    static List<DcReach> reaches(NodeRecord n) {
        List<DcReach> out = new ArrayList<>(2);
        for (Family f : Family.values()) {
            NodeRecord.Binding b = n.bindings.get(f);
            if (b != null) {
                out.add(new DcReach(b.observed(), b.natted()));
            }
        }
        return out;
    }

    /** The position a peer DC reported (see {@link #reaches}). */
    static Position position(List<DcReach> reaches) {
        Position p = new Position();
        for (DcReach r : reaches) {
            p.with(Family.of(r.observed().getAddress()), r.observed(), r.natted());
        }
        return p;
    }

    @Override
    public void close() {
        if (locator != null) {
            locator.close();
        }
    }
}
