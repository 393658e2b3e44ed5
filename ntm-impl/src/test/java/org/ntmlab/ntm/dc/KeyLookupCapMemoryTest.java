package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * A restarted DC looks up the key of any node message under a key id it does not hold (issue
 * 10), so made-up ids in KEEPALIVEs reach the AS as REGISTERs did: at most
 * {@link Dc#MAX_PENDING_KEY_LOOKUPS} look-ups run at once, the rest are dropped ({@code lookupBusy})
 * and not remembered. (Before, each id beyond the cap stayed in the pending set for good: after a
 * flood the DC refused every new node's look-up.)
 */
class KeyLookupCapMemoryTest {

    @Test
    void forgedKeepalivesNeverRunMoreLookupsThanTheCapAndLeaveNothingBehind() throws Exception {
        Map<Long, CompletableFuture<NodeKey>> running = new ConcurrentHashMap<>();
        AtomicInteger asked = new AtomicInteger();
        try (MemoryNetwork net = new MemoryNetwork(3);
             SelectorEventLoop dcLoop = new SelectorEventLoop("dc");
             SelectorEventLoop evilLoop = new SelectorEventLoop("attacker")) {
            var g4 = net.segment("g4", true);
            MemoryHost dcHost = net.host("dc").attach(g4, "198.51.100.10");
            InetSocketAddress dcAt = new InetSocketAddress("198.51.100.10", 7000);
            DcConfig cfg = new DcConfig("ntm.example", dcAt, null, List.of(), List.of(), CipherSuite.AES_128_GCM, 1);
            try (DirectionCoordinator dc = new DirectionCoordinator(cfg, dcHost, dcLoop, id -> {
                asked.incrementAndGet();
                return running.computeIfAbsent(id, k -> new CompletableFuture<>()); // the AS hangs
            })) {
                MemoryHost evil = net.host("attacker").attach(g4, "198.51.100.66");
                AtomicInteger replies = new AtomicInteger();
                DatagramEndpoint ep = evil.open(new InetSocketAddress("0.0.0.0", 5555), evilLoop,
                        (p, f, v) -> replies.incrementAndGet());
                int flood = 3 * Dc.MAX_PENDING_KEY_LOOKUPS;
                send(evilLoop, ep, dcAt, 1, flood);
                awaitCount(dc, "lookupBusy", flood - Dc.MAX_PENDING_KEY_LOOKUPS);
                assertThat(asked.get()).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS);
                assertThat(dc.pendingKeyLookups().get(1, TimeUnit.SECONDS)).isEqualTo(Dc.MAX_PENDING_KEY_LOOKUPS);

                running.values().forEach(f -> f.complete(null)); // the AS: no such keys
                awaitCount(dc, "unknownKey", Dc.MAX_PENDING_KEY_LOOKUPS);
                assertThat(dc.pendingKeyLookups().get(1, TimeUnit.SECONDS)).as("nothing left behind").isZero();

                // new ids are looked up again: the refused ones were not remembered
                send(evilLoop, ep, dcAt, flood + 1, 10);
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

    private static void send(SelectorEventLoop loop, DatagramEndpoint ep, InetSocketAddress to, long firstId,
                             int count) {
        loop.execute(() -> {
            for (int i = 0; i < count; i++) {
                ByteBuffer b = ByteBuffer.allocate(NtmHeader.LENGTH + 16);
                NtmHeader.write(b, 0, MessageType.KEEPALIVE, 1, 0, firstId + i, 1);
                ep.send(b, to);
            }
        });
    }

    private static void awaitCount(DirectionCoordinator dc, String key, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dc.counters().get(key) < atLeast) {
            assertThat(System.nanoTime()).as(key + " reaches " + atLeast + ": " + dc.counters()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
