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
        AtomicInteger open = new AtomicInteger(2);
        try {
            threads.execute(() -> copy(a, b, open, name + " >"));
            threads.execute(() -> copy(b, a, open, name + " <"));
        } catch (RejectedExecutionException e) {
            closeQuietly(a); // gateway shutting down
            closeQuietly(b);
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
