package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sequence arithmetic, reassembly bookkeeping, ring buffer and the RFC 6298 estimator. */
class TcpPrimitivesTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void sequenceComparisonWrapsModulo2To32() {
        int nearTop = 0xFFFFFFF0;
        int wrapped = 0x00000010;
        assertThat(SeqNum.lt(nearTop, wrapped)).isTrue();
        assertThat(SeqNum.gt(wrapped, nearTop)).isTrue();
        assertThat(SeqNum.inRange(0xFFFFFFFF, nearTop, wrapped)).isTrue();
        assertThat(SeqNum.inRange(wrapped, nearTop, wrapped)).isFalse();
        assertThat(SeqNum.max(nearTop, wrapped)).isEqualTo(wrapped);
        assertThat(SeqNum.le(5, 5)).isTrue();
        assertThat(SeqNum.lt(5, 5)).isFalse();
    }

    @Test
    void assemblerMergesAndPopsContiguousPrefix() {
        Assembler a = new Assembler(4);
        assertThat(a.add(10, 20)).isTrue();
        assertThat(a.add(30, 40)).isTrue();
        assertThat(a.popFront()).isZero();
        assertThat(a.add(20, 30)).isTrue(); // bridges both
        assertThat(a.ranges()).isEqualTo(1);
        assertThat(a.add(0, 10)).isTrue();
        assertThat(a.popFront()).isEqualTo(40);
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void assemblerRefusesNewHoleWhenFullExceptAtFront() {
        Assembler a = new Assembler(2);
        a.add(10, 20);
        a.add(30, 40);
        assertThat(a.add(50, 60)).isFalse();
        assertThat(a.add(35, 45)).isTrue(); // merges
        assertThat(a.add(0, 5)).isTrue(); // evicts the farthest range
        assertThat(a.popFront()).isEqualTo(5);
        assertThat(a.toString()).isEqualTo("[5-15]");
    }

    @Test
    void ringWrapsAroundAndStoresOutOfOrderPastTheEnd() {
        ByteRing r = new ByteRing(8);
        byte[] tmp = new byte[8];
        assertThat(r.write(new byte[] {1, 2, 3, 4, 5, 6}, 0, 6)).isEqualTo(6);
        assertThat(r.read(tmp, 0, 5)).isEqualTo(5);
        // head is at 5; out-of-order bytes two past the end, wrapping the array
        r.writeAt(2, ByteBuffer.wrap(new byte[] {9, 9, 9}), 0, 3);
        r.writeAt(0, ByteBuffer.wrap(new byte[] {7, 8}), 0, 2);
        r.commit(5);
        assertThat(r.size()).isEqualTo(6);
        assertThat(r.read(tmp, 0, 8)).isEqualTo(6);
        assertThat(tmp).startsWith(6, 7, 8, 9, 9, 9);
        assertThat(r.write(new byte[10], 0, 10)).isEqualTo(8);
        assertThat(r.free()).isZero();
    }

    @Test
    void ringKeepsOutOfOrderBytesWhenReaderDrainsIt() {
        ByteRing r = new ByteRing(8);
        r.write(new byte[] {1}, 0, 1);
        r.writeAt(1, ByteBuffer.wrap(new byte[] {3}), 0, 1);
        byte[] tmp = new byte[4];
        r.read(tmp, 0, 4); // empties the ring: the stored byte must stay where it is
        r.writeAt(0, ByteBuffer.wrap(new byte[] {2}), 0, 1);
        r.commit(2);
        assertThat(r.read(tmp, 0, 4)).isEqualTo(2);
        assertThat(tmp).startsWith(2, 3);
    }

    @Test
    void rttEstimatorFollowsRfc6298() {
        RttEstimator e = new RttEstimator(TimeUnit.SECONDS.toNanos(1), 200 * MS, TimeUnit.SECONDS.toNanos(60));
        assertThat(e.rto()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        e.sample(100 * MS); // SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
        assertThat(e.srtt()).isEqualTo(100 * MS);
        assertThat(e.rttvar()).isEqualTo(50 * MS);
        assertThat(e.rto()).isEqualTo(300 * MS);
        e.sample(200 * MS); // RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5
        assertThat(e.rttvar()).isEqualTo(62_500_000L);
        assertThat(e.srtt()).isEqualTo(112_500_000L);
        assertThat(e.rto()).isEqualTo(362_500_000L);
        e.backOff();
        assertThat(e.rto()).isEqualTo(725_000_000L);
        for (int i = 0; i < 20; i++) {
            e.backOff();
        }
        assertThat(e.rto()).isEqualTo(TimeUnit.SECONDS.toNanos(60));
        e.sample(1 * MS);
        assertThat(e.rto()).isGreaterThanOrEqualTo(200 * MS); // clamped to the minimum
    }

    @Test
    void mssForTunnelSubtractsEveryHeader() {
        // 1500 - IPv6 40 - UDP 8 - NTM 20 - tag 16 - inner IPv4 20 - TCP 20
        assertThat(TcpConfig.mssForTunnel(1500, true, false)).isEqualTo(1376);
        assertThat(TcpConfig.mssForTunnel(1500, false, false)).isEqualTo(1396);
        assertThat(TcpConfig.mssForTunnel(1500, true, true)).isEqualTo(1356);
    }
}
