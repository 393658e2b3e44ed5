package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_ACK;
import static org.ntmlab.ntm.stack.tcp.TcpConstants.FLAG_FIN;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.ISS;
import static org.ntmlab.ntm.stack.tcp.TcpHandshakeTest.establishPassive;

import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 9293 3.6 closing in every order, TIME-WAIT, half-close and abort. */
class TcpCloseTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final TcpConfig CFG = TcpConfig.builder().issSupplier(() -> ISS)
            .mslNanos(TimeUnit.SECONDS.toNanos(30)).build();

    private static boolean eof(TcpConnection c) {
        try {
            return c.read(new byte[1], 0, 1) == -1;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void clientClosesFirst() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        c[0].close();
        assertThat(c[0].state()).isEqualTo(TcpState.FIN_WAIT_1);
        p.loop.runUntil(() -> c[1].state() == TcpState.CLOSE_WAIT && c[0].state() == TcpState.FIN_WAIT_2);
        assertThat(eof(c[1])).isTrue();
        c[1].close();
        assertThat(c[1].state()).isEqualTo(TcpState.LAST_ACK);
        p.loop.runUntil(() -> c[0].state() == TcpState.TIME_WAIT && c[1].state() == TcpState.CLOSED);
        assertThat(c[1].failure()).isNull();
        p.loop.runUntil(() -> c[0].state() == TcpState.CLOSED, TimeUnit.SECONDS.toNanos(61));
        assertThat(c[0].failure()).isNull();
        assertThat(p.a.connectionCount() + p.b.connectionCount()).isZero();
    }

    @Test
    void serverClosesFirst() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        c[1].close();
        p.loop.runUntil(() -> c[0].state() == TcpState.CLOSE_WAIT && c[1].state() == TcpState.FIN_WAIT_2);
        assertThat(eof(c[0])).isTrue();
        c[0].close();
        p.loop.runUntil(() -> c[1].state() == TcpState.TIME_WAIT && c[0].state() == TcpState.CLOSED);
        p.loop.runUntil(() -> p.b.connectionCount() == 0, TimeUnit.SECONDS.toNanos(61));
    }

    @Test
    void simultaneousClosePassesThroughClosingToTimeWait() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        boolean[] sawClosing = new boolean[2];
        c[0].close();
        c[1].close();
        p.loop.runUntil(() -> {
            sawClosing[0] |= c[0].state() == TcpState.CLOSING;
            sawClosing[1] |= c[1].state() == TcpState.CLOSING;
            return c[0].state() == TcpState.TIME_WAIT && c[1].state() == TcpState.TIME_WAIT;
        });
        assertThat(sawClosing).containsExactly(true, true);
        p.loop.runUntil(() -> p.a.connectionCount() + p.b.connectionCount() == 0, TimeUnit.SECONDS.toNanos(61));
    }

    @Test
    void abortSendsRstAndPeerSeesReset() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        c[0].abort();
        assertThat(c[0].state()).isEqualTo(TcpState.CLOSED);
        p.loop.runUntil(() -> c[1].state() == TcpState.CLOSED);
        assertThat(c[1].failure()).isEqualTo(TcpConnection.Failure.RESET);
        assertThatThrownBy(() -> c[1].write(new byte[1], 0, 1)).isInstanceOf(SocketException.class);
        assertThat(p.a.connectionCount() + p.b.connectionCount()).isZero();
    }

    @Test
    void halfCloseStillReceives() {
        TcpPair p = new TcpPair(CFG, 1);
        p.link.loss(0.05);
        TcpConnection[] c = p.open(80);
        Pump client = new Pump(c[0], 1000, 1, 2);
        Pump server = new Pump(c[1], 300_000, 2, 1);
        server.closeWhenSent = false;
        client.run();
        server.run();
        p.loop.runUntil(() -> server.eof && c[0].state() == TcpState.FIN_WAIT_2, TimeUnit.MINUTES.toNanos(1));
        assertThat(c[1].state()).isEqualTo(TcpState.CLOSE_WAIT);
        p.loop.runUntil(() -> client.received == 300_000, TimeUnit.MINUTES.toNanos(5));
        c[1].close();
        p.loop.runUntil(() -> client.eof && c[1].state() == TcpState.CLOSED, TimeUnit.MINUTES.toNanos(1));
        assertThat(server.received).isEqualTo(1000);
    }

    @Test
    void timeWaitLastsTwoMsl() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        c[0].close();
        c[1].close();
        p.loop.runUntil(() -> c[0].state() == TcpState.TIME_WAIT);
        long entered = p.loop.nanoTime();
        p.loop.runUntil(() -> c[0].state() == TcpState.CLOSED, TimeUnit.SECONDS.toNanos(61));
        assertThat(p.loop.nanoTime() - entered).isBetween(TimeUnit.SECONDS.toNanos(60) - 20 * MS,
                TimeUnit.SECONDS.toNanos(60));
    }

    @Test
    void timeWaitAcksRetransmittedFinAndRestartsTimer() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.close();
        Captured fin = p.next();
        assertThat(fin.flags).isEqualTo(FLAG_FIN | FLAG_ACK);
        p.send(4000, 80, 1001, ISS + 2, FLAG_FIN | FLAG_ACK, 1000, null);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(p.next().ack).isEqualTo(1002);
        p.loop.runFor(TimeUnit.SECONDS.toNanos(50));
        p.send(4000, 80, 1001, ISS + 2, FLAG_FIN | FLAG_ACK, 1000, null); // our ACK was lost
        assertThat(p.next().ack).isEqualTo(1002);
        p.loop.runFor(TimeUnit.SECONDS.toNanos(50));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        p.loop.runFor(TimeUnit.SECONDS.toNanos(11));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void lostFinIsRetransmitted() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        boolean[] dropped = {false};
        p.link.dropIf(s -> {
            if (s.fin() && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        });
        c[0].close();
        p.loop.runUntil(() -> c[1].state() == TcpState.CLOSE_WAIT, TimeUnit.SECONDS.toNanos(5));
        c[1].close();
        p.loop.runUntil(() -> c[1].state() == TcpState.CLOSED && c[0].state() == TcpState.TIME_WAIT,
                TimeUnit.SECONDS.toNanos(5));
        assertThat(dropped[0]).isTrue();
        assertThat(p.a.stats().retransmissions()).isEqualTo(1);
    }

    @Test
    void closeWithUnreadDataSendsRst() {
        TcpPair p = new TcpPair(CFG, 1);
        TcpConnection[] c = p.open(80);
        Pump x = new Pump(c[0], 1000, 1, 2);
        x.closeWhenSent = false;
        x.run();
        p.loop.runUntil(() -> c[1].available() == 1000);
        c[1].close();
        assertThat(p.b.stats().resetsSent()).isEqualTo(1);
        p.loop.runUntil(() -> c[0].state() == TcpState.CLOSED);
        assertThat(c[0].failure()).isEqualTo(TcpConnection.Failure.RESET);
        assertThat(x.error).contains("reset");
    }

    @Test
    void orphanedFinWait2TimesOut() throws Exception {
        RawPeer p = new RawPeer(CFG);
        TcpConnection c = establishPassive(p, 2);
        c.close();
        p.next();
        p.send(4000, 80, 1001, ISS + 2, FLAG_ACK, 1000, null);
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.loop.runFor(TimeUnit.SECONDS.toNanos(59));
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.loop.runFor(TimeUnit.SECONDS.toNanos(1));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(p.layer.connectionCount()).isZero();
    }
}
