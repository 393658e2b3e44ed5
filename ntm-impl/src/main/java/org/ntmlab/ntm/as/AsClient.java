package org.ntmlab.ntm.as;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.ntmlab.ntm.keys.KeyDirectory;
import org.ntmlab.ntm.keys.NodeKey;

/**
 * Talks to the AS over TLS: {@link #login} for a node, {@link #keyDirectory} for a DC.
 * The server's certificate must chain to the given CA and name the host we dialled.
 */
public final class AsClient {

    static final int TIMEOUT_MS = 5000;

    private final SSLContext tls;
    private final InetSocketAddress as;

    public AsClient(SSLContext tls, InetSocketAddress as) {
        this.tls = tls;
        this.as = as;
    }

    /** Logs in; throws {@link LoginRefusedException} on wrong credentials. */
    public NodeKey login(String user, char[] password) throws IOException {
        String pw = Base64.getEncoder().encodeToString(new String(password).getBytes(StandardCharsets.UTF_8));
        return parse(request("LOGIN " + user + " " + pw), "login as '" + user + "'");
    }

    /** The DC's view: fetches node keys with the DC token, off the caller's thread. */
    public KeyDirectory keyDirectory(String dcToken) {
        ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "as-client");
            t.setDaemon(true);
            return t;
        });
        return keyId -> CompletableFuture.supplyAsync(() -> {
            try {
                return parse(request("KEY " + dcToken + " " + Long.toHexString(keyId)), "key lookup");
            } catch (LoginRefusedException e) {
                return null; // unknown key
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, exec);
    }

    private String request(String line) throws IOException {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name this host (RFC 6125)
            s.setSSLParameters(p);
            s.connect(as, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            out.write(line + "\n");
            out.flush();
            String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (reply == null) {
                throw new IOException("AS at " + as + " closed the connection without answering");
            }
            return reply;
        }
    }

    private static NodeKey parse(String reply, String what) throws IOException {
        if (reply.startsWith("ERR ")) {
            throw new LoginRefusedException(what + " refused by AS: " + reply.substring(4));
        }
        String[] f = reply.split(" ");
        if (f.length != 4 || !f[0].equals("OK")) {
            throw new IOException(what + ": unexpected AS reply '" + reply + "'");
        }
        try {
            return new NodeKey(Long.parseUnsignedLong(f[1], 16), f[2], Base64.getDecoder().decode(f[3]));
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": malformed AS reply: " + e.getMessage());
        }
    }

    /** The AS said no (wrong password, unknown user, bad token, unknown key). */
    public static final class LoginRefusedException extends IOException {
        public LoginRefusedException(String message) {
            super(message);
        }
    }
}
