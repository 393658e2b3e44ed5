package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * A TCP stream from the MN to the CN's echo service, for tests that move the ends while it runs
 * (paper section 4.2: the application's sockets must see a move only as a pause). One thread
 * writes a counting byte pattern until stopped, another reads the echo and checks every byte, so
 * a corrupted, lost or duplicated byte anywhere across the moves fails the test.
 */
final class CheckedEchoStream implements AutoCloseable {

    private final NtmSocket socket;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread writer = new Thread(this::write, "stream-writer");
    private final Thread reader = new Thread(this::read, "stream-reader");

    private CheckedEchoStream(NtmSocket socket) {
        this.socket = socket;
    }

    /** Connects {@code mn} to the echo port of {@code cn}'s virtual IPv4 address and starts both threads. */
    static CheckedEchoStream start(NtmNode mn, NtmNode cn) throws IOException {
        NtmSocket s = new NtmSocket(mn.tcp(), cn.virtualV4(), NtmNode.ECHO_PORT);
        s.setSoTimeout(20_000);
        CheckedEchoStream stream = new CheckedEchoStream(s);
        stream.writer.start();
        stream.reader.start();
        return stream;
    }

    private void write() {
        try {
            OutputStream out = socket.getOutputStream(); // not closed: that would close the socket
            byte[] chunk = new byte[1000];
            while (!stop.get()) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) (sent.get() + i);
                }
                out.write(chunk);
                sent.addAndGet(chunk.length);
                Thread.sleep(2);
            }
            socket.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void read() {
        try (var in = socket.getInputStream()) {
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    long pos = received.getAndIncrement();
                    if (buf[i] != (byte) pos) {
                        throw new AssertionError("byte " + pos + " corrupted");
                    }
                }
            }
        } catch (IOException | AssertionError e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Bytes echoed back and checked so far. */
    long received() {
        return received.get();
    }

    /** The first error of either thread (I/O, or a byte that came back wrong), or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Waits up to 15 s until {@code bytes} have come back; returns how many have. */
    long awaitReceived(long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (received.get() < bytes && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return received.get();
    }

    /** Stops writing (the writer then half-closes, so the reader sees the end of the echo) and waits for both. */
    void stop() throws InterruptedException {
        stop.set(true);
        writer.join(20_000);
        reader.join(20_000);
    }

    /** After {@link #stop()}: neither thread failed and every byte written came back. */
    void assertAllEchoed() {
        assertThat(failure.get()).isNull();
        assertThat(received.get()).as("every byte echoed").isEqualTo(sent.get());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
