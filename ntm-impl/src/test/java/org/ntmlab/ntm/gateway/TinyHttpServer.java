package org.ntmlab.ntm.gateway;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Minimal HTTP/1.1 server for tests: answers every request with {@code body}, then closes. */
final class TinyHttpServer implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] body;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tiny-http");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger requests = new AtomicInteger();
    volatile String lastRequestLine;

    TinyHttpServer(ServerSocket server, byte[] body) {
        this.server = server;
        this.body = body;
        threads.execute(this::loop);
    }

    private void loop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve(s));
            } catch (Exception e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            String req = head.toString(StandardCharsets.US_ASCII);
            lastRequestLine = req.substring(0, req.indexOf('\r'));
            requests.incrementAndGet();
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            s.shutdownOutput();
            while (in.read() >= 0) {
                // wait for the client to close
            }
        } catch (Exception e) {
            // test server: the test asserts on what the client received
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        threads.shutdownNow();
    }
}
