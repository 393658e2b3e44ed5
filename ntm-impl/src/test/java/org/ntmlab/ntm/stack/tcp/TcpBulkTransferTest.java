package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Byte-exact delivery under impairment, zero-window phases and many connections. */
class TcpBulkTransferTest {

    private static final long TEN_MIB = 10L * 1024 * 1024;

    private static void transferBothWays(TcpPair p, long bytes, boolean pauseReader) {
        TcpConnection[] c = p.open(80);
        Pump client = new Pump(c[0], bytes, 1, 2);
        Pump server = new Pump(c[1], bytes, 2, 1);
        client.run();
        server.run();
        if (pauseReader) {
            server.paused = true;
            p.loop.runUntil(() -> c[0].sendWindow() == 0, TimeUnit.MINUTES.toNanos(1));
            // sender keeps probing while the reader sleeps
            p.loop.runFor(TimeUnit.SECONDS.toNanos(5));
            assertThat(p.a.stats().zeroWindowProbes()).isGreaterThan(0);
            assertThat(c[0].state()).isEqualTo(TcpState.ESTABLISHED);
            server.paused = false;
            server.run();
        }
        p.loop.runUntil(() -> client.eof && server.eof && client.sent == bytes && server.sent == bytes,
                TimeUnit.HOURS.toNanos(2));
        assertThat(client.error).isNull();
        assertThat(server.error).isNull();
        assertThat(client.received).isEqualTo(bytes);
        assertThat(server.received).isEqualTo(bytes);
        c[0].close();
        c[1].close();
        p.loop.runUntil(() -> p.a.connectionCount() == 0 && p.b.connectionCount() == 0, TimeUnit.MINUTES.toNanos(5));
        p.assertNoInternalErrors();
    }

    @Test
    void tenMebibytesEachWayWithLossReorderingAndDuplication() {
        TcpPair p = new TcpPair(TcpConfig.defaults(), 42);
        p.link.loss(0.05).duplicate(0.02).delay(TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(8));
        long t0 = System.nanoTime();
        transferBothWays(p, TEN_MIB, false);
        System.out.printf("10 MiB each way, 5%% loss: %d ms wall, %d ms virtual, %s%n",
                (System.nanoTime() - t0) / 1_000_000, p.loop.nanoTime() / 1_000_000 - 1_000_000, p.a.stats());
        assertThat(p.a.stats().fastRetransmits() + p.b.stats().fastRetransmits()).isGreaterThan(0);
        assertThat(p.a.stats().outOfOrder() + p.b.stats().outOfOrder()).isGreaterThan(0);
        assertThat(p.a.stats().duplicateSegments() + p.b.stats().duplicateSegments()).isGreaterThan(0);
    }

    @Test
    void tenMebibytesEachWayWithZeroWindowPhase() {
        TcpConfig cfg = TcpConfig.builder().receiveBufferSize(64 * 1024).build();
        TcpPair p = new TcpPair(cfg, 7);
        p.link.loss(0.01).delay(TimeUnit.MILLISECONDS.toNanos(2), TimeUnit.MILLISECONDS.toNanos(2));
        transferBothWays(p, TEN_MIB, true);
    }

    @Test
    void ipv6TransferWithLoss() {
        TcpPair p = new TcpPair(TcpConfig.defaults(), TcpConfig.defaults(), 3, true);
        p.link.loss(0.03).delay(TimeUnit.MILLISECONDS.toNanos(3), TimeUnit.MILLISECONDS.toNanos(3));
        transferBothWays(p, 1024 * 1024, false);
    }

    @Test
    void hundredConcurrentConnections() throws Exception {
        TcpPair p = new TcpPair(TcpConfig.builder().sendBufferSize(32 * 1024).receiveBufferSize(32 * 1024).build(), 9);
        p.link.loss(0.02).delay(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(5));
        TcpListener l = p.b.listen(null, 8080, 200);
        List<Pump> clients = new ArrayList<>();
        List<Pump> servers = new ArrayList<>();
        long bytes = 64 * 1024;
        for (int i = 0; i < 100; i++) {
            TcpConnection c = p.a.connect(p.addrB, 8080);
            Pump pump = new Pump(c, bytes, i, 1000 + i);
            clients.add(pump);
        }
        l.setCallback(() -> {
            TcpConnection s;
            while ((s = l.accept()) != null) {
                int idx = 0;
                for (Pump cp : clients) {
                    if (cp.conn.localPort() == s.remotePort()) {
                        break;
                    }
                    idx++;
                }
                Pump sp = new Pump(s, bytes, 1000 + idx, idx);
                servers.add(sp);
                sp.run();
            }
        });
        p.loop.runUntil(() -> servers.size() == 100 && clients.stream().allMatch(c -> c.eof)
                && servers.stream().allMatch(s -> s.eof), TimeUnit.HOURS.toNanos(1));
        for (Pump c : clients) {
            assertThat(c.received).isEqualTo(bytes);
            assertThat(c.error).isNull();
        }
        for (Pump s : servers) {
            assertThat(s.received).isEqualTo(bytes);
        }
        assertThat(clients.stream().map(c -> c.conn.localPort()).distinct().count()).isEqualTo(100);
        p.assertNoInternalErrors();
    }
}
