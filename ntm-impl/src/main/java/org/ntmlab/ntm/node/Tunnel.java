package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * One NTM tunnel of this node (paper section 3.2, "UDP tunnel"): identified by the id the DC
 * chose, not by real addresses, so it survives moves of either end. Loop-thread only.
 */
final class Tunnel {

    /** Life cycle of a tunnel at one end. */
    enum State {
        /** Relay path: binding our address at the RS. */
        BINDING,
        /** Initiator waiting for TUNNEL_RESPONSE, or responder waiting for TUNNEL_REQUEST. */
        CONNECTING,
        /** Data flows. */
        UP
    }

    /** Path in use. */
    enum Path { DIRECT, RELAY }

    final long id;
    final boolean initiator;
    final String peerFqdn;
    final InetAddress peerV4;
    final InetAddress peerV6;
    final byte[] peerV4Bytes;
    final byte[] peerV6Bytes;
    final Association keys;
    Association relayKeys;
    byte[] relaySecret;

    /** This end sends TUNNEL_REQUEST (it may change after a move; {@link #initiator} never does). */
    boolean opener;
    /** Generation of the DC direction this end follows. */
    long generation;
    State state;
    Path path;
    /** Where data goes on a direct path (peer's real or NAT-mapped address). */
    InetSocketAddress peerEndpoint;
    /** The RS address for our family, when the DC chose a relay. */
    InetSocketAddress relayEndpoint;
    /** Peer's NAT mapping to punch toward (route optimisation), or null. */
    InetSocketAddress peerMapped;
    boolean optimised;
    /**
     * This end moved and has not yet heard from the peer over the resumed path; the first
     * authenticated packet that arrives tells the TCP stack to resend at once.
     */
    boolean awaitingResume;
    /** The move notice (or RELAY_BIND) of the last resume left without a send error. */
    boolean resumeNoticeSent;
    long probeNonce;
    EventLoop.Timer retransmit;
    int attempts;

    long createdNanos;
    long upNanos;
    long txPackets;
    long rxPackets;
    long txBytes;
    long rxBytes;
    long rxDropped;
    long roams;

    Tunnel(long id, boolean initiator, String peerFqdn, InetAddress peerV4, InetAddress peerV6, Association keys) {
        this.id = id;
        this.initiator = initiator;
        this.peerFqdn = peerFqdn;
        this.peerV4 = peerV4;
        this.peerV6 = peerV6;
        this.peerV4Bytes = peerV4 == null ? null : peerV4.getAddress();
        this.peerV6Bytes = peerV6 == null ? null : peerV6.getAddress();
        this.keys = keys;
    }

    /** Where the next packet goes: the peer on a direct path, otherwise the RS. */
    InetSocketAddress target() {
        return path == Path.DIRECT ? peerEndpoint : relayEndpoint;
    }

    void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel();
            retransmit = null;
        }
    }

    TunnelInfo info() {
        return new TunnelInfo(peerFqdn, peerV4, peerV6, id, initiator ? "initiator" : "responder",
                state.name().toLowerCase(java.util.Locale.ROOT), path.name().toLowerCase(java.util.Locale.ROOT),
                peerEndpoint, relayEndpoint, peerMapped, optimised, upNanos == 0 ? -1 : (upNanos - createdNanos) / 1e6,
                txPackets, rxPackets, txBytes, rxBytes, rxDropped, roams);
    }
}
