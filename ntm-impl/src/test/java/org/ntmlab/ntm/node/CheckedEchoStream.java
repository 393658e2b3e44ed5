package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.node.traffic.StreamPattern;
import org.ntmlab.ntm.node.traffic.TcpEchoCheck;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * A TCP stream from the MN to the CN's echo service, for tests that move the ends while it runs
 * (paper section 4.2: the application's sockets must see a move only as a pause): a
 * {@link TcpEchoCheck} of 1,000-byte writes every 2 ms until stopped, every byte checked on its
 * way back, so a corrupted, lost or duplicated byte anywhere across the moves fails the test.
 */
final class CheckedEchoStream implements AutoCloseable {

    private final NtmSocket socket;
    private final TcpEchoCheck check;

    private CheckedEchoStream(NtmSocket socket) {
        this.socket = socket;
        this.check = TcpEchoCheck.start(socket, StreamPattern.fresh(), Long.MAX_VALUE, Long.MAX_VALUE, 1000, 2, null);
    }

    /** Connects {@code mn} to the echo port of {@code cn}'s virtual IPv4 address and starts both threads. */
    static CheckedEchoStream start(NtmNode mn, NtmNode cn) throws IOException {
        NtmSocket s = new NtmSocket(mn.tcp(), cn.virtualV4(), NtmNode.ECHO_PORT);
        s.setSoTimeout(20_000);
        return new CheckedEchoStream(s);
    }

    /** Bytes echoed back and checked so far. */
    long received() {
        return check.received();
    }

    /** The first error of either thread (I/O, or a byte that came back wrong), or null. */
    String failure() {
        return check.failure();
    }

    /** Waits up to 15 s until {@code bytes} have come back; returns how many have. */
    long awaitReceived(long bytes) throws InterruptedException {
        return check.awaitReceived(bytes, 15, TimeUnit.SECONDS);
    }

    /** Stops writing (the writer then half-closes) and waits up to 20 s for the end of the echo. */
    TcpEchoCheck.Result stop() throws InterruptedException {
        check.stop();
        return check.await(20, TimeUnit.SECONDS);
    }

    /** Stops, then asserts that neither thread failed and every byte written came back. */
    void assertAllEchoed() throws InterruptedException {
        TcpEchoCheck.Result r = stop();
        assertThat(r.intact()).as(r.fields()).isTrue();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
