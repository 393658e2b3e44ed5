package org.ntmlab.ntm.rs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.RelayAuthorise;

/**
 * Every table a peer can grow has a cap (issue 10): an RS refuses (does not ack) a
 * RELAY_AUTHORISE for a new tunnel once it relays {@link Relay#MAX_TUNNELS}, and keeps
 * renewing the ones it has.
 */
class RelayTableCapTest {

    /** A small cap for the test; {@code Relay.MAX_TUNNELS} (65,536) in service. */
    private static final int CAP = 256;

    @Test
    void theRsRefusesNewTunnelsPastItsCapAndStillAcksKnownOnes() throws Exception {
        byte[] secret = new byte[32];
        secret[0] = 7;
        try (MemoryNetwork net = new MemoryNetwork(1);
             SelectorEventLoop rsLoop = new SelectorEventLoop("rs");
             SelectorEventLoop dcLoop = new SelectorEventLoop("dc")) {
            var global = net.segment("global4", true);
            MemoryHost rsHost = net.host("rs").attach(global, "198.51.100.20");
            MemoryHost dcHost = net.host("dc").attach(global, "198.51.100.10");
            InetSocketAddress rsAddr = new InetSocketAddress("198.51.100.20", 7100);
            try (RelayServer rs = new RelayServer(1, secret, CipherSuite.AES_128_GCM, rsAddr, null, rsHost, rsLoop, CAP)) {
                AtomicInteger acks = new AtomicInteger();
                DatagramEndpoint dc = dcHost.open(new InetSocketAddress("198.51.100.10", 7000), dcLoop,
                        (p, from, via) -> acks.incrementAndGet());
                Association keys = Association.longLived(CipherSuite.AES_128_GCM, secret, KeyLabels.DC_TO_RS,
                        KeyLabels.RS_TO_DC);
                Outbox outbox = new Outbox();
                byte[] relaySecret = new byte[32];
                int total = CAP + 3;
                for (int batch = 0; batch < total; batch += 64) {
                    int from = batch;
                    int to = Math.min(total, batch + 64);
                    CompletableFuture.runAsync(() -> {
                        for (int i = from; i < to; i++) {
                            long id = i + 1;
                            outbox.send(dc, rsAddr, keys.send(), MessageType.RELAY_AUTHORISE, 0, 1,
                                    b -> new RelayAuthorise(id, relaySecret, 60).encode(b));
                        }
                    }, dcLoop::execute).get(30, TimeUnit.SECONDS);
                    awaitCount(rs, to);
                }
                assertThat(rs.counters().get("tableFull")).isEqualTo(3);
                assertThat(rs.counters().get("authorised")).isEqualTo(CAP);
                // a known tunnel is still renewed (acked) at the cap
                CompletableFuture.runAsync(() -> outbox.send(dc, rsAddr, keys.send(), MessageType.RELAY_AUTHORISE, 0, 1,
                        b -> new RelayAuthorise(1, relaySecret, 60).encode(b)), dcLoop::execute).get(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (acks.get() < CAP + 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(acks.get()).isEqualTo(CAP + 1);
            }
        }
    }

    /** Waits until the RS has handled every RELAY_AUTHORISE up to {@code to} (authorised or refused). */
    private static void awaitCount(RelayServer rs, int to) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rs.counters().get("authorised") + rs.counters().get("tableFull") < to) {
            assertThat(System.nanoTime()).as("RS handled " + to + " authorisations").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
