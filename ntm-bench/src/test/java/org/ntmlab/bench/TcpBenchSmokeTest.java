package org.ntmlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The TCP benchmark harness moves the bytes it claims to move, through the NTM tunnel and
 * through kernel TCP, and its report has every row. Small sizes, a few seconds; no timing is
 * asserted (the numbers come from TcpReport runs, see docs/benchmarks.md).
 */
class TcpBenchSmokeTest {

    @Test
    void bulkTransfersArriveWholeAndInOrderOverBothStacks() throws Exception {
        try (TunnelPair t = new TunnelPair();
             BulkTransfer ntm = new BulkTransfer(SocketPair.ntm(t, 6001));
             BulkTransfer kernel = new BulkTransfer(SocketPair.kernel())) {
            for (long n : new long[] {1, 1375, 1377, 3 << 20}) { // below, at and above one segment; many segments
                assertThat(ntm.transfer(n, true)).isPositive(); // throws on a short, long or corrupted stream
                assertThat(kernel.transfer(n, true)).isPositive();
            }
            assertThat(ntm.received()).isEqualTo(1 + 1375 + 1377 + (3L << 20));
            assertThat(t.a.tcp().internalErrors()).isZero();
            assertThat(t.b.tcp().internalErrors()).isZero();
        }
    }

    @Test
    void roundTripsEchoTheByteSent() throws Exception {
        try (TunnelPair t = new TunnelPair();
             RoundTrip ntm = new RoundTrip(SocketPair.ntm(t, 6002));
             RoundTrip kernel = new RoundTrip(SocketPair.kernel())) {
            for (int i = 0; i < 300; i++) { // wraps the byte value: each echo is checked
                assertThat(ntm.once()).isPositive();
                assertThat(kernel.once()).isPositive();
            }
        }
    }

    @Test
    void udpRateCountsDatagrams() throws Exception {
        UdpRate.Result r = UdpRate.measure(TunnelPair.fullDatagram(), 20_000_000L, 100_000_000L);
        assertThat(r.sentPerSecond()).isPositive();
        assertThat(r.receivedPerSecond()).isPositive();
        assertThat(TunnelPair.fullDatagram()).isEqualTo(20 + 20 + 20 + 1376 + 16);
    }

    @Test
    void reportHasEveryRow() throws Exception {
        TcpReport.Settings tiny = new TcpReport.Settings(1 << 20, 1 << 20, 1, 50, 200, 10_000_000L, 50_000_000L, true, true);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TcpReport.Result r = TcpReport.run(tiny, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(r.ntmMBps().n()).isEqualTo(1);
        assertThat(r.ntmCounters().get("segmentsOutA")).isGreaterThanOrEqualTo((1 << 20) / 1376);
        assertThat(r.ntmRr().n()).isEqualTo(200);
        assertThat(r.ntmBufferedMBps().n()).isEqualTo(1);
        String md = TcpReport.markdown(r);
        assertThat(md).contains("NTM TCP bulk", "kernel TCP bulk", "ceiling", "1-byte round trip", "Load average",
                "of the UDP ceiling", "what-if");
        assertThat(TcpReport.json(r)).contains("\"ntmTcpMBps\"", "\"ceilingMBps\"", "\"roundTripUs\"");
    }
}
