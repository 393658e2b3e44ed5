package org.ntmlab.ntm.signalling;

/**
 * Every timer, retry count and limit of the NTM signalling protocol, in one place (like
 * wireguard-go's constants.go), each named and commented with its source: the paper section,
 * the RFC, or the measurement that chose it. docs/protocol.md ("Timers and limits") lists the
 * same values and {@code ProtocolConstantsDocTest} keeps the two equal. The user-space TCP's
 * constants are in {@code stack.tcp.TcpConstants}.
 */
public final class ProtocolConstants {

    private ProtocolConstants() {
    }

    /** A node: registration, keepalive, resolution, tunnel set-up, probes (paper 3.1-3.3, 4.2). */
    public static final class Node {

        private Node() {
        }

        // (node constants)

        // -- registration and keepalive (paper 3.2: a node registers its real addresses with
        //    its DC and keeps the association alive; docs/protocol.md "State machines")

        /**
         * Longest wait between two REGISTER messages while no REGISTER_ACK came
         * (docs/protocol.md "State machines": REGISTER every 500 ms).
         */
        public static final long REGISTER_RETRY_NANOS = millisToNanos(500);
        /**
         * First REGISTER retry, doubled up to {@link #REGISTER_RETRY_NANOS}: right after a move the
         * first REGISTER often leaves before DHCP has installed the default route (seen in the
         * Docker lab), so the next try must come soon (docs/protocol.md "Routes").
         */
        public static final long REGISTER_FIRST_RETRY_NANOS = millisToNanos(30);
        /**
         * Cap on the doublings of {@link #REGISTER_FIRST_RETRY_NANOS}; keeps the shift small
         * (30 ms doubled 5 times already exceeds {@link #REGISTER_RETRY_NANOS}).
         */
        public static final int REGISTER_RETRY_MAX_DOUBLINGS = 5;
        /** REGISTER messages without an answer before {@code start()} fails ("DC did not answer"). */
        public static final int REGISTER_TRIES = 20;
        /** Real addresses listed in one REGISTER: the wire format's maximum (wire.Register). */
        public static final int REGISTER_MAX_ADDRESSES = 32;
        /**
         * Keepalive interval until the DC's REGISTER_ACK names one (docs/protocol.md: default
         * 10 s, well under the 30 s UDP mapping timeout RFC 4787 REQ-5 allows).
         */
        public static final int KEEPALIVE_DEFAULT_SECONDS = 10;
        /** Shortest keepalive interval a node accepts from a REGISTER_ACK (guards against 0). */
        public static final int KEEPALIVE_MIN_SECONDS = 1;

        // -- resolution (paper 3.2: a name resolution triggers the route-direction request)

        /** Wait between DIRECTION_REQUEST retransmissions (docs/protocol.md "Direction": 500 ms). */
        public static final long DIRECTION_RETRY_NANOS = millisToNanos(500);
        /** DIRECTION_REQUESTs without a ROUTE_DIRECTION before the resolve fails. */
        public static final int DIRECTION_TRIES = 10;
        /**
         * How long {@code NtmNode.resolver()} blocks an application thread for a resolve: covers
         * the DC's answer ({@link #DIRECTION_TRIES} x 500 ms) and the tunnel set-up (RELAY_BIND and
         * TUNNEL_REQUEST, 10 x 200 ms each).
         */
        public static final int RESOLVE_TIMEOUT_SECONDS = 10;

        // -- tunnel set-up (paper 3.2: UDP tunnel, direct or through an RS)

        /** Wait between RELAY_BIND retransmissions to the RS (docs/protocol.md "Tunnel": 200 ms). */
        public static final long RELAY_BIND_RETRY_NANOS = millisToNanos(200);
        /** RELAY_BINDs without a RELAY_BIND_ACK before the tunnel fails. */
        public static final int RELAY_BIND_TRIES = 10;
        /** Wait between TUNNEL_REQUEST retransmissions (docs/protocol.md "Tunnel": 200 ms). */
        public static final long TUNNEL_REQUEST_RETRY_NANOS = millisToNanos(200);
        /** TUNNEL_REQUESTs without a TUNNEL_RESPONSE before the tunnel fails. */
        public static final int TUNNEL_REQUEST_TRIES = 10;

        // -- route optimisation (docs/protocol.md "Route optimisation"; not in the paper)

        /** Wait between route-optimisation PROBEs to the peer's NAT mapping (100 ms). */
        public static final long PROBE_INTERVAL_NANOS = millisToNanos(100);
        /**
         * Route-optimisation PROBEs before the tunnel stays on the RS (docs/protocol.md: 10 tries;
         * behind symmetric NATs no PROBE_ACK ever comes).
         */
        public static final int PROBE_TRIES = 10;

        // -- local limits of the node process

        /**
         * Size of the node's reused plaintext and ciphertext buffers: one sealed message, i.e. an
         * inner packet of up to {@code NtmNode.TUNNEL_LINK_MTU} (1500) bytes plus the 20-byte NTM
         * header and the AEAD tag or MAC.
         */
        public static final int DATAGRAM_BUFFER_BYTES = 2048;
        /** How long {@code NtmNode.close()} waits for its loop to close the sockets. */
        public static final long CLOSE_TIMEOUT_MS = 2000;

        // -- the node's socket APIs and tools (node.NtmDatagramSocket, Pinger, TcpEchoService,
        //    NetlinkAddressWatcher)

        /** Datagrams an {@code NtmDatagramSocket} buffers for the application before it drops new ones. */
        public static final int DATAGRAM_SOCKET_RECEIVE_QUEUE = 4096;
        /** How long an {@code NtmDatagramSocket} constructor waits for the loop to bind its virtual port. */
        public static final long DATAGRAM_SOCKET_BIND_TIMEOUT_MS = 5000;
        /** Longest pause between two echo requests of one {@code ping} while replies are missing. */
        public static final long PING_MAX_SPACING_MS = 200;
        /** Echo request payload: ping(8)'s default size. */
        public static final int PING_PAYLOAD_BYTES = 56;
        /** How long {@code ping} waits for the loop to hand over the results after the last reply. */
        public static final long PING_COLLECT_TIMEOUT_MS = 1000;
        /** Read/write buffer of one connection of the built-in TCP echo service (RFC 862). */
        public static final int TCP_ECHO_BUFFER_BYTES = 16 * 1024;
        /** Receive buffer for netlink route/address notifications (several per DHCP lease). */
        public static final int NETLINK_RECEIVE_BUFFER_BYTES = 16384;

        private static long millisToNanos(long millis) {
            return millis * 1_000_000L;
        }
    }

    /** The Direction Coordinator (paper 3.1-3.3) and its DC <-> DC side (docs/protocol.md "Several domains"). */
    public static final class Dc {

        private Dc() {
        }

        // (DC constants)
    }

    /** The Relay Server (paper 3.3). */
    public static final class Relay {

        private Relay() {
        }

        // (RS constants)
    }
}
