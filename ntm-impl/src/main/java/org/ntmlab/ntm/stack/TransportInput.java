package org.ntmlab.ntm.stack;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A transport protocol above the virtual IP layer (TCP). The stack calls it on the event
 * loop with the segment (header + payload) of a packet addressed to this node.
 */
@FunctionalInterface
public interface TransportInput {
    void onSegment(InetAddress src, InetAddress dst, ByteBuffer segment);
}
