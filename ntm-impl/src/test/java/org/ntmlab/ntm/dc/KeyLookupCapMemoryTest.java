package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.Segment;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Issue 11 finding 1 (and issue 10: a restarted DC looks up the key of any node message under
 * a key id it does not hold). Datagrams with made-up key ids (no valid tag: 36 bytes each) made
 * the DC ask the AS for each; past 1,024 the ids stayed in the pending set for good and the DC
 * refused every new node. Now the look-ups are bounded at once ({@link Dc#MAX_PENDING_KEY_LOOKUPS},
 * {@code lookupBusy}), per source ({@code lookupRateLimited}), in time ({@link Dc#KEY_LOOKUP_TIMEOUT_MS})
 * and for repeats ({@code unknownKeyCached}), and nothing is left behind.
 */
class KeyLookupCapMemoryTest {

    /** The stand-in AS: it hangs until the test answers (null: no such key). */
    private final Map<Long, CompletableFuture<NodeKey>> running = new ConcurrentHashMap<>();
    private final AtomicInteger asked = new AtomicInteger();

    @Test
    void oneSourceGetsItsBurstAndAnAsThatHangsFreesTheSlotsAfterTheDeadline() throws Exception {
        try (MemoryNetwork net = new MemoryNetwork(3);
             SelectorEventLoop dcLoop = new SelectorEventLoop("dc");
             SelectorEventLoop evilLoop = new SelectorEventLoop("attacker")) {
            Segment g4 = net.segment("g4", true);
            try (DirectionCoordinator dc = dc(net, g4, dcLoop)) {
                DatagramEndpoint ep = attacker(net, g4, evilLoop, 66, new AtomicInteger());
                int flood = 3 * Dc.MAX_PENDING_KEY_LOOKUPS;
                long t0 = System.nanoTime();
                send(evilLoop, ep, 1, flood);
                // every datagram judged: looked up or refused (asked grows while the bucket refills)
                long judged = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (dc.counters().get("lookupRateLimited") + asked.get() < flood) {
                    assertThat(System.nanoTime()).as("every datagram judged: " + dc.counters()).isLessThan(judged);
                    Thread.sleep(10);
                }
                assertThat(dc.counters().get("lookupRateLimited")).isPositive();
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(asked.get()).as("the burst, plus what the rate refilled meanwhile")
                        .isBetween(Dc.KEY_LOOKUP_BURST_PER_SOURCE,
                                Dc.KEY_LOOKUP_BURST_PER_SOURCE + (int) Math.ceil(seconds * Dc.KEY_LOOKUPS_PER_SOURCE_PER_SECOND));
                // the AS never answers: each look-up ends at its deadline, and leaves nothing behind
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Dc.KEY_LOOKUP_TIMEOUT_MS + 3000);
                while (dc.pendingKeyLookups().get(1, TimeUnit.SECONDS) > 0) {
                    assertThat(System.nanoTime()).as("look-ups end at their deadline").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(dc.counters().get("unknownKey")).isEqualTo(asked.get());
            }
        }
    }

    @Test
    void manySourcesNeverRunMoreThanTheCapAndRepeatsAreAnsweredFromMemory() throws Exception {
        try (MemoryNetwork net = new MemoryNetwork(3);
             SelectorEventLoop dcLoop = new SelectorEventLoop("dc");
             SelectorEventLoop evilLoop = new SelectorEventLoop("attacker")) {
            Segment g4 = net.segment("g4", true);
            try (DirectionCoordinator dc = dc(net, g4, dcLoop)) {
                AtomicInteger replies = new AtomicInteger();
                List<DatagramEndpoint> sources = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    sources.add(attacker(net, g4, evilLoop, 100 + i, replies));
                }
                int perSource = 48;
                for (int i = 0; i < sources.size(); i++) {
                    send(evilLoop, sources.get(i), 1 + (long) i * perSource, perSource);
                }
                int total = sources.size() * perSource;
                long deadline0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (dc.counters().get("lookupBusy") + dc.counters().get("lookupRateLimited") + asked.get() < total) {
                    assertThat(System.nanoTime()).as("every datagram judged: " + dc.counters()).isLessThan(deadline0);
                    Thread.sleep(10);
                }
                assertThat(asked.get()).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS);
                assertThat(dc.pendingKeyLookups().get(1, TimeUnit.SECONDS)).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS);

                running.values().forEach(f -> f.complete(null)); // the AS: no such keys
                awaitCount(dc, "unknownKey", Dc.MAX_PENDING_KEY_LOOKUPS, 5);
                assertThat(dc.pendingKeyLookups().get(1, TimeUnit.SECONDS)).as("nothing left behind").isZero();

                // the same made-up ids again: answered from memory, the AS is not asked
                DatagramEndpoint fresh = attacker(net, g4, evilLoop, 200, replies);
                send(evilLoop, fresh, 1, 10);
                awaitCount(dc, "unknownKeyCached", 10, 5);
                assertThat(asked.get()).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS);
                // new ids from a new source are looked up: the refused ones were not remembered
                send(evilLoop, fresh, 1_000_000, 10);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (asked.get() < Dc.MAX_PENDING_KEY_LOOKUPS + 10 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(asked.get()).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS + 10);
                assertThat(replies.get()).as("made-up key ids get no answer").isZero();
                running.values().forEach(f -> f.complete(null));
            }
        }
    }

    private DirectionCoordinator dc(MemoryNetwork net, Segment g4, SelectorEventLoop loop) throws Exception {
        MemoryHost dcHost = net.host("dc").attach(g4, "198.51.100.10");
        DcConfig cfg = new DcConfig("ntm.example", DC, null, List.of(), List.of(), CipherSuite.AES_128_GCM, 1);
        return new DirectionCoordinator(cfg, dcHost, loop, id -> {
            asked.incrementAndGet();
            return running.computeIfAbsent(id, k -> new CompletableFuture<>());
        });
    }

    private static final InetSocketAddress DC = new InetSocketAddress("198.51.100.10", 7000);

    private static DatagramEndpoint attacker(MemoryNetwork net, Segment g4, SelectorEventLoop loop, int host,
                                             AtomicInteger replies) {
        String a = "198.51.100." + host;
        return net.host("attacker-" + host).attach(g4, a).open(new InetSocketAddress(a, 5555), loop,
                (p, f, v) -> replies.incrementAndGet());
    }

    /** KEEPALIVE-shaped datagrams with key ids {@code firstId..} and no valid tag. */
    private static void send(SelectorEventLoop loop, DatagramEndpoint ep, long firstId, int count) {
        loop.execute(() -> {
            for (int i = 0; i < count; i++) {
                ByteBuffer b = ByteBuffer.allocate(NtmHeader.LENGTH + 16);
                NtmHeader.write(b, 0, MessageType.KEEPALIVE, 1, 0, firstId + i, 1);
                ep.send(b, DC);
            }
        });
    }

    private static void awaitCount(DirectionCoordinator dc, String key, long atLeast, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (dc.counters().get(key) < atLeast) {
            assertThat(System.nanoTime()).as(key + " reaches " + atLeast + ": " + dc.counters()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
