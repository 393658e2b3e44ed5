package org.ntmlab.ntm.node.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The checker against the kernel's TCP on loopback: an honest echo, and echoes that corrupt, lose or add bytes. */
class TcpEchoCheckTest {

    /** What the test echo server does to the byte at a stream offset. */
    interface Tamper {
        /** Returns how many of {@code b[0..n)} to send back (after changing any), given the stream offset of b[0]. */
        int apply(byte[] b, int n, long offset);
    }

    private ServerSocket server;

    private Socket echo(Tamper tamper) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[7000];
                long off = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, tamper.apply(buf, n, off));
                    off += n;
                }
                s.shutdownOutput();
            } catch (IOException ignored) {
                // the test's side closed
            }
        });
        t.setDaemon(true);
        t.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        s.setSoTimeout(10_000);
        return s;
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    @Test
    void honestEchoOfManyChunksIsIntact() throws Exception {
        try (Socket s = echo((b, n, off) -> n)) {
            TcpEchoCheck.Result r = TcpEchoCheck.ofBytes(s, 3_000_001).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).as(r.fields()).isTrue();
            assertThat(r.fields()).startsWith("bytes=3000001 received=3000001 intact=true ms=");
        }
    }

    @Test
    void durationStreamStopsOnTimeAndIsIntact() throws Exception {
        try (Socket s = echo((b, n, off) -> n)) {
            long t0 = System.nanoTime();
            TcpEchoCheck.Result r = TcpEchoCheck.ofDuration(s, 300).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).as(r.fields()).isTrue();
            assertThat(r.sent()).isPositive();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    @Test
    void corruptedByteIsReportedAtItsOffset() throws Exception {
        long bad = 1_234_567;
        try (Socket s = echo((b, n, off) -> {
            if (bad >= off && bad < off + n) {
                b[(int) (bad - off)] ^= 0x40;
            }
            return n;
        })) {
            TcpEchoCheck.Result r = TcpEchoCheck.ofBytes(s, 2_000_000).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).isFalse();
            assertThat(r.firstBadOffset()).isEqualTo(bad);
            assertThat(r.fields()).contains("intact=false", "firstBadOffset=1234567", "error=byte_1234567");
        }
    }

    @Test
    void lostBytesAreCaughtAtTheFirstShiftedByte() throws Exception {
        // the echo drops 10 bytes of the read that holds offset 500,000: every byte after is shifted
        long gone = 500_000;
        try (Socket s = echo((b, n, off) -> {
            if (gone >= off && gone < off + n && off + n - gone > 10) {
                int at = (int) (gone - off);
                System.arraycopy(b, at + 10, b, at, n - at - 10);
                return n - 10;
            }
            return n;
        })) {
            TcpEchoCheck.Result r = TcpEchoCheck.ofBytes(s, 1_000_000).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).isFalse();
            assertThat(r.firstBadOffset()).isBetween(gone, gone + 8);
        }
    }

    @Test
    void shortEchoIsNotIntact() throws Exception {
        try (Socket s = echo((b, n, off) -> off + n > 100_000 ? (int) Math.max(0, 100_000 - off) : n)) {
            TcpEchoCheck.Result r = TcpEchoCheck.ofBytes(s, 200_000).await(60, TimeUnit.SECONDS);
            assertThat(r.intact()).isFalse();
            assertThat(r.received()).isEqualTo(100_000);
            assertThat(r.fields()).contains("bytes=200000 received=100000 intact=false");
        }
    }

    @Test
    void stopEndsAnOpenEndedStreamWithEveryByteBack() throws Exception {
        try (Socket s = echo((b, n, off) -> n)) {
            TcpEchoCheck c = TcpEchoCheck.start(s, StreamPattern.fresh(), Long.MAX_VALUE, Long.MAX_VALUE, 1000, 1, null);
            assertThat(c.awaitReceived(100_000, 30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(100_000);
            c.stop();
            TcpEchoCheck.Result r = c.await(30, TimeUnit.SECONDS);
            assertThat(r.intact()).as(r.fields()).isTrue();
        }
    }
}
