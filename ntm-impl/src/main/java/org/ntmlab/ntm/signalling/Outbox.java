package org.ntmlab.ntm.signalling;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.transport.DatagramEndpoint;

/**
 * Encodes a signalling body, seals it and sends it: the one path every signalling message
 * takes out of a node or server. Reuses its two buffers; use on one event loop only.
 */
public final class Outbox {

    private final ByteBuffer body = ByteBuffer.allocate(1024);
    private final ByteBuffer out = ByteBuffer.allocate(2048);

    /** Encodes with {@code encoder}, seals with {@code key} and sends to {@code to}. */
    public boolean send(DatagramEndpoint via, InetSocketAddress to, TrafficKey key, int type, int flags, long id,
                        Consumer<ByteBuffer> encoder) {
        body.clear();
        if (encoder != null) {
            encoder.accept(body);
        }
        body.flip();
        out.clear();
        key.seal(out, type, flags, id, body);
        out.flip();
        return via.send(out, to);
    }
}
