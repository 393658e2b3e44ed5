package org.ntmlab.bench;

import java.nio.ByteBuffer;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;

/**
 * A stream of sealed DATA messages that a receive key will accept, for timing
 * {@code TrafficKey.open} without timing {@code seal}.
 *
 * <p>The anti-replay window accepts each counter once, so the same sealed packet cannot be
 * opened twice by one key. Here one sending key seals {@code ring} packets (counters
 * 1..ring) once, before timing. A receive key opens them in order; when the ring wraps,
 * the next receive key from a pool takes over. Every key in the pool is derived from the
 * same secret and label, so each is the same key with a fresh window: every timed
 * {@code open} verifies and decrypts a real packet and moves a real window forward, and no
 * key is derived or packet sealed inside the timed code while the pool lasts (a derivation
 * after that, amortised over a whole ring, is counted in {@link #lateKeys}).
 */
final class OpenRing {

    private final CipherSuite suite;
    private final ByteBuffer[] packets;
    private final TrafficKey[] pool;
    private int next;
    private int keyIndex;
    private TrafficKey key;
    long lateKeys;

    OpenRing(CipherSuite suite, ByteBuffer inner, int ring, int poolSize) {
        this(suite, inner, ring, poolSize, false);
    }

    /** @param heap true to keep the sealed packets in heap (array-backed) buffers instead of direct ones */
    OpenRing(CipherSuite suite, ByteBuffer inner, int ring, int poolSize, boolean heap) {
        this.suite = suite;
        TrafficKey sender = Fixture.key(suite);
        packets = new ByteBuffer[ring];
        for (int i = 0; i < ring; i++) {
            ByteBuffer p = Fixture.sealed(sender, inner);
            packets[i] = heap ? ByteBuffer.allocate(p.remaining()).put(p).flip() : p;
        }
        pool = new TrafficKey[poolSize];
        for (int i = 0; i < poolSize; i++) {
            pool[i] = Fixture.key(suite);
        }
        key = pool[0];
    }

    int ringSize() {
        return packets.length;
    }

    /** The packet to open next (position 0, limit = its length). */
    ByteBuffer packet() {
        ByteBuffer p = packets[next];
        p.clear();
        return p;
    }

    /** The receive key that has not yet seen {@link #packet()}. */
    TrafficKey key() {
        return key;
    }

    /** Moves to the next packet; on wrap-around, to the next fresh key. */
    void advance() {
        if (++next == packets.length) {
            next = 0;
            if (++keyIndex < pool.length) {
                key = pool[keyIndex];
                pool[keyIndex - 1] = null; // let used keys go
            } else {
                key = Fixture.key(suite);
                lateKeys++;
            }
        }
    }
}
