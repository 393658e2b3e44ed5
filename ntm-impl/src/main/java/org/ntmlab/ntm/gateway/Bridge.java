package org.ntmlab.ntm.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins two connected sockets (a kernel socket and an {@link org.ntmlab.ntm.stack.tcp.NtmSocket})
 * with one copying thread per direction. End of stream on one side becomes a half-close
 * (shutdownOutput) on the other, so protocols that half-close keep working; both sockets
 * are closed once both directions ended or either failed.
 */
final class Bridge {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    private static final int BUFFER = 16 * 1024;

    private Bridge() {
    }

    static void start(Socket a, Socket b, ExecutorService threads, String name) {
        start(a, b, threads, name, () -> { });
    }

    /**
     * As {@link #start(Socket, Socket, ExecutorService, String)}; {@code onClosed} runs once, when
     * both directions' threads have ended (a gateway counts its connections with it).
     */
    static void start(Socket a, Socket b, ExecutorService threads, String name, Runnable onClosed) {
        AtomicInteger open = new AtomicInteger(2);    // directions still copying (half-close)
        AtomicInteger running = new AtomicInteger(2); // directions whose thread has not ended
        Runnable ended = () -> {
            if (running.decrementAndGet() == 0) {
                onClosed.run();
            }
        };
        direction(threads, () -> copy(a, b, open, name + " >"), a, b, ended);
        direction(threads, () -> copy(b, a, open, name + " <"), a, b, ended);
    }

    private static void direction(ExecutorService threads, Runnable copy, Socket a, Socket b, Runnable ended) {
        try {
            threads.execute(() -> {
                try {
                    copy.run();
                } finally {
                    ended.run();
                }
            });
        } catch (RejectedExecutionException e) {
            closeQuietly(a); // gateway shutting down: the other direction, if it runs, ends on the closed sockets
            closeQuietly(b);
            ended.run();
        }
    }

    private static void copy(Socket from, Socket to, AtomicInteger open, String name) {
        boolean clean = false;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
            clean = true;
        } catch (IOException e) {
            LOG.debug("event=bridgeError bridge={} error={}", name, e.toString());
        }
        if (!clean || open.decrementAndGet() == 0) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
