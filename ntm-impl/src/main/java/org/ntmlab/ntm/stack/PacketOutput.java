package org.ntmlab.ntm.stack;

import java.nio.ByteBuffer;

/**
 * Where the virtual stack sends a finished inner IP packet (IPv4 or IPv6, virtual
 * addresses): the node's tunnel layer encapsulates it (NTM header, AEAD) and sends it
 * over the real network. Called on the node's event loop; the buffer (position..limit)
 * is only valid during the call.
 */
@FunctionalInterface
public interface PacketOutput {
    void output(ByteBuffer ipPacket);
}
