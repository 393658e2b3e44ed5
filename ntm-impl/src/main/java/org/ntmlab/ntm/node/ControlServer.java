package org.ntmlab.ntm.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.ntmlab.ntm.node.traffic.StreamPattern;
import org.ntmlab.ntm.node.traffic.TcpEchoCheck;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.node.traffic.UdpStreamCheck;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control channel of `ntm node` (docs/protocol.md, "Node control channel"): a line
 * protocol over TCP through which the lab drives a long-lived node application. One
 * command per line, one reply line. A bad command gets {@code ERR}, never a crash.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Control connections served at once; more are refused with {@code ERR busy}. */
    static final int MAX_CONNECTIONS = 16;
    /** Longest command line accepted. */
    static final int MAX_LINE = 4096;
    /** Largest {@code tcp-echo}: 1 TiB (memory does not grow with it; time does). */
    static final long MAX_TCP_BYTES = 1L << 40;
    /** A TCP check's read that waits this long fails. */
    static final int TCP_READ_TIMEOUT_MS = 30_000;
    /** A paced {@code tcp-stream} writes once per this many ms (and sleeps between writes). */
    static final int TCP_STREAM_PACE_MS = 10;
    /** Highest pace of a {@code tcp-stream}: one {@link TcpEchoCheck#CHUNK} per {@link #TCP_STREAM_PACE_MS}. */
    static final int MAX_TCP_STREAM_KBPS = TcpEchoCheck.CHUNK * 8 * (1000 / TCP_STREAM_PACE_MS) / 1000;

    private final NtmNode node;
    private final ServerSocket server;
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private volatile boolean closed;
    /** How to end each running {@code udp-stream} and {@code tcp-stream} early ({@code stop-streams}). */
    private final Set<Runnable> runningStreams = ConcurrentHashMap.newKeySet();

    public ControlServer(NtmNode node, InetSocketAddress bind) throws IOException {
        this.node = node;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind);
        Thread t = new Thread(this::acceptLoop, "control-accept");
        t.setDaemon(true);
        t.start();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
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

    private static void refuse(Socket s, String reply) {
        try (s) {
            s.getOutputStream().write((reply + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the client went away first
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            while ((line = readLine(in)) != null) {
                String reply;
                if (line == TOO_LONG) {
                    out.write("ERR command longer than " + MAX_LINE + " bytes\n");
                    out.flush();
                    continue;
                }
                if (line.strip().equals("quit")) {
                    return;
                }
                if (looksLikeHttp(line)) {
                    // a web page can make a browser POST to a loopback port: its body would be read as
                    // commands (issue 11 finding 8). Nothing here speaks HTTP: end the connection.
                    LOG.warn("event=control-http-refused peer={}", s.getRemoteSocketAddress());
                    out.write("ERR this is the ntm control channel, not HTTP\n");
                    out.flush();
                    return;
                }
                try {
                    reply = handle(line.strip());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable e) {
                    // any failure of one command, even an Error, is that command's reply only
                    LOG.warn("event=control-command-failed command={} error={}", line.strip().split("\\s+", 2)[0],
                            oneLine(e));
                    reply = "ERR " + (e instanceof OutOfMemoryError ? "out of memory: " : "") + oneLine(e);
                }
                out.write(reply + "\n");
                out.flush();
            }
        } catch (IOException e) {
            // client went away
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

    /** Executes one command and returns the reply line. */
    public String handle(String line) throws Exception {
        String[] f = line.split("\\s+");
        switch (f[0].toLowerCase(Locale.ROOT)) {
            case "status":
                return "OK fqdn=" + node.fqdn() + " v4=" + addr(node.virtualV4()) + " v6=" + addr(node.virtualV6())
                        + " registered=" + node.isRegistered() + " observed=" + node.observedAddresses()
                        .get(2, TimeUnit.SECONDS);
            case "resolve": {
                need(f, 2, "resolve <fqdn>");
                long t0 = System.nanoTime();
                TunnelInfo t = node.resolve(f[1]).get(ProtocolConstants.Node.RESOLVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return "OK v4=" + addr(t.peerVirtualV4()) + " v6=" + addr(t.peerVirtualV6()) + " path=" + t.path()
                        + " tunnel=" + Long.toHexString(t.tunnelId()) + " setupMs="
                        + String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e6);
            }
            case "tunnels":
                return "OK " + TunnelInfo.toJsonArray(node.tunnels().get(2, TimeUnit.SECONDS));
            case "udp-echo": {
                need(f, 2, "udp-echo <addr|fqdn> [port] [count] [size]");
                return udpEcho(target(f[1]), intArg(f, 2, NtmNode.ECHO_PORT), intArg(f, 3, 5), intArg(f, 4, 64));
            }
            case "udp-stream": {
                need(f, 2, "udp-stream <addr|fqdn> [port] [pps] [ms] [size]");
                return udpStream(target(f[1]), intArg(f, 2, NtmNode.ECHO_PORT), intArg(f, 3, 200), intArg(f, 4, 3000),
                        intArg(f, 5, 200));
            }
            case "ping": {
                need(f, 2, "ping <addr|fqdn> [count]");
                int count = f.length > 2 ? Integer.parseInt(f[2]) : 3;
                double[] rtt = node.ping(target(f[1]), count, Duration.ofSeconds(Math.max(3, count)));
                double[] ok = Arrays.stream(rtt).filter(d -> !Double.isNaN(d)).sorted().toArray();
                return "OK sent=" + count + " received=" + ok.length + " rttMsP50=" + p50(ok);
            }
            case "tcp-echo": {
                need(f, 2, "tcp-echo <addr|fqdn> [port] [bytes]");
                long bytes = f.length > 3 ? Long.parseLong(f[3]) : 100_000;
                if (bytes < 1 || bytes > MAX_TCP_BYTES) {
                    return "ERR bytes must be 1.." + MAX_TCP_BYTES;
                }
                return tcpEcho(target(f[1]), intArg(f, 2, NtmNode.ECHO_PORT), bytes, 0, 0);
            }
            case "tcp-stream": {
                need(f, 2, "tcp-stream <addr|fqdn> [port] [ms] [kbps]");
                int ms = intArg(f, 3, 3000);
                if (ms < 1 || ms > UdpStreamCheck.MAX_MS) {
                    return "ERR ms must be 1.." + UdpStreamCheck.MAX_MS;
                }
                int kbps = intArg(f, 4, 0);
                if (kbps < 0 || kbps > MAX_TCP_STREAM_KBPS) {
                    return "ERR kbps must be 0 (as fast as the connection takes) .. " + MAX_TCP_STREAM_KBPS;
                }
                return tcpEcho(target(f[1]), intArg(f, 2, NtmNode.ECHO_PORT), 0, ms, kbps);
            }
            case "send": {
                need(f, 4, "send <addr|fqdn> <port> <text...>");
                String text = line.strip().split("\\s+", 4)[3];
                byte[] data = text.getBytes(StandardCharsets.UTF_8);
                try (NtmDatagramSocket s = new NtmDatagramSocket(node, 0)) {
                    s.send(new DatagramPacket(data, data.length, target(f[1]), Integer.parseInt(f[2])));
                }
                return "OK sent=" + data.length;
            }
            case "counters":
                return "OK " + node.counters();
            case "stop-streams": {
                // the running streams stop sending and report as usual, on their own connections
                int n = 0;
                for (Runnable stop : runningStreams) {
                    stop.run();
                    n++;
                }
                return "OK stopped=" + n;
            }
            default:
                return "ERR unknown command '" + f[0] + "' (status, resolve, tunnels, udp-echo, udp-stream, tcp-echo,"
                        + " tcp-stream, stop-streams, ping, send,"
                        + " counters, quit)";
        }
    }

    private String udpEcho(InetAddress dst, int port, int count, int size) throws Exception {
        if (count < 1 || count > 100_000 || size < 1 || size > 1300) {
            return "ERR count must be 1..100000 and size 1..1300";
        }
        Random rnd = new Random();
        int received = 0;
        int corrupted = 0;
        double[] rtts = new double[count];
        try (NtmDatagramSocket s = new NtmDatagramSocket(node, 0)) {
            s.setSoTimeout(1000);
            byte[] in = new byte[2048];
            for (int i = 0; i < count; i++) {
                byte[] out = new byte[size];
                rnd.nextBytes(out);
                long t0 = System.nanoTime();
                s.send(new DatagramPacket(out, size, dst, port));
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    s.receive(p);
                    if (p.getLength() == size && Arrays.equals(Arrays.copyOf(in, size), out)) {
                        rtts[received++] = (System.nanoTime() - t0) / 1e6;
                    } else {
                        corrupted++;
                    }
                } catch (SocketTimeoutException e) {
                    // lost: counted by received < sent
                }
            }
        }
        double[] ok = Arrays.copyOf(rtts, received);
        Arrays.sort(ok);
        return "OK sent=" + count + " received=" + received + " corrupted=" + corrupted + " rttMsP50=" + p50(ok);
    }

    /** Runs {@link UdpStreamCheck} over a datagram socket of this node. */
    private String udpStream(InetAddress dst, int port, int pps, int ms, int size) throws Exception {
        String no = UdpStreamCheck.refusal(pps, ms, size);
        if (no != null) {
            return "ERR " + no;
        }
        AtomicBoolean stop = new AtomicBoolean();
        Runnable stopper = () -> stop.set(true);
        runningStreams.add(stopper);
        try (NtmDatagramSocket s = new NtmDatagramSocket(node, 0)) {
            DatagramPacket out = new DatagramPacket(new byte[0], 0, dst, port);
            DatagramPacket in = new DatagramPacket(new byte[0], 0);
            return "OK " + UdpStreamCheck.run(new UdpStreamCheck.DatagramPort() {
                @Override
                public void send(byte[] b, int len) throws IOException {
                    out.setData(b, 0, len);
                    s.send(out);
                }

                @Override
                public int receive(byte[] b, int timeoutMs) throws IOException {
                    s.setSoTimeout(timeoutMs);
                    in.setData(b);
                    try {
                        s.receive(in);
                        return in.getLength();
                    } catch (SocketTimeoutException e) {
                        return -1;
                    }
                }
            }, pps, ms, size, stop::get);
        } finally {
            runningStreams.remove(stopper);
        }
    }

    /**
     * Streams {@code bytes} bytes (or, with {@code millis} > 0, as many as the connection takes in
     * that time) to a TCP echo service and checks every byte that returns, in constant memory.
     */
    private String tcpEcho(InetAddress dst, int port, long bytes, long millis, int kbps) throws Exception {
        try (NtmSocket s = new NtmSocket(node.tcp(), dst, port)) {
            s.setSoTimeout(TCP_READ_TIMEOUT_MS);
            TcpEchoCheck check;
            if (millis > 0 && kbps > 0) {
                // one write every TCP_STREAM_PACE_MS: a chunk of kbps x the pace (at most one CHUNK)
                int chunk = (int) Math.max(1, (long) kbps * 1000 / 8 * TCP_STREAM_PACE_MS / 1000);
                check = TcpEchoCheck.start(s, StreamPattern.fresh(), Long.MAX_VALUE,
                        TimeUnit.MILLISECONDS.toNanos(millis), chunk, TCP_STREAM_PACE_MS, null);
            } else {
                check = millis > 0 ? TcpEchoCheck.ofDuration(s, millis) : TcpEchoCheck.ofBytes(s, bytes);
            }
            Runnable stopper = check::stop;
            if (millis > 0) {
                runningStreams.add(stopper);
            }
            try {
                // a stalled read fails after TCP_READ_TIMEOUT_MS; the bound here only stops a trickle
                TcpEchoCheck.Result r = check.await(millis > 0 ? millis + 10L * TCP_READ_TIMEOUT_MS
                        : Long.MAX_VALUE / 4, TimeUnit.MILLISECONDS);
                return (r.intact() ? "OK " : "ERR ") + r.fields();
            } finally {
                runningStreams.remove(stopper);
            }
        }
    }

    private InetAddress target(String s) throws InterruptedException, ExecutionException, TimeoutException,
            java.net.UnknownHostException {
        if (s.matches("[0-9.]+") || s.contains(":")) {
            return InetAddress.getByName(s);
        }
        boolean six = s.endsWith("/6");
        String fqdn = six || s.endsWith("/4") ? s.substring(0, s.length() - 2) : s;
        TunnelInfo t = node.resolve(fqdn).get(ProtocolConstants.Node.RESOLVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return six ? t.peerVirtualV6() : t.peerVirtualV4();
    }

    /** The {@code i}-th word as a number, or {@code dflt} when the line is shorter. */
    private static int intArg(String[] f, int i, int dflt) {
        return f.length > i ? Integer.parseInt(f[i]) : dflt;
    }

    private static void need(String[] f, int n, String usage) {
        if (f.length < n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private static String addr(InetAddress a) {
        return a == null ? "-" : a.getHostAddress();
    }

    private static String p50(double[] sorted) {
        return sorted.length == 0 ? "NaN" : String.format(Locale.ROOT, "%.3f", sorted[sorted.length / 2]);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
