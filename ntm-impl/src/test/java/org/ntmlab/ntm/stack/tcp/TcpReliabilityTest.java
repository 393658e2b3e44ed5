package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.CFG;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.ISS;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.establishPassive;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Data transfer: ACK policy, Nagle, retransmission, congestion control, windows. */
class TcpReliabilityTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void delayedAckSentAfterTimeout() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, new byte[100]);
        assertThat(p.out).isEmpty();
        p.loop.runForMillis(39);
        assertThat(p.out).isEmpty();
        p.loop.runForMillis(1);
        Captured ack = p.next();
        assertThat(ack.ack).isEqualTo(1101);
        assertThat(c.available()).isEqualTo(100);
    }

    @Test
    void everySecondSegmentAckedAtOnce() throws Exception {
        RawPeer p = new RawPeer(CFG);
        establishPassive(p, 2);
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, new byte[1200]);
        assertThat(p.out).isEmpty();
        p.send(4000, 80, 2201, ISS + 1, FLAG_ACK, 1000, new byte[1200]);
        assertThat(p.next().ack).isEqualTo(3401);
    }

    @Test
    void oneCumulativeAckPerReceiveBatch() throws Exception {
        RawPeer p = new RawPeer(CFG);
        establishPassive(p, 2);
        int seq = 1001;
        for (int i = 0; i < 5; i++) { // five segments read in one batch, before the loop runs its tasks
            p.layer.onSegment(p.peerAddr, p.stackAddr, RawPeer.build(p.peerAddr, p.stackAddr, 4000, 80, seq,
                    ISS + 1, FLAG_ACK, 1000, -1, -1, new byte[1000]));
            seq += 1000;
        }
        assertThat(p.out).isEmpty();
        p.loop.runFor(0); // end of the batch
        assertThat(p.next().ack).isEqualTo(seq);
        assertThat(p.out).isEmpty();
        // the next batch is acknowledged on its own
        p.send(4000, 80, seq, ISS + 1, FLAG_ACK, 1000, new byte[1000]);
        p.send(4000, 80, seq + 1000, ISS + 1, FLAG_ACK, 1000, new byte[1000]);
        assertThat(p.next().ack).isEqualTo(seq + 2000);
    }

    @Test
    void longReceiveBatchIsAckedEverySixteenSegments() throws Exception {
        RawPeer p = new RawPeer(CFG);
        establishPassive(p, 2);
        int seq = 1001;
        for (int i = 0; i < 20; i++) {
            p.layer.onSegment(p.peerAddr, p.stackAddr, RawPeer.build(p.peerAddr, p.stackAddr, 4000, 80, seq,
                    ISS + 1, FLAG_ACK, 1000, -1, -1, new byte[100]));
            seq += 100;
        }
        assertThat(p.next().ack).isEqualTo(1001 + 16 * 100); // at once, inside the batch
        assertThat(p.out).isEmpty();
        p.loop.runFor(0);
        assertThat(p.next().ack).isEqualTo(seq);
    }

    @Test
    void outOfOrderSegmentGetsImmediateDuplicateAckAndIsReassembled() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        byte[] a = {1, 2, 3};
        byte[] b = {4, 5, 6};
        p.send(4000, 80, 1004, ISS + 1, FLAG_ACK, 1000, b);
        assertThat(p.next().ack).isEqualTo(1001);
        assertThat(c.available()).isZero();
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, a);
        assertThat(p.next().ack).isEqualTo(1007); // hole filled: ACK at once (RFC 5681 4.2)
        byte[] got = new byte[6];
        assertThat(c.read(got, 0, 6)).isEqualTo(6);
        assertThat(got).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(p.layer.stats().outOfOrder()).isEqualTo(1);
    }

    @Test
    void nagleHoldsSmallSegmentWhileDataUnacked() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.write(new byte[10], 0, 10);
        assertThat(p.next().payload).hasSize(10);
        c.write(new byte[10], 0, 10);
        c.write(new byte[10], 0, 10);
        assertThat(p.out).isEmpty();
        p.send(4000, 80, 1001, ISS + 11, FLAG_ACK, 1000, null);
        assertThat(p.next().payload).hasSize(20); // coalesced
    }

    @Test
    void noDelaySendsSmallSegmentsAtOnce() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.setNoDelay(true);
        c.write(new byte[10], 0, 10);
        c.write(new byte[10], 0, 10);
        assertThat(p.out).extracting(s -> s.payload.length).containsExactly(10, 10);
    }

    @Test
    void sequenceWrapAround() {
        TcpConfig cfg = TcpConfig.builder().issSupplier(() -> -20_000).build(); // 2^32 - 20000
        TcpPair p = new TcpPair(cfg, 11);
        p.link.loss(0.03).delay(2 * MS, 2 * MS);
        TcpConnection[] c = p.open(80);
        Pump x = new Pump(c[0], 1 << 20, 1, 2);
        Pump y = new Pump(c[1], 1 << 20, 2, 1);
        x.run();
        y.run();
        p.loop.runUntil(() -> x.eof && y.eof, TimeUnit.MINUTES.toNanos(10));
        assertThat(x.received).isEqualTo(1 << 20);
        assertThat(y.received).isEqualTo(1 << 20);
        p.assertNoInternalErrors();
    }

    /** Drops the n-th data segment (1-based) a sends, once. */
    private static MemoryLink dropDataSegments(TcpPair p, int... which) {
        AtomicInteger n = new AtomicInteger();
        List<Integer> targets = new ArrayList<>();
        for (int w : which) {
            targets.add(w);
        }
        List<Integer> droppedSeqs = new ArrayList<>();
        return p.link.dropIf(s -> {
            if (!s.src.equals(p.addrA) || s.payload.length == 0 || droppedSeqs.contains(s.seq)) {
                return false;
            }
            if (targets.contains(n.incrementAndGet())) {
                droppedSeqs.add(s.seq);
                return true;
            }
            return false;
        });
    }

    @Test
    void fastRetransmitAfterThreeDupAcks() {
        TcpPair p = new TcpPair(TcpConfig.defaults(), 1);
        TcpConnection[] c = p.open(80);
        dropDataSegments(p, 3).record(true);
        Pump x = new Pump(c[0], 50_000, 1, 2);
        Pump y = new Pump(c[1], 0, 2, 1);
        x.run();
        p.loop.runUntil(() -> y.received == 50_000, TimeUnit.SECONDS.toNanos(10));
        assertThat(p.a.stats().fastRetransmits()).isEqualTo(1);
        assertThat(p.a.stats().timeouts()).isZero();
        List<Captured> log = p.link.log();
        int lostSeq = log.stream().filter(s -> s.src.equals(p.addrA) && s.payload.length > 0).skip(2).findFirst()
                .orElseThrow().seq;
        List<Captured> sends = log.stream().filter(s -> s.src.equals(p.addrA) && s.seq == lostSeq
                && s.payload.length > 0).toList();
        assertThat(sends).hasSize(2);
        // resent after three duplicate ACKs, one RTT later, well before the 200 ms minimum RTO
        assertThat(sends.get(1).time - sends.get(0).time).isLessThan(50 * MS);
    }

    @Test
    void newRenoPartialAckRetransmitsNextHoleWithoutTimeout() {
        TcpPair p = new TcpPair(TcpConfig.defaults(), 1);
        TcpConnection[] c = p.open(80);
        dropDataSegments(p, 3, 6);
        Pump x = new Pump(c[0], 50_000, 1, 2);
        Pump y = new Pump(c[1], 0, 2, 1);
        x.run();
        p.loop.runUntil(() -> y.received == 50_000, TimeUnit.SECONDS.toNanos(10));
        assertThat(p.a.stats().fastRetransmits()).isEqualTo(1);
        assertThat(p.a.stats().retransmissions()).isEqualTo(2);
        assertThat(p.a.stats().timeouts()).isZero();
    }

    @Test
    void retransmissionTimerBacksOffThenTimesOut() throws Exception {
        RawPeer p = new RawPeer(TcpConfig.builder().issSupplier(() -> ISS).maxRetransmissions(5, 6).build());
        TcpConnection c = establishPassive(p, 2);
        long rto = c.rtoNanos();
        assertThat(rto).isEqualTo(TcpConstants.MIN_RTO_NANOS); // handshake RTT ~0 -> clamped to the minimum
        c.write(new byte[100], 0, 100);
        long t0 = p.next().time;
        p.loop.runUntil(() -> c.state() == TcpState.CLOSED, TimeUnit.MINUTES.toNanos(5));
        List<Long> gaps = new ArrayList<>();
        long prev = t0;
        for (Captured s : p.out) {
            if (s.payload.length == 100) {
                gaps.add((s.time - prev) / MS);
                prev = s.time;
            }
        }
        assertThat(gaps).containsExactly(200L, 400L, 800L, 1600L, 3200L);
        assertThat(c.failure()).isEqualTo(TcpConnection.Failure.TIMED_OUT);
    }

    /**
     * draft-schuetz-tcpm-tcp-rlci: when the node reports that the path works again (a move), the
     * connection resends from SND.UNA at once and its next timer runs on the un-backed-off RTO,
     * instead of sitting out a timer doubled while the old path was dead.
     */
    @Test
    void connectivityChangeIndicationRetransmitsAtOnceAndForgetsBackoff() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.setNoDelay(true);
        c.write(new byte[100], 0, 100);
        assertThat(p.next().payload).hasSize(100);
        p.loop.runForMillis(200 + 400 + 10); // two expiries on the dead path: the next one is 800 ms away
        assertThat(p.next().payload).hasSize(100);
        assertThat(p.next().payload).hasSize(100);
        assertThat(c.rtoNanos()).isEqualTo(800 * MS);
        assertThat(p.out).isEmpty();

        c.pathResumed();
        Captured now = p.next();
        assertThat(now.payload).hasSize(100);
        assertThat(now.seq).isEqualTo(ISS + 1);
        assertThat(c.rtoNanos()).isEqualTo(TcpConstants.MIN_RTO_NANOS);
        assertThat(c.congestionWindow()).isEqualTo(c.mss()); // loss window: the new path's capacity is unknown
        assertThat(p.layer.stats().pathResumes()).isEqualTo(1);
        assertThat(p.layer.stats().timeouts()).isEqualTo(2); // the indication is not a timer expiry
        // still unacknowledged: the next try comes after the plain RTO, not the backed-off 1.6 s
        p.loop.runForMillis(199);
        assertThat(p.out).isEmpty();
        p.loop.runForMillis(1);
        assertThat(p.next().payload).hasSize(100);
        // acknowledged: the stream goes on
        p.send(4000, 80, 1001, ISS + 101, FLAG_ACK, 1000, null);
        assertThat(c.unacknowledged()).isZero();
    }

    @Test
    void connectivityChangeIndicationWithNothingOutstandingSendsNothing() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.pathResumed();
        assertThat(p.out).isEmpty();
        assertThat(p.layer.stats().pathResumes()).isZero();
        assertThat(p.layer.pathResumed(p.peerAddr)).isZero();
    }

    @Test
    void retransmissionAfterTimeoutRestartsWithLossWindow() throws Exception {
        TcpPair p = new TcpPair(TcpConfig.defaults(), 2);
        TcpConnection[] c = p.open(80);
        long[] blackoutUntil = {p.loop.nanoTime() + 2_000 * MS};
        p.link.dropIf(s -> p.loop.nanoTime() < blackoutUntil[0]);
        Pump x = new Pump(c[0], 200_000, 1, 2);
        Pump y = new Pump(c[1], 0, 2, 1);
        x.run();
        p.loop.runUntil(() -> c[0].congestionWindow() == c[0].mss(), TimeUnit.SECONDS.toNanos(3));
        p.loop.runUntil(() -> y.received == 200_000, TimeUnit.MINUTES.toNanos(1));
        assertThat(p.a.stats().timeouts()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void zeroWindowProbeRecovers() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 0);
        c.setNoDelay(true);
        c.write(new byte[500], 0, 500);
        assertThat(p.next().payload).hasSize(500);
        // peer acks everything but closes its window
        p.send(4000, 80, 1001, ISS + 501, FLAG_ACK, 0, null);
        c.write(new byte[300], 0, 300);
        assertThat(p.out).isEmpty();
        long t0 = p.loop.nanoTime();
        p.loop.runForMillis(199);
        assertThat(p.out).isEmpty();
        p.loop.runForMillis(1);
        Captured probe1 = p.next();
        assertThat(probe1.payload).hasSize(1);
        assertThat(probe1.seq).isEqualTo(ISS + 501);
        // window still zero: probe is not acknowledged, persist timer backs off
        p.send(4000, 80, 1001, ISS + 501, FLAG_ACK, 0, null);
        p.loop.runForMillis(400);
        Captured probe2 = p.next();
        assertThat(probe2.time - probe1.time).isEqualTo(400 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // window opens: the rest flows
        p.send(4000, 80, 1001, ISS + 501, FLAG_ACK, 1000, null);
        Captured data = p.next();
        assertThat(data.seq).isEqualTo(ISS + 501);
        assertThat(data.payload).hasSize(300);
        assertThat(p.layer.stats().zeroWindowProbes()).isEqualTo(2);
        assertThat(t0).isPositive();
    }

    @Test
    void zeroWindowProbeByteAcceptedWhenWindowReopened() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 0);
        c.setNoDelay(true);
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 0, null);
        c.write(new byte[300], 0, 300);
        p.loop.runForMillis(200);
        Captured probe = p.next();
        assertThat(probe.payload).hasSize(1);
        p.send(4000, 80, 1001, ISS + 2, FLAG_ACK, 1000, null); // peer took the probe byte
        Captured data = p.next();
        assertThat(data.seq).isEqualTo(ISS + 2);
        assertThat(data.payload).hasSize(299);
        assertThat(c.unacknowledged()).isEqualTo(299);
    }

    @Test
    void windowScalingAllowsMoreThan64KiBInFlight() {
        TcpConfig cfg = TcpConfig.builder().sendBufferSize(1 << 20).receiveBufferSize(1 << 20).build();
        TcpPair p = new TcpPair(cfg, 3);
        p.link.delay(50 * MS, 0);
        TcpConnection[] c = p.open(80);
        assertThat(c[0].sendWindowShift()).isEqualTo(5);
        Pump x = new Pump(c[0], 4 << 20, 1, 2);
        Pump y = new Pump(c[1], 0, 2, 1);
        x.run();
        long[] maxFlight = {0};
        p.loop.runUntil(() -> {
            maxFlight[0] = Math.max(maxFlight[0], c[0].unacknowledged());
            return y.received == 4 << 20;
        }, TimeUnit.MINUTES.toNanos(1));
        assertThat(maxFlight[0]).isGreaterThan(65535 * 4);
    }

    @Test
    void advertisedRightEdgeNeverMovesLeft() {
        TcpConfig cfg = TcpConfig.builder().receiveBufferSize(20_000).build();
        TcpPair p = new TcpPair(cfg, 4);
        p.link.loss(0.02).delay(3 * MS, 3 * MS).record(true);
        TcpConnection[] c = p.open(80);
        Pump x = new Pump(c[0], 1 << 20, 1, 2);
        Pump y = new Pump(c[1], 0, 2, 1);
        x.run();
        p.loop.runUntil(() -> y.eof, TimeUnit.MINUTES.toNanos(10));
        long edge = Long.MIN_VALUE;
        int base = 0;
        for (Captured s : p.link.log()) {
            if (s.src.equals(p.addrB) && s.ackFlag() && !s.syn()) {
                if (edge == Long.MIN_VALUE) {
                    base = s.ack;
                }
                long e = ((s.ack - base) & 0xFFFFFFFFL) + ((long) s.window << c[1].receiveWindowShift());
                assertThat(e).as("right edge at %s", s).isGreaterThanOrEqualTo(edge);
                edge = e;
            }
        }
        assertThat(y.received).isEqualTo(1 << 20);
    }
}
