package org.ntmlab.ntm.node;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.ntmlab.ntm.node.traffic.StreamPattern;
import org.ntmlab.ntm.node.traffic.TcpEchoCheck;
import org.ntmlab.ntm.node.traffic.UdpStreamCheck;
import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.stack.tcp.NtmSocket;

/**
 * The commands of a node's control channel (docs/protocol.md, "Node control channel"), one
 * line in, one reply line out: {@code OK ...} or {@code ERR ...}. {@link ControlServer} carries
 * them over a socket; a program that embeds the node (or a test) may call {@link #handle}
 * directly. Thread-safe: each command runs on its caller's thread and talks to the node through
 * its public, loop-safe API.
 */
public final class ControlHandler {

    /** Largest {@code tcp-echo}: 1 TiB (memory does not grow with it; time does). */
    static final long MAX_TCP_BYTES = 1L << 40;
    /** A TCP check's read that waits this long fails. */
    static final int TCP_READ_TIMEOUT_MS = 30_000;
    /** A paced {@code tcp-stream} writes once per this many ms (and sleeps between writes). */
    static final int TCP_STREAM_PACE_MS = 10;
    /** Highest pace of a {@code tcp-stream}: one {@link TcpEchoCheck#CHUNK} per {@link #TCP_STREAM_PACE_MS}. */
    static final int MAX_TCP_STREAM_KBPS = TcpEchoCheck.CHUNK * 8 * (1000 / TCP_STREAM_PACE_MS) / 1000;

    private final NtmNode node;
    /** How to end each running {@code udp-stream} and {@code tcp-stream} early ({@code stop-streams}). */
    private final Set<Runnable> runningStreams = ConcurrentHashMap.newKeySet();

    public ControlHandler(NtmNode node) {
        this.node = node;
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
            case "streams":
                // how many udp-stream / tcp-stream checks are sending now: a harness waits for its
                // streams to run before it injects a fault (a TCP stream starts after its connect)
                return "OK running=" + runningStreams.size();
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
                        + " tcp-stream, streams, stop-streams, ping, send,"
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
            }, pps, ms, size, stop::get, new UdpStreamCheck.ResumeWatch() {
                @Override
                public long armedAtNanos() {
                    return node.addressAddedNanos();
                }

                @Override
                public void resumed(long armedAtNanos, long atNanos) {
                    java.time.Instant at = java.time.Instant.now().minusNanos(System.nanoTime() - atNanos);
                    node.udpEchoResumed("peer=" + addr(dst)
                            + String.format(Locale.ROOT, " afterAddressMs=%.1f", (atNanos - armedAtNanos) / 1e6), at);
                }
            });
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
}
