package org.ntmlab.ntm.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * The control channel of `ntm node` (docs/protocol.md, "Node control channel"): a line
 * protocol over TCP through which the lab drives a long-lived node application. One
 * command per line, one reply line. A bad command gets {@code ERR}, never a crash.
 */
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    static final int RESOLVE_TIMEOUT_S = 10;

    private final NtmNode node;
    private final ServerSocket server;
    private volatile boolean closed;

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
                Thread t = new Thread(() -> serve(s), "control-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "event=control-accept-failed error=" + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals("quit")) {
                    return;
                }
                String reply;
                try {
                    reply = handle(line.strip());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    reply = "ERR " + oneLine(e);
                }
                out.write(reply + "\n");
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        }
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
                TunnelInfo t = node.resolve(f[1]).get(RESOLVE_TIMEOUT_S, TimeUnit.SECONDS);
                return "OK v4=" + addr(t.peerVirtualV4()) + " v6=" + addr(t.peerVirtualV6()) + " path=" + t.path()
                        + " tunnel=" + Long.toHexString(t.tunnelId()) + " setupMs="
                        + String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e6);
            }
            case "tunnels":
                return "OK [" + node.tunnels().get(2, TimeUnit.SECONDS).stream().map(TunnelInfo::toJson)
                        .collect(Collectors.joining(",")) + "]";
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
                InetAddress dst = target(f[1]);
                int port = f.length > 2 ? Integer.parseInt(f[2]) : NtmNode.ECHO_PORT;
                int bytes = f.length > 3 ? Integer.parseInt(f[3]) : 100_000;
                return tcpEcho(dst, port, bytes);
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
            default:
                return "ERR unknown command '" + f[0] + "' (status, resolve, tunnels, udp-echo, udp-stream, tcp-echo, ping, send,"
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

    /**
     * A paced UDP stream to an echo service: {@code pps} datagrams a second for {@code ms}
     * milliseconds, sent whether or not echoes come back (unlike stop-and-wait {@code udp-echo},
     * whose 1 s timeout would add up to a second to any outage). Each datagram carries its
     * sequence number and a fill derived from it, so every echo is checked. The reply gives the
     * longest silence between two echoes: the interruption as the application sees it, with the
     * pacing interval as resolution.
     */
    private String udpStream(InetAddress dst, int port, int pps, int ms, int size) throws Exception {
        if (pps < 1 || pps > 20_000 || ms < 1 || ms > 600_000 || size < 8 || size > 1300) {
            return "ERR pps must be 1..20000, ms 1..600000 and size 8..1300";
        }
        int count = (int) Math.max(1, (long) pps * ms / 1000);
        long interval = 1_000_000_000L / pps;
        long[] sentAt = new long[count];
        long[] rtt = new long[count];
        boolean[] got = new boolean[count];
        int[] tally = new int[3]; // received, corrupted, duplicates
        double[] gap = {0, 0}; // longest silence between echoes, and when it began (ms into the stream)
        long t0 = System.nanoTime();
        try (NtmDatagramSocket s = new NtmDatagramSocket(node, 0)) {
            s.setSoTimeout(50);
            java.util.concurrent.atomic.AtomicLong sendingDone = new java.util.concurrent.atomic.AtomicLong();
            Thread receiver = new Thread(() -> {
                byte[] in = new byte[2048];
                DatagramPacket p = new DatagramPacket(in, in.length);
                long last = t0;
                while (true) {
                    long done = sendingDone.get();
                    long now = System.nanoTime();
                    if (done != 0 && (tally[0] == count || now - done > 1_000_000_000L)) {
                        return;
                    }
                    try {
                        p.setLength(in.length);
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        continue;
                    } catch (IOException e) {
                        return;
                    }
                    long at = System.nanoTime();
                    int seq = streamSeq(in);
                    if (p.getLength() != size || seq < 0 || seq >= count || !streamFillOk(in, size, seq)) {
                        tally[1]++;
                        continue;
                    }
                    if (got[seq]) {
                        tally[2]++;
                        continue;
                    }
                    got[seq] = true;
                    rtt[tally[0]++] = at - sentAt[seq];
                    if (at - last > gap[0] * 1e6) {
                        gap[0] = (at - last) / 1e6;
                        gap[1] = (last - t0) / 1e6;
                    }
                    last = at;
                }
            }, "udp-stream-receiver");
            receiver.start();
            byte[] out = new byte[size];
            long next = System.nanoTime();
            for (int seq = 0; seq < count; seq++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                next += interval;
                streamFill(out, size, seq);
                sentAt[seq] = System.nanoTime();
                s.send(new DatagramPacket(out, size, dst, port));
            }
            sendingDone.set(System.nanoTime());
            receiver.join(5_000);
        }
        int received = tally[0];
        int lostRuns = 0;
        int firstLost = -1;
        int lastLost = -1;
        for (int i = 0; i < count; i++) {
            if (!got[i]) {
                if (i == 0 || got[i - 1]) {
                    lostRuns++;
                }
                firstLost = firstLost < 0 ? i : firstLost;
                lastLost = i;
            }
        }
        // send times of the first and last datagram lost: an outage of g ms loses what was sent
        // within about g ms plus one round trip, whatever the pace achieved
        double lostSpanMs = firstLost < 0 ? 0 : (sentAt[lastLost] - sentAt[firstLost]) / 1e6;
        double[] ok = new double[received];
        for (int i = 0; i < received; i++) {
            ok[i] = rtt[i] / 1e6;
        }
        Arrays.sort(ok);
        return String.format(Locale.ROOT, "OK sent=%d received=%d lost=%d corrupted=%d duplicates=%d lostRuns=%d"
                + " lostSpanMs=%.1f maxGapMs=%.1f maxGapAtMs=%.1f rttMsP50=%s rttMsMax=%s ms=%.1f", count, received,
                count - received, tally[1], tally[2], lostRuns, lostSpanMs, gap[0], gap[1], p50(ok),
                ok.length == 0 ? "NaN" : String.format(Locale.ROOT, "%.3f", ok[ok.length - 1]),
                (System.nanoTime() - t0) / 1e6);
    }

    private static void streamFill(byte[] b, int size, int seq) {
        b[0] = (byte) (seq >>> 24);
        b[1] = (byte) (seq >>> 16);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        for (int i = 4; i < size; i++) {
            b[i] = (byte) (seq * 131 + i * 31);
        }
    }

    private static int streamSeq(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static boolean streamFillOk(byte[] b, int size, int seq) {
        for (int i = 4; i < size; i++) {
            if (b[i] != (byte) (seq * 131 + i * 31)) {
                return false;
            }
        }
        return true;
    }

    /** Streams {@code bytes} random bytes to a TCP echo service and checks every byte that returns. */
    private String tcpEcho(InetAddress dst, int port, int bytes) throws Exception {
        if (bytes < 1 || bytes > 1 << 30) {
            return "ERR bytes must be 1..2^30";
        }
        byte[] out = new byte[bytes];
        new Random().nextBytes(out);
        long t0 = System.nanoTime();
        try (NtmSocket s = new NtmSocket(node.tcp(), dst, port)) {
            s.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(out);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the reader sees the failure as a short or failed read
                }
            }, "tcp-echo-writer");
            writer.start();
            byte[] in = s.getInputStream().readNBytes(bytes + 1);
            writer.join(30_000);
            double ms = (System.nanoTime() - t0) / 1e6;
            boolean same = Arrays.equals(in, out);
            return (same ? "OK" : "ERR") + " bytes=" + bytes + " received=" + in.length + " intact=" + same + " ms="
                    + String.format(Locale.ROOT, "%.1f", ms);
        }
    }

    private InetAddress target(String s) throws InterruptedException, ExecutionException, TimeoutException,
            java.net.UnknownHostException {
        if (s.matches("[0-9.]+") || s.contains(":")) {
            return InetAddress.getByName(s);
        }
        boolean six = s.endsWith("/6");
        String fqdn = six || s.endsWith("/4") ? s.substring(0, s.length() - 2) : s;
        TunnelInfo t = node.resolve(fqdn).get(RESOLVE_TIMEOUT_S, TimeUnit.SECONDS);
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
