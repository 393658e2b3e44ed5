package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_RST;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_SYN;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.CFG;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.ISS;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.establishPassive;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Malformed input (RFC 9293 3.1, MUST-2/3) and RFC 5961 blind-attack checks. */
class TcpSegmentValidationTest {

    @Test
    void badChecksumIsCountedAndDropped() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        ByteBuffer syn = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1000, 0, FLAG_SYN, 65535, -1, -1, null);
        syn.put(16, (byte) (syn.get(16) ^ 0x01));
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, syn);
        assertThat(p.layer.stats().badChecksum()).isEqualTo(1);
        assertThat(p.out).isEmpty();
        assertThat(p.layer.connectionCount()).isZero();
    }

    @Test
    void checksumSkippedOnlyForSegmentsTheTunnelVerified() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        ByteBuffer syn = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1000, 0, FLAG_SYN, 65535, -1, -1, null);
        syn.put(16, (byte) (syn.get(16) ^ 0x01));
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, syn.duplicate(), false);
        assertThat(p.layer.stats().badChecksum()).isEqualTo(1);
        assertThat(p.out).isEmpty();
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, syn.duplicate(), true); // AEAD already covered it
        assertThat(p.layer.stats().badChecksum()).isEqualTo(1);
        assertThat(p.next().flags & (FLAG_SYN | TcpConstants.FLAG_ACK)).isEqualTo(FLAG_SYN | TcpConstants.FLAG_ACK);
    }

    @Test
    void checksumCoversPseudoHeaderAddresses() throws Exception {
        RawPeer p = new RawPeer(CFG);
        p.layer.listen(80);
        ByteBuffer syn = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1000, 0, FLAG_SYN, 65535, -1, -1, null);
        p.layer.onSegment(TestAddresses.v4("100.64.0.9"), RawPeer.STACK, syn);
        assertThat(p.layer.stats().badChecksum()).isEqualTo(1);
    }

    @Test
    void dataOffsetBelowFiveIsCountedAndDropped() {
        RawPeer p = new RawPeer(CFG);
        ByteBuffer seg = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1000, 0, FLAG_SYN, 65535, -1, -1, null);
        seg.put(12, (byte) 0x40);
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, seg);
        assertThat(p.layer.stats().badHeader()).isEqualTo(1);
        assertThat(p.out).isEmpty();
    }

    @Test
    void dataOffsetBeyondSegmentIsCountedAndDropped() {
        RawPeer p = new RawPeer(CFG);
        ByteBuffer seg = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1000, 0, FLAG_SYN, 65535, -1, -1, null);
        seg.put(12, (byte) 0xF0);
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, seg);
        assertThat(p.layer.stats().badHeader()).isEqualTo(1);
    }

    @Test
    void truncatedHeaderIsCountedAndDropped() {
        RawPeer p = new RawPeer(CFG);
        p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, ByteBuffer.allocate(19));
        assertThat(p.layer.stats().badHeader()).isEqualTo(1);
    }

    @Test
    void randomAndMutatedSegmentsNeverThrow() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer seg;
            if (i % 2 == 0) {
                byte[] junk = new byte[r.nextInt(80)];
                r.nextBytes(junk);
                seg = ByteBuffer.wrap(junk);
            } else {
                // valid checksum, random header fields aimed at the live connection
                byte[] payload = new byte[r.nextInt(100)];
                seg = RawPeer.build(RawPeer.PEER, RawPeer.STACK, 4000, 80, 1001 + r.nextInt(3000) - 1500,
                        ISS + 1 + r.nextInt(200) - 100, r.nextInt(64) & ~FLAG_RST, r.nextInt(65536),
                        r.nextBoolean() ? r.nextInt(65536) : -1, r.nextBoolean() ? r.nextInt(20) : -1, payload);
            }
            p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, seg);
            p.loop.runForMillis(1);
        }
        assertThat(p.layer.internalErrors()).isZero();
        assertThat(p.layer.stats().badHeader() + p.layer.stats().badChecksum()).isGreaterThan(5_000);
        assertThat(c.state()).isNotNull();
    }

    @Test
    void rstWithExactSequenceResetsConnection() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1001, 0, FLAG_RST, 0, null);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.failure()).isEqualTo(TcpConnection.Failure.RESET);
        assertThatThrownBy(() -> c.read(new byte[10], 0, 10)).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        assertThat(p.layer.connectionCount()).isZero();
    }

    @Test
    void rstInWindowButNotExactGetsChallengeAck() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1500, 0, FLAG_RST, 0, null);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        Captured ack = p.next();
        assertThat(ack.pureAck()).isTrue();
        assertThat(ack.ack).isEqualTo(1001);
        assertThat(p.layer.stats().challengeAcks()).isEqualTo(1);
    }

    @Test
    void rstOutsideWindowIsIgnored() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1001 + 10_000_000, 0, FLAG_RST, 0, null);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(p.out).isEmpty();
    }

    @Test
    void synOnEstablishedConnectionGetsChallengeAck() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1200, 0, FLAG_SYN, 65535, null);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        Captured ack = p.next();
        assertThat(ack.pureAck()).isTrue();
        assertThat(ack.ack).isEqualTo(1001);
    }

    @Test
    void ackForUnsentDataIsAnsweredWithAckAndDropped() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1001, ISS + 5000, FLAG_ACK, 1000, new byte[100]);
        Captured ack = p.next();
        assertThat(ack.ack).isEqualTo(1001);
        assertThat(c.available()).isZero();
    }

    @Test
    void oldDuplicateSegmentIsAcknowledgedNotDelivered() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, new byte[] {1, 2, 3});
        p.send(4000, 80, 1001, ISS + 1, FLAG_ACK, 1000, new byte[] {1, 2, 3});
        Captured ack = p.next();
        assertThat(ack.ack).isEqualTo(1004);
        assertThat(c.available()).isEqualTo(3);
        assertThat(p.layer.stats().duplicateSegments()).isEqualTo(1);
    }
}
