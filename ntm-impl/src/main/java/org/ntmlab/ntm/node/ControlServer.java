package org.ntmlab.ntm.node;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

import org.ntmlab.ntm.keys.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control channel of `ntm node` (docs/protocol.md, "Node control channel"): a line
 * protocol through which the lab and the `ntm` client commands drive a long-lived node
 * application. One command per line, one reply line ({@link ControlHandler}). A bad command
 * gets {@code ERR}, never a crash.
 *
 * <p>Who may drive the node (issue 11 finding 8): by default the channel is a Unix-domain
 * socket of mode 0600 (in a 0700 directory when it creates one), so only the node's own user
 * can connect. TCP is there for hosts that need it and then needs a token: every connection's
 * first line must be {@code auth <token>}. Lines are capped, connections are capped, and a line
 * that looks like HTTP ends the connection (a browser's POST to a loopback port).
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Control connections served at once; more are refused with {@code ERR busy}. */
    static final int MAX_CONNECTIONS = 16;
    /** Longest command line accepted. */
    static final int MAX_LINE = 4096;
    /** Shortest token a TCP control channel accepts: 128 bits, so guessing it is hopeless. */
    public static final int MIN_TOKEN_BYTES = 16;

    private final ControlHandler handler;
    private final ServerSocketChannel server;
    private final ControlAddress bound;
    private final byte[] token;
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private volatile boolean closed;

    /**
     * Listens at {@code at}. A Unix-domain socket ({@code token} may be null) gets mode 0600; a
     * socket file left by a node that died is replaced, one a live node still serves is not.
     * TCP needs a {@code token} of at least {@link #MIN_TOKEN_BYTES} bytes.
     */
    public ControlServer(NtmNode node, ControlAddress at, byte[] token) throws IOException {
        this.handler = new ControlHandler(node);
        if (!at.isUnix() && (token == null || token.length < MIN_TOKEN_BYTES)) {
            throw new IllegalArgumentException("a TCP control channel needs a token of " + MIN_TOKEN_BYTES
                    + " bytes or more (--control-token): any local user, or a web page, could drive the node"
                    + " otherwise; or use a Unix socket (--control unix:PATH)");
        }
        this.token = token == null ? null : token.clone();
        if (at.isUnix()) {
            Path path = at.unixPath().toAbsolutePath();
            OwnerOnlyFiles.createDirectories(path.getParent());
            removeStale(path);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(ControlAddress.unix(path).socketAddress());
            // connect(2) on a Unix socket needs write permission on its file: 0600 = the owner only
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            bound = ControlAddress.unix(path);
        } else {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(at.tcp());
            bound = ControlAddress.tcp((InetSocketAddress) server.getLocalAddress());
        }
        Thread t = new Thread(this::acceptLoop, "control-accept");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A socket file nobody listens on (its node died without closing) is removed; one that
     * answers belongs to a running node, and taking it over would cut that node off.
     */
    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException("control socket path " + path + " exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(ControlAddress.unix(path).socketAddress())) {
            throw new IOException("another process serves a control channel at " + path
                    + " (a second node needs its own --control)");
        } catch (java.net.ConnectException | java.nio.file.NoSuchFileException e) {
            Files.deleteIfExists(path);
        }
    }

    /** Where this server listens (with the real port when TCP port 0 was asked). */
    public ControlAddress localAddress() {
        return bound;
    }

    /** Executes one command in-process, as a connection's line would be. */
    public String handle(String line) throws Exception {
        return handler.handle(line);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel s = server.accept();
                if (!connections.tryAcquire()) {
                    // a flood of control connections must not starve the node of threads or heap
                    refuse(s, "ERR busy: " + MAX_CONNECTIONS + " control connections are open");
                    continue;
                }
                Thread t = new Thread(() -> {
                    try {
                        serve(s);
                    } finally {
                        connections.release();
                    }
                }, "control-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("event=control-accept-failed error={}", e.getMessage());
                }
            } catch (Throwable e) {
                // e.g. OutOfMemoryError creating a thread: this connection is lost, the loop lives on
                LOG.warn("event=control-accept-failed error={}", oneLine(e));
            }
        }
    }

    private static void refuse(SocketChannel s, String reply) {
        try (s) {
            Channels.newOutputStream(s).write((reply + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the client went away first
        }
    }

    private void serve(SocketChannel s) {
        try (s) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(s));
            Writer out = new OutputStreamWriter(Channels.newOutputStream(s), StandardCharsets.UTF_8);
            boolean authenticated = token == null;
            String line;
            while ((line = readLine(in)) != null) {
                if (line == TOO_LONG) {
                    reply(out, "ERR command longer than " + MAX_LINE + " bytes");
                    continue;
                }
                String command = line.strip();
                if (looksLikeHttp(line)) {
                    // a web page can make a browser POST to a loopback port: its body would be read as
                    // commands (issue 11 finding 8). Nothing here speaks HTTP: end the connection.
                    LOG.warn("event=control-http-refused peer={}", peer(s));
                    reply(out, "ERR this is the ntm control channel, not HTTP");
                    return;
                }
                if (!authenticated) {
                    if (!tokenMatches(command)) {
                        LOG.warn("event=control-auth-refused peer={}", peer(s));
                        reply(out, "ERR auth required: the first line must be 'auth <token>'");
                        return;
                    }
                    authenticated = true;
                    reply(out, "OK authenticated");
                    continue;
                }
                if (command.equals("quit")) {
                    return;
                }
                String reply;
                try {
                    reply = handler.handle(command);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable e) {
                    // any failure of one command, even an Error, is that command's reply only
                    LOG.warn("event=control-command-failed command={} error={}", command.split("\\s+", 2)[0],
                            oneLine(e));
                    reply = "ERR " + (e instanceof OutOfMemoryError ? "out of memory: " : "") + oneLine(e);
                }
                reply(out, reply);
            }
        } catch (IOException e) {
            // client went away
        }
    }

    /** {@code auth <token>} with this server's token, compared in constant time. */
    private boolean tokenMatches(String command) {
        if (!command.startsWith("auth ")) {
            return false;
        }
        byte[] given = command.substring(5).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private static void reply(Writer out, String line) throws IOException {
        out.write(line + "\n");
        out.flush();
    }

    private static Object peer(SocketChannel s) {
        try {
            return s.getRemoteAddress();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * An HTTP request line ({@code METHOD target HTTP/x}, RFC 9112 section 3) or header line: no
     * control command ends in {@code HTTP/1.x} or starts with a header name and a colon.
     */
    static boolean looksLikeHttp(String line) {
        String l = line.strip();
        return l.matches("(?i)[A-Z]+ \\S+ HTTP/\\d(\\.\\d)?") || l.matches("(?i)[A-Za-z-]+:( .*)?");
    }

    /** {@link #readLine}'s answer for a line longer than {@link #MAX_LINE}. */
    private static final String TOO_LONG = new String("<too long>");

    /**
     * One line of at most {@link #MAX_LINE} bytes; a longer one is read to its end and discarded
     * ({@link #TOO_LONG}): a client cannot make the node buffer an unbounded line.
     */
    private static String readLine(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_LINE];
        int n = 0;
        boolean tooLong = false;
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (n < buf.length) {
                buf[n++] = (byte) c;
            } else {
                tooLong = true;
            }
        }
        if (c < 0 && n == 0) {
            return null;
        }
        return tooLong ? TOO_LONG : new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    static String oneLine(Throwable e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replace('\n', ' ');
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        if (bound.isUnix()) {
            try {
                Files.deleteIfExists(bound.unixPath());
            } catch (IOException ignored) {
                // a socket file left behind is replaced by the next node (removeStale)
            }
        }
    }
}
