package org.ntmlab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * 1-byte request/response over one connection with Nagle off: the client writes a byte,
 * the peer echoes it, the client reads it. The echo is either a thread on the accepted
 * socket (as a kernel server would) or, for NTM, the node's own echo service on port 7,
 * which answers on the event loop without an application thread.
 */
final class RoundTrip implements AutoCloseable {

    private final Socket client;
    private final Socket server;
    private final InputStream in;
    private final OutputStream out;
    private final Thread echo;
    private byte next;

    /** Client and a thread-based echo on the accepted side of {@code pair}. */
    RoundTrip(SocketPair pair) throws IOException {
        pair.noDelay();
        this.client = pair.client();
        this.server = pair.server();
        this.in = client.getInputStream();
        this.out = client.getOutputStream();
        InputStream sin = server.getInputStream();
        OutputStream sout = server.getOutputStream();
        echo = new Thread(() -> {
            try {
                int b;
                while ((b = sin.read()) >= 0) {
                    sout.write(b);
                }
            } catch (IOException e) {
                // closed
            }
        }, "bench-echo");
        echo.setDaemon(true);
        echo.start();
    }

    /** Client only: the peer echoes by itself (NtmNode's TCP echo service). */
    RoundTrip(Socket client) throws IOException {
        client.setTcpNoDelay(true);
        this.client = client;
        this.server = null;
        this.in = client.getInputStream();
        this.out = client.getOutputStream();
        this.echo = null;
    }

    /** One round trip; returns nanoseconds. */
    long once() throws IOException {
        byte b = next++;
        long t0 = System.nanoTime();
        out.write(b);
        int r = in.read();
        long t1 = System.nanoTime();
        if (r != (b & 0xFF)) {
            throw new IOException("echo returned " + r + ", sent " + (b & 0xFF));
        }
        return t1 - t0;
    }

    @Override
    public void close() throws IOException {
        client.close();
        if (server != null) {
            server.close();
        }
    }
}
