package org.ntmlab.ntm.as;

import org.ntmlab.ntm.keys.NodeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The Account Server (paper section 3.1): nodes log in over TLS with a user id and password;
 * the AS issues a fresh key the node shares with its DC, and hands the DC the same key when
 * the DC asks with its own credential. Line protocol (docs/protocol.md, "AS protocol"):
 * <pre>
 *   LOGIN &lt;user&gt; &lt;base64 password&gt;   -&gt; OK &lt;keyId hex&gt; &lt;fqdn&gt; &lt;base64 secret&gt; | ERR &lt;reason&gt;
 *   KEY &lt;dc token&gt; &lt;keyId hex&gt;        -&gt; OK &lt;keyId hex&gt; &lt;fqdn&gt; &lt;base64 secret&gt; | ERR &lt;reason&gt;
 * </pre>
 * Each connection has its own thread; a bad line ends that connection only.
 */
public final class AccountServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccountServer.class);
    /** Longest request line accepted; anything longer is hostile. */
    static final int MAX_LINE = 1024;
    /** Idle connections are dropped after this. */
    static final int READ_TIMEOUT_MS = 10_000;
    /** Connections served at once. */
    static final int WORKERS = 4;
    /** Connections waiting for a worker; more are closed at once. */
    static final int QUEUE = 64;

    private final AccountStore accounts;
    private final DcTokens dcTokens;
    private final SSLServerSocket server;
    /**
     * A bounded pool: each connection costs a TLS handshake and a LOGIN a PBKDF2, so connections
     * beyond {@link #WORKERS} busy and {@link #QUEUE} waiting are closed at once (issue 11 finding 7).
     */
    private final ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "as-conn");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
    private final LoginThrottle throttle = new LoginThrottle(System::currentTimeMillis);
    private final AtomicLong throttled = new AtomicLong();
    private final IssuedKeys issued;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong logins = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private volatile boolean closed;

    /** An AS whose issued keys live in memory only (lost on restart): for tests. */
    public AccountServer(AccountStore accounts, String dcToken, SSLContext tls, InetSocketAddress bind)
            throws IOException {
        this(accounts, IssuedKeys.inMemory(), DcTokens.unscoped(dcToken), tls, bind);
    }

    /** An AS with one unscoped DC token (every domain), its issued keys in {@code issued}. */
    public AccountServer(AccountStore accounts, IssuedKeys issued, String dcToken, SSLContext tls,
                         InetSocketAddress bind) throws IOException {
        this(accounts, issued, DcTokens.unscoped(dcToken), tls, bind);
    }

    /**
     * An AS that keeps the keys it issues in {@code issued} (a file for a real AS, so that a DC
     * restarted after the AS still finds the keys of registered nodes; issue 10).
     */
    public AccountServer(AccountStore accounts, IssuedKeys issued, DcTokens dcTokens, SSLContext tls,
                         InetSocketAddress bind) throws IOException {
        this.accounts = accounts;
        this.issued = issued;
        this.dcTokens = dcTokens;
        this.server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        server.setEnabledProtocols(new String[] {"TLSv1.3"});
        server.bind(bind, 64);
        Thread acceptor = new Thread(this::acceptLoop, "as-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public long logins() {
        return logins.get();
    }

    public long refusals() {
        return refusals.get();
    }

    /** LOGINs refused by the backoff, before any hashing. */
    public long throttled() {
        return throttled.get();
    }

    /** Connections closed at once because every worker was busy and the queue full. */
    public long busyRefused() {
        return refused.get();
    }

    private final AtomicLong refused = new AtomicLong();

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                try {
                    workers.execute(() -> serve(s));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    refused.incrementAndGet();
                    closeQuietly(s); // busy: a flood of connections must not queue without bound
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("event=accept-failed error={}", e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            String source = s.getInetAddress().getHostAddress();
            while ((line = readLine(in)) != null) {
                String reply = handle(line, source);
                out.write(reply + "\n");
                out.flush();
                if (line.startsWith("LOGIN ")) {
                    return; // one LOGIN per connection: each costs a TLS handshake before the next
                }
            }
        } catch (SocketException e) {
            // peer went away or handshake failed: nothing to answer
        } catch (IOException | RuntimeException e) {
            LOG.info("event=connection-error error={}", e.toString());
        }
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return sb.toString().strip();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("request line longer than " + MAX_LINE);
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString().strip();
    }

    String handle(String line, String peer) {
        String[] f = line.split(" ");
        if (f.length == 3 && f[0].equals("LOGIN")) {
            return login(f[1], f[2], peer);
        }
        if (f.length == 3 && f[0].equals("KEY")) {
            return key(f[1], f[2]);
        }
        return "ERR unknown request (expected LOGIN <user> <base64 password> or KEY <token> <keyId>)";
    }

    private String login(String user, String passwordB64, String peer) {
        char[] password;
        try {
            password = new String(Base64.getDecoder().decode(passwordB64), StandardCharsets.UTF_8).toCharArray();
        } catch (IllegalArgumentException e) {
            return "ERR password must be base64";
        }
        long waitMs = throttle.waitMs(peer, user);
        if (waitMs > 0) {
            throttled.incrementAndGet();
            LOG.info("event=login-throttled user={} peer={} waitMs={}", user, peer, waitMs);
            return "ERR too many failed logins: retry in " + ((waitMs + 999) / 1000) + " s";
        }
        AccountStore.Account a = accounts.get(user);
        // hash even for unknown users, so timing does not tell which users exist
        boolean ok;
        if (a == null) {
            PasswordHasher.verify(password, unknownUserRecord());
            ok = false;
        } else {
            ok = PasswordHasher.verify(password, a.passwordRecord());
        }
        if (!ok) {
            throttle.failed(peer, user);
            refusals.incrementAndGet();
            LOG.info("event=login-refused user={} peer={}", user, peer);
            return "ERR bad credentials";
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        long keyId;
        do {
            keyId = random.nextLong();
        } while (keyId == 0 || issued.contains(keyId));
        NodeKey k = new NodeKey(keyId, a.fqdn(), secret);
        try {
            issued.add(k); // saved before it is handed out: a key the node holds survives an AS crash
        } catch (IOException e) {
            LOG.warn("event=key-not-saved user={} error={}", user, e.toString());
            return "ERR AS cannot save the key";
        }
        throttle.succeeded(peer, user);
        logins.incrementAndGet();
        LOG.info("event=login user={} fqdn={} keyId={}", user, a.fqdn(), Long.toHexString(keyId));
        return "OK " + Long.toHexString(keyId) + " " + a.fqdn() + " " + Base64.getEncoder().encodeToString(secret);
    }

    private String key(String token, String keyIdHex) {
        DcTokens.Scope scope = dcTokens.match(token);
        if (scope == null) {
            refusals.incrementAndGet();
            return "ERR bad DC token";
        }
        long keyId;
        try {
            keyId = Long.parseUnsignedLong(keyIdHex, 16);
        } catch (NumberFormatException e) {
            return "ERR key id must be hex";
        }
        NodeKey k = issued.get(keyId);
        if (k == null) {
            return "ERR unknown key";
        }
        if (!scope.covers(k.fqdn())) {
            // the same answer as for a key that does not exist: a DC learns nothing about other domains
            refusals.incrementAndGet();
            LOG.warn("event=key-out-of-scope keyId={} scope={}", Long.toHexString(keyId), scope.domain());
            return "ERR unknown key";
        }
        return "OK " + Long.toHexString(keyId) + " " + k.fqdn() + " " + Base64.getEncoder().encodeToString(k.secret());
    }

    /**
     * A record to hash against for unknown users, at the cost of the store's most expensive
     * record (the default cost for an empty store), so an unknown user takes as long as a known
     * one: a fixed 600,000-iteration dummy against cheaper records would tell them apart the
     * other way round. Made again only when the cost changes.
     */
    private synchronized String unknownUserRecord() {
        int cost = accounts.all().stream().mapToInt(x -> PasswordHasher.iterations(x.passwordRecord())).max()
                .orElse(PasswordHasher.DEFAULT_ITERATIONS);
        if (unknownRecord == null || PasswordHasher.iterations(unknownRecord) != cost) {
            unknownRecord = PasswordHasher.hash("unknown".toCharArray(), cost);
        }
        return unknownRecord;
    }

    private String unknownRecord;

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        workers.shutdownNow();
    }
}
