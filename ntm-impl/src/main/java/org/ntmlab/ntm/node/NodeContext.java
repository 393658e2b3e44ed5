package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of one node share (registration, resolution, tunnel send, receive and
 * timers): its configuration and key, its loop, the real sockets per family and the
 * addresses the DC observed on them (paper section 3.2), the tunnel table, counters and
 * the event log. Loop-thread only, except the volatile virtual addresses.
 */
final class NodeContext {

    private static final Logger LOG = LoggerFactory.getLogger(NtmNode.class);

    final NodeConfig config;
    final NodeKey key;
    final Network network;
    final EventLoop loop;
    /** The long-lived node <-> DC keys (paper section 3.1: the AS hands them out at login). */
    final Association dcKeys;
    final SecureRandom random = new SecureRandom();
    final Outbox outbox = new Outbox();
    /** Reused plaintext of every received message (heap: javax.crypto copies direct buffers; ntm-bench gc profile). */
    final ByteBuffer plain = ByteBuffer.allocate(ProtocolConstants.Node.DATAGRAM_BUFFER_BYTES);
    final TunnelTable tunnels = new TunnelTable();
    /** One real socket per family the host and the DC both have (one dual-stack socket may serve both). */
    final Map<Family, DatagramEndpoint> endpoints = new EnumMap<>(Family.class);
    /** Our address as the DC saw it, per family: the NAT mapping when behind a NAT. */
    final Map<Family, InetSocketAddress> observed = new EnumMap<>(Family.class);
    final Counters counters = new Counters();
    private final List<Consumer<String>> eventListeners = new ArrayList<>();

    /** The virtual addresses the DC assigned (REGISTER_ACK); read from any thread. */
    volatile InetAddress virtualV4;
    volatile InetAddress virtualV6;
    volatile boolean closed;
    /**
     * {@link System#nanoTime()} when the node last saw a real (not link-local) address appear, 0
     * before any: what an application's traffic check watches to log {@code app-data-resumed}.
     */
    volatile long addressAddedNanos;

    NodeContext(NodeConfig config, NodeKey key, Network network, EventLoop loop) {
        this.config = config;
        this.key = key;
        this.network = network;
        this.loop = loop;
        this.dcKeys = Association.longLived(config.suite(), key.secret(), KeyLabels.NODE_TO_DC, KeyLabels.DC_TO_NODE);
    }

    void addEventListener(Consumer<String> listener) {
        eventListeners.add(listener);
    }

    /**
     * One key=value line per signalling event (for the lab's handover timeline):
     * {@code ts=<epoch seconds.micros> node=<fqdn> event=<name> <attributes>}, in the format
     * pcap-analysis reads as it is (docs/pcap-analysis.md, "Node event log").
     *
     * @param name       one of {@link NodeEvents}
     * @param attributes space-separated {@code key=value} pairs, or empty
     */
    void event(String name, String attributes) {
        if (eventListeners.isEmpty() && !LOG.isDebugEnabled()) {
            return; // nobody reads it: skip the clock and the formatting
        }
        event(name, attributes, java.time.Instant.now());
    }

    /** {@link #event(String, String)} at a time taken elsewhere (an application's event, told later on the loop). */
    void event(String name, String attributes, java.time.Instant now) {
        if (eventListeners.isEmpty() && !LOG.isDebugEnabled()) {
            return;
        }
        String full = "ts=" + now.getEpochSecond() + "." + String.format("%06d", now.getNano() / 1000) + " node="
                + key.fqdn() + " event=" + name + (attributes.isEmpty() ? "" : " " + attributes);
        LOG.debug("{}", full);
        for (Consumer<String> l : eventListeners) {
            l.accept(full);
        }
    }

    InetSocketAddress dcAddress(Family f) {
        return f == Family.V4 ? config.dcV4() : config.dcV6();
    }

    /** Sends one signalling message to the DC on family {@code f}; returns whether it left. */
    boolean sendToDc(Family f, int type, Consumer<ByteBuffer> body) {
        return outbox.send(endpoints.get(f), dcAddress(f), dcKeys.send(), type, 0, key.keyId(), body);
    }

    /** The socket for {@code to}'s family, or null. */
    DatagramEndpoint endpointFor(InetSocketAddress to) {
        return to == null ? null : endpoints.get(Family.of(to.getAddress()));
    }

    /** The family to signal the DC on: one the DC has acknowledged, else any with a socket, else null. */
    Family signallingFamily() {
        for (Family f : Family.values()) {
            if (endpoints.containsKey(f) && observed.containsKey(f)) {
                return f;
            }
        }
        return endpoints.isEmpty() ? null : endpoints.keySet().iterator().next();
    }
}
