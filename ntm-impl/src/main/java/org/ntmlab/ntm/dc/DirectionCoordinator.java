package org.ntmlab.ntm.dc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.ntmlab.ntm.keys.KeyDirectory;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.FamilySockets;
import org.ntmlab.ntm.transport.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Direction Coordinator (paper section 3.1): keeps each node's real, mapped and virtual
 * addresses, answers DNS for its domain, decides the path of each pair with {@link PathRules},
 * authorises an RS when a relay is needed, and sends route directions to both ends.
 * Everything runs on one event loop; no input can stop it (malformed or unauthenticated
 * messages are counted in {@link #counters()} and dropped).
 *
 * <p>Several domains (paper section 3.2; docs/protocol.md "Several domains"): for a peer name of
 * another domain this DC is DCmn. It finds that domain's DC (DCcn) through DNS
 * ({@link DcLocator}), asks it where the CN is (DC_QUERY / DC_ANSWER over {@link DcChannel}),
 * decides the path with the same {@link PathRules} and its own RS, directs the MN itself and the
 * CN through DCcn (DC_DIRECTION). As DCcn it answers such queries for its nodes, hands
 * directions on to them and reports their moves to the tunnel's DCmn (DC_POSITION).
 *
 * <p>This class opens the sockets and wires the parts, one per concern of the paper:
 * <ul>
 * <li>{@link SignallingReceiver}: header check, decryption, dispatch by message type;
 * <li>{@link NodeRegistry}: REGISTER, KEEPALIVE, virtual addresses, key look-ups at the AS;
 * <li>{@link RouteDirections}: DIRECTION_REQUEST, path decision, ROUTE_DIRECTION to both ends,
 *     re-direction after a move ({@link PendingTunnel}, {@link Tunnels});
 * <li>{@link RelayAuthorisation}: RS choice and RELAY_AUTHORISE;
 * <li>{@link InterDomainMn} and {@link InterDomainCn}: this DC as DCmn and as DCcn, over
 *     {@link InterDomainLink};
 * <li>{@link DnsResponder}: DNS for the domain's names and for this DC itself.
 * </ul>
 * Timers and limits are in {@code signalling.ProtocolConstants.Dc}.
 */
public final class DirectionCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectionCoordinator.class);

    private final EventLoop loop;
    private final Map<Family, DatagramEndpoint> endpoints = new EnumMap<>(Family.class);
    private final List<DatagramEndpoint> dnsEndpoints = new ArrayList<>();
    private final Counters counters = new Counters();
    private final DnsResponder dns;
    private final NodeRegistry nodes;
    private final InterDomainLink link;

    public DirectionCoordinator(DcConfig config, Network network, EventLoop loop, KeyDirectory keys)
            throws IOException {
        this.loop = loop;
        SecureRandom random = new SecureRandom();
        Outbox outbox = new Outbox();
        Tunnels tunnels = new Tunnels(random);
        this.link = new InterDomainLink(config, loop, random, endpoints, counters);
        this.nodes = new NodeRegistry(config, loop, keys, outbox, counters);
        InterDomainCn dccn = new InterDomainCn(config.domain(), loop, outbox, counters, link, nodes, tunnels);
        RouteDirections routes = new RouteDirections(config.domain(), loop, random, outbox, counters, nodes,
                tunnels, dccn);
        RelayAuthorisation relays = new RelayAuthorisation(config, loop, random, outbox, endpoints, counters,
                tunnels, routes);
        InterDomainMn dcmn = new InterDomainMn(config.domain(), loop, random, counters, link, nodes, tunnels,
                routes);
        routes.connect(relays, dcmn);
        SignallingReceiver receiver = new SignallingReceiver(counters, nodes, routes, relays, link, dcmn, dccn);

        endpoints.putAll(FamilySockets.open(network, config.bindV4(), config.bindV6(), loop, receiver));
        this.dns = new DnsResponder(config.domain(), nodes::lookupName, counters);
        InterDcConfig inter = config.interDc();
        List<InetSocketAddress> advertise = inter.advertise().isEmpty()
                ? InterDcConfig.advertiseFromBinds(localAddress(Family.V4), localAddress(Family.V6)) : inter.advertise();
        dns.advertise(advertise);
        try {
            for (InetSocketAddress a : config.dnsBind()) {
                dnsEndpoints.add(network.open(a, loop, dns::onDatagram));
            }
            link.open(network);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("event=dc-start domain={} peers={} resolvers={} advertise={}", config.domain(),
                inter.peerSecrets().keySet(), inter.resolvers(), advertise);
    }

    /** The signalling addresses this DC publishes in its DNS ({@code _ntm-dc._udp.<domain>}). */
    public List<InetSocketAddress> advertisedAddresses() {
        return dns.advertised();
    }

    public Counters counters() {
        return counters;
    }

    /** The local address of the signalling socket for {@code f} (tests bind port 0). */
    public InetSocketAddress localAddress(Family f) {
        DatagramEndpoint ep = endpoints.get(f);
        return ep == null ? null : ep.localAddress();
    }

    public List<InetSocketAddress> dnsAddresses() {
        return dnsEndpoints.stream().map(DatagramEndpoint::localAddress).toList();
    }

    /** Registered names and their virtual addresses (from any thread). */
    public CompletableFuture<Map<String, InetAddress[]>> registrations() {
        CompletableFuture<Map<String, InetAddress[]>> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(nodes.registrations()));
        return f;
    }

    /** AS key look-ups running now (from any thread): bounded by {@code ProtocolConstants.Dc.MAX_PENDING_KEY_LOOKUPS}. */
    public CompletableFuture<Integer> pendingKeyLookups() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(nodes.pendingLookups()));
        return f;
    }

    @Override
    public void close() {
        Set.copyOf(endpoints.values()).forEach(DatagramEndpoint::close);
        dnsEndpoints.forEach(DatagramEndpoint::close);
        link.close();
    }
}
