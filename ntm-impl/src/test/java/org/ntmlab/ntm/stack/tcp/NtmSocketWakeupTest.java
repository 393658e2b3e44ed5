package org.ntmlab.ntm.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NtmSocket's threads copy into and out of the connection's queues themselves and sleep
 * until the loop wakes them: a reader when data reaches an empty queue, a writer when a
 * third of the send queue is free. With queues of a few segments every read and write
 * blocks; no wake-up may be lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NtmSocketWakeupTest {

    private static final TcpConfig SMALL = TcpConfig.builder().sendBufferSize(3000).receiveBufferSize(2000).build();

    private final LoopbackTunnel t = new LoopbackTunnel(SMALL, 0.0);

    @AfterEach
    void stop() {
        t.close();
    }

    private static byte pattern(long i) {
        return (byte) (i % 251);
    }

    @Test
    void smallQueuesBlockAndResumeWithoutLosingAWakeup() throws Exception {
        int total = 1 << 20;
        try (NtmServerSocket server = new NtmServerSocket(t.bob, 9)) {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    Random r = new Random(2);
                    byte[] buf = new byte[3000];
                    long got = 0;
                    int n;
                    while ((n = in.read(buf, 0, 1 + r.nextInt(buf.length))) > 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != pattern(got + i)) {
                                throw new AssertionError("byte " + (got + i) + " wrong");
                            }
                        }
                        got += n;
                        if (r.nextInt(200) == 0) {
                            Thread.sleep(2); // let the queue fill: the writer must block and be woken
                        }
                    }
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 9)) {
                OutputStream out = s.getOutputStream();
                Random r = new Random(3);
                long sent = 0;
                while (sent < total) {
                    int len = (int) Math.min(total - sent, 1 + r.nextInt(5000));
                    byte[] b = new byte[len];
                    for (int i = 0; i < len; i++) {
                        b[i] = pattern(sent + i);
                    }
                    out.write(b);
                    sent += len;
                }
                s.shutdownOutput();
                assertThat(reader.get(50, TimeUnit.SECONDS)).isEqualTo(total);
            }
        }
    }

    @Test
    void writerBlockedOnFullQueueResumesWhenReaderDrains() throws Exception {
        try (NtmServerSocket server = new NtmServerSocket(t.bob, 9)) {
            CompletableFuture<Socket> accepted = acceptAsync(server);
            try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 9);
                 Socket b = accepted.get(5, TimeUnit.SECONDS)) {
                byte[] data = new byte[20_000]; // > send + receive queues
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(data);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(300);
                assertThat(writer).isNotDone(); // blocked: nobody reads
                byte[] got = b.getInputStream().readNBytes(data.length);
                assertThat(got).hasSize(data.length);
                writer.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void readerBlockedOnEmptyQueueWakesOnFirstByte() throws Exception {
        try (NtmServerSocket server = new NtmServerSocket(t.bob, 9)) {
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    return s.getInputStream().read();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 9)) {
                Thread.sleep(200);
                assertThat(reader).isNotDone();
                s.getOutputStream().write(42);
                assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(42);
            }
        }
    }

    @Test
    void closeWakesBlockedWriter() throws Exception {
        try (NtmServerSocket server = new NtmServerSocket(t.bob, 9)) {
            CompletableFuture<Socket> accepted = acceptAsync(server);
            NtmSocket s = new NtmSocket(t.alice, LoopbackTunnel.BOB_V4, 9);
            try (Socket b = accepted.get(5, TimeUnit.SECONDS)) {
                CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                    try {
                        s.getOutputStream().write(new byte[20_000]);
                        return null;
                    } catch (Exception e) {
                        return e;
                    }
                });
                Thread.sleep(300);
                assertThat(writer).isNotDone();
                s.close();
                assertThat(writer.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                        .hasMessage("Socket closed");
            }
        }
    }

    /** Accepts one connection on another thread (the test thread then connects). */
    private static CompletableFuture<Socket> acceptAsync(NtmServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}
