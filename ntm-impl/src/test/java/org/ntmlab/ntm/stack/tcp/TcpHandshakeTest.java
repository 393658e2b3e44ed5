package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_RST;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_SYN;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** RFC 9293 3.5 (connection establishment), 3.10.7.1-3 and RFC 7323 option negotiation. */
class TcpHandshakeTest {

    static final int ISS = 10_000;
    static final TcpConfig CFG = TcpConfig.builder().issSupplier(() -> ISS).build();

    @Test
    void listenSynGetsSynAckWithMssAndWindowScale() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, 1200, 7, null);
        Captured c = p.next();
        assertThat(c.flags).isEqualTo(FLAG_SYN | FLAG_ACK);
        assertThat(c.seq).isEqualTo(ISS);
        assertThat(c.ack).isEqualTo(1001);
        assertThat(c.mss).isEqualTo(CFG.mssV4());
        assertThat(c.wscale).isEqualTo(3); // 256 KiB buffer needs a shift of 3
        assertThat(p.out).isEmpty();
    }

    @Test
    void listenSynWithoutWindowScaleGetsSynAckWithoutIt() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, 1200, -1, null);
        assertThat(p.next().wscale).isEqualTo(-1);
    }

    @Test
    void listenAckGetsRstWithSeqFromAck() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 777, FLAG_ACK, 65535, null);
        Captured c = p.next();
        assertThat(c.flags).isEqualTo(FLAG_RST);
        assertThat(c.seq).isEqualTo(777);
    }

    @Test
    void listenIgnoresRst() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_RST, 0, null);
        assertThat(p.out).isEmpty();
    }

    @Test
    void closedPortSynGetsRstAck() {
        RawPeer p = new RawPeer(CFG);
        p.send(4000, 81, 1000, 0, FLAG_SYN, 65535, null);
        Captured c = p.next();
        assertThat(c.flags).isEqualTo(FLAG_RST | FLAG_ACK);
        assertThat(c.seq).isEqualTo(0);
        assertThat(c.ack).isEqualTo(1001);
        assertThat(p.layer.stats().noConnection()).isEqualTo(1);
    }

    @Test
    void closedPortIgnoresRst() {
        RawPeer p = new RawPeer(CFG);
        p.send(4000, 81, 1000, 0, FLAG_RST | FLAG_ACK, 0, null);
        assertThat(p.out).isEmpty();
    }

    static TcpConnection establishPassive(RawPeer p, int wscale) throws Exception {
        TcpListener l = p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, 1200, wscale, null);
        p.next();
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, null);
        TcpConnection c = l.accept();
        assertThat(c).isNotNull();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        return c;
    }

    @Test
    void synReceivedAckEstablishesAndQueuesForAccept() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        assertThat(c.sendWindow()).isEqualTo(1000L << 2);
        assertThat(c.mss()).isEqualTo(1200);
        assertThat(p.out).isEmpty();
    }

    @Test
    void synReceivedDuplicateSynResendsSynAck() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.next();
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, null);
        Captured c = p.next();
        assertThat(c.flags).isEqualTo(FLAG_SYN | FLAG_ACK);
        assertThat(c.ack).isEqualTo(1001);
    }

    @Test
    void synReceivedUnacceptableAckGetsRst() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.next();
        p.send(4000, 80, 1001, ISS + 50, FLAG_ACK, 1000, null);
        Captured c = p.next();
        assertThat(c.flags).isEqualTo(FLAG_RST);
        assertThat(c.seq).isEqualTo(ISS + 50);
    }

    @Test
    void synReceivedRetransmitsSynAckOnTimeout() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.next();
        p.loop.runForMillis(999);
        assertThat(p.out).isEmpty();
        p.loop.runForMillis(1);
        assertThat(p.next().flags).isEqualTo(FLAG_SYN | FLAG_ACK);
    }

    @Test
    void synSentReceivesSynAckSendsAckAndEstablishes() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = p.layer.connect(RawPeer.PEER, 80);
        Captured syn = p.next();
        assertThat(syn.flags).isEqualTo(FLAG_SYN);
        assertThat(syn.seq).isEqualTo(ISS);
        assertThat(syn.mss).isEqualTo(CFG.mssV4());
        assertThat(syn.wscale).isEqualTo(3);
        p.send(80, c.localPort(), 5000, ISS + 1, FLAG_SYN | FLAG_ACK, 30000, 900, 1, null);
        Captured ack = p.next();
        assertThat(ack.flags).isEqualTo(FLAG_ACK);
        assertThat(ack.seq).isEqualTo(ISS + 1);
        assertThat(ack.ack).isEqualTo(5001);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.mss()).isEqualTo(900);
        assertThat(c.sendWindow()).isEqualTo(30000); // a SYN's window is never scaled
        assertThat(c.sendWindowShift()).isEqualTo(1);
    }

    @Test
    void synSentReceivesRstGoesClosed() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = p.layer.connect(RawPeer.PEER, 80);
        p.next();
        p.send(80, c.localPort(), 0, ISS + 1, FLAG_RST | FLAG_ACK, 0, null);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.failure()).isEqualTo(TcpConnection.Failure.REFUSED);
        assertThat(p.layer.connectionCount()).isZero();
    }

    @Test
    void synSentIgnoresRstWithoutAck() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = p.layer.connect(RawPeer.PEER, 80);
        p.next();
        p.send(80, c.localPort(), 0, 0, FLAG_RST, 0, null);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synSentUnacceptableAckGetsRst() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = p.layer.connect(RawPeer.PEER, 80);
        p.next();
        p.send(80, c.localPort(), 5000, ISS + 5, FLAG_SYN | FLAG_ACK, 30000, null);
        Captured rst = p.next();
        assertThat(rst.flags).isEqualTo(FLAG_RST);
        assertThat(rst.seq).isEqualTo(ISS + 5);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synRetransmittedWithExponentialBackoffThenTimesOut() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = p.layer.connect(RawPeer.PEER, 80);
        long start = p.loop.nanoTime();
        p.loop.runUntil(() -> c.state() == TcpState.CLOSED, TimeUnit.MINUTES.toNanos(10));
        List<Long> sends = p.out.stream().map(s -> TimeUnit.NANOSECONDS.toSeconds(s.time - start))
                .collect(Collectors.toList());
        assertThat(p.out).allMatch(s -> s.flags == FLAG_SYN && s.seq == ISS);
        // RFC 6298 5.5: 1 s initial RTO, doubled after each expiry
        assertThat(sends).containsExactly(0L, 1L, 3L, 7L, 15L, 31L, 63L);
        assertThat(c.failure()).isEqualTo(TcpConnection.Failure.TIMED_OUT);
    }

    @Test
    void simultaneousOpenEstablishesBothEnds() throws Exception {
        TcpPair p = new TcpPair(TcpConfig.defaults(), 1);
        p.link.record(true);
        TcpConnection x = p.a.connect(null, 5000, p.addrB, 6000);
        TcpConnection y = p.b.connect(null, 6000, p.addrA, 5000);
        p.loop.runUntil(() -> x.state() == TcpState.ESTABLISHED && y.state() == TcpState.ESTABLISHED,
                TimeUnit.SECONDS.toNanos(10));
        List<Captured> log = p.link.log();
        assertThat(log.get(0).flags).isEqualTo(FLAG_SYN);
        assertThat(log.get(1).flags).isEqualTo(FLAG_SYN);
        assertThat(log).filteredOn(c -> c.flags == (FLAG_SYN | FLAG_ACK)).hasSize(2);
        Pump px = new Pump(x, 100_000, 1, 2);
        Pump py = new Pump(y, 100_000, 2, 1);
        px.run();
        py.run();
        p.loop.runUntil(() -> px.eof && py.eof, TimeUnit.MINUTES.toNanos(1));
        assertThat(px.received).isEqualTo(100_000);
        assertThat(py.received).isEqualTo(100_000);
        p.assertNoInternalErrors();
    }

    @Test
    void listenBacklogDropsExcessSyns() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(null, 80, 2);
        p.send(4001, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.send(4002, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.send(4003, 80, 1000, 0, FLAG_SYN, 65535, null);
        assertThat(p.out).hasSize(2);
        assertThat(p.layer.stats().backlogDrops()).isEqualTo(1);
        assertThat(p.layer.connectionCount()).isEqualTo(2);
    }

    @Test
    void ephemeralPortsAreUniqueAndInRange() throws Exception {
        RawPeer p = new RawPeer(CFG);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            ports.add(p.layer.connect(RawPeer.PEER, 80).localPort());
        }
        assertThat(ports).hasSize(2000);
        assertThat(ports).allMatch(x -> x >= 49152 && x <= 65535);
    }

    @Test
    void mssDefaultsTo536WithoutOptionAndLimitsSegments() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpListener l = p.layer.listen(80);
        p.send(4000, 80, 1000, 0, FLAG_SYN, 65535, null);
        p.next();
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 65535, null);
        TcpConnection c = l.accept();
        assertThat(c.mss()).isEqualTo(536);
        c.setNoDelay(true);
        c.write(new byte[2000], 0, 2000);
        assertThat(p.out).extracting(s -> s.payload.length).containsExactly(536, 536, 536, 392);
    }

    @Test
    void windowScaleUnusedWhenPeerDoesNotOfferIt() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, -1);
        assertThat(c.receiveWindowShift()).isZero();
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, new byte[10]);
        p.loop.runForMillis(100);
        Captured ack = p.next();
        assertThat(ack.window).isEqualTo(65535); // unscaled, capped at 16 bits
        assertThat(c.sendWindow()).isEqualTo(1000);
    }
}
