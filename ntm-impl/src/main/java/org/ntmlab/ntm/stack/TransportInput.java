package org.ntmlab.ntm.stack;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A transport protocol above the virtual IP layer (TCP). The stack calls it on the event
 * loop with the segment (header + payload) of a packet addressed to this node.
 * {@code checksumVerified} is true when the packet came out of an authenticated tunnel: the
 * AEAD tag covered every byte, so the transport checksum need not be checked again
 * (WireGuard marks decrypted packets CHECKSUM_UNNECESSARY for the same reason).
 */
@FunctionalInterface
public interface TransportInput {
    void onSegment(InetAddress src, InetAddress dst, ByteBuffer segment, boolean checksumVerified);
}
