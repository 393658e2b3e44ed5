package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * Test-only network joining several {@link TcpLayer}s by address, with configurable loss,
 * duplication, delay and jitter (jitter reorders), all from one seeded {@link Random}.
 * Delivery always goes through the loop, never synchronously.
 */
public final class MemoryLink {
    private final EventLoop loop;
    private final Random random;
    private final Map<InetAddress, TcpLayer> layers = new HashMap<>();
    private volatile double loss;
    private volatile double duplicate;
    private volatile long delayNanos;
    private volatile long jitterNanos;
    private volatile Predicate<Captured> drop = c -> false;
    private volatile boolean record;
    private final List<Captured> log = new ArrayList<>();
    private long sent;
    private long dropped;

    public MemoryLink(EventLoop loop, long seed) {
        this.loop = loop;
        this.random = new Random(seed);
    }

    public MemoryLink attach(InetAddress address, TcpLayer layer) {
        layers.put(address, layer);
        return this;
    }

    public MemoryLink loss(double p) {
        this.loss = p;
        return this;
    }

    public MemoryLink duplicate(double p) {
        this.duplicate = p;
        return this;
    }

    /** Fixed one-way delay plus uniform random jitter in [0, jitter). Jitter reorders. */
    public MemoryLink delay(long delayNanos, long jitterNanos) {
        this.delayNanos = delayNanos;
        this.jitterNanos = jitterNanos;
        return this;
    }

    /** Drops every segment the predicate matches (before random loss). */
    public MemoryLink dropIf(Predicate<Captured> p) {
        this.drop = p;
        return this;
    }

    /** Keeps every transmitted segment (dropped ones too) for assertions. */
    public MemoryLink record(boolean on) {
        this.record = on;
        return this;
    }

    public synchronized List<Captured> log() {
        return new ArrayList<>(log);
    }

    public synchronized void clearLog() {
        log.clear();
    }

    public long sent() {
        return sent;
    }

    public long dropped() {
        return dropped;
    }

    /** {@link TcpOutput} for every attached layer. */
    public void transmit(InetAddress src, InetAddress dst, ByteBuffer segment) {
        Captured c = new Captured(loop.nanoTime(), src, dst, segment);
        sent++;
        if (record) {
            synchronized (this) {
                log.add(c);
            }
        }
        if (drop.test(c) || (loss > 0 && random.nextDouble() < loss)) {
            dropped++;
            return;
        }
        deliver(c);
        if (duplicate > 0 && random.nextDouble() < duplicate) {
            deliver(c);
        }
    }

    private void deliver(Captured c) {
        TcpLayer target = layers.get(c.dst);
        if (target == null) {
            return;
        }
        long d = delayNanos + (jitterNanos > 0 ? (long) (random.nextDouble() * jitterNanos) : 0);
        loop.schedule(d, () -> target.onSegment(c.src, c.dst, ByteBuffer.wrap(c.raw)));
    }
}
