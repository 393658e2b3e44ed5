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
