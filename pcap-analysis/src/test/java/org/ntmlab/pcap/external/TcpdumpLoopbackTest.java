package org.ntmlab.pcap.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.pcap.decode.DecodedPacket;
import org.ntmlab.pcap.decode.NtmDetector;
import org.ntmlab.pcap.decode.NtmMessageType;
import org.ntmlab.pcap.decode.PacketDecoder;
import org.ntmlab.pcap.io.CaptureReader;
import org.ntmlab.pcap.io.CapturedFrame;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.io.PcapReader;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * Cross-checks against tcpdump: it reads our files, and we read files it captured from
 * real traffic that this test sends to 127.0.0.1 (loopback only).
 */
class TcpdumpLoopbackTest {
    @TempDir
    Path dir;

    @Test
    void tcpdumpReadsOurCaptureWithTheSameCountTimesAndAddresses() throws Exception {
        Path tcpdump = ExternalTools.require("tcpdump");
        Path f = dir.resolve("ours.pcap");
        long t0 = 1_714_550_400_000_000_001L;
        List<byte[]> packets = TsharkCrossCheckTest.mixedIpPackets();
        try (PcapWriter w = PcapWriter.create(f, LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN)) {
            for (int i = 0; i < packets.size(); i++) {
                w.write(t0 + i * 123_456_789L, SyntheticPackets.ethernet("02:00:00:00:00:0a", "02:00:00:00:00:0b", packets.get(i)));
            }
        }
        ExternalTools.Result r = ExternalTools.run(List.of(tcpdump.toString(), "-r", f.toString(), "-nn", "-tt",
                "--time-stamp-precision=nano"));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        List<DecodedPacket> ours = PacketDecoder.decodeFile(f);
        assertThat(lines).hasSize(packets.size()).hasSameSizeAs(ours);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            DecodedPacket p = ours.get(i);
            String ts = line.substring(0, line.indexOf(' '));
            assertThat(new java.math.BigDecimal(ts).movePointRight(9).longValueExact()).as(line).isEqualTo(p.timestampNanos());
            String src = org.ntmlab.pcap.decode.Endpoints.format(p.sourceAddress());
            String dst = org.ntmlab.pcap.decode.Endpoints.format(p.destinationAddress());
            if (p.udp().isPresent()) {
                int sp = p.udp().get().sourcePort();
                int dp = p.udp().get().destinationPort();
                // tcpdump prints "IP 10.0.0.2.7200 > 198.51.100.2.7000: UDP", but after IPv6 extension
                // headers "IP6 a > b: HBH DSTOPT 7200 > 7100: UDP".
                assertThat(line).as(line).containsAnyOf(src + "." + sp + " > " + dst + "." + dp,
                        src + " > " + dst + ": HBH DSTOPT " + sp + " > " + dp);
            } else {
                assertThat(line).as(line).contains(src);
            }
            if (p.dhcp().isPresent()) {
                assertThat(line).contains("BOOTP/DHCP");
            }
        }
    }

    /** Starts tcpdump writing to {@code out}; returns once it is listening. */
    private static Process startCapture(Path tcpdump, String iface, int port, Path out, boolean nano) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tcpdump.toString(), "-i", iface, "--immediate-mode", "-U", "-n", "-w",
                out.toString()));
        if (nano) {
            cmd.add("--time-stamp-precision=nano");
        }
        cmd.addAll(List.of("udp", "port", String.valueOf(port)));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CountDownLatch listening = new CountDownLatch(1);
        StringBuilder err = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = br.readLine()) != null) {
                    synchronized (err) {
                        err.append(l).append('\n');
                    }
                    if (l.contains("listening on")) {
                        listening.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (!listening.await(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            synchronized (err) {
                throw new AssertionError("tcpdump did not start listening on " + iface + ": " + err);
            }
        }
        return p;
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private record Sent(byte[] payload, int srcPort) {
    }

    static final byte[] WARM_UP = "warm-up".getBytes(StandardCharsets.US_ASCII);

    /**
     * tcpdump says "listening" slightly before the kernel delivers to it (notably on "any"),
     * so first send warm-up datagrams until one shows up in the file, then the real ones.
     */
    private static List<Sent> sendDatagrams(int port, Path capture) throws Exception {
        List<Sent> sent = new ArrayList<>();
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (countTo(capture, port, true) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("tcpdump captured none of the warm-up datagrams to port " + port);
                }
                s.send(new DatagramPacket(WARM_UP, WARM_UP.length, to));
                Thread.sleep(100);
            }
            for (int i = 0; i < 3; i++) {
                byte[] plain = ("ntm-lab loopback " + i).getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(plain, plain.length, to));
                sent.add(new Sent(plain, s.getLocalPort()));
            }
            for (int i = 0; i < 2; i++) {
                byte[] ntm = SyntheticPackets.ntm(0x2F, 2, 0x4242, 100 + i, 48);
                s.send(new DatagramPacket(ntm, ntm.length, to));
                sent.add(new Sent(ntm, s.getLocalPort()));
            }
        }
        return sent;
    }

    /** Waits until tcpdump has written {@code frames} frames (it writes each at once with -U), then stops it. */
    private static void stop(Process p, Path capture, int port, int frames) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && countTo(capture, port, false) < frames) {
            Thread.sleep(50);
        }
        p.destroy(); // SIGTERM: tcpdump closes the file cleanly
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** Datagrams to {@code port} in the file so far; warm-ups count only when {@code warmUps}. */
    private static long countTo(Path capture, int port, boolean warmUps) {
        try (CaptureReader r = CaptureReader.open(capture)) {
            PacketDecoder d = new PacketDecoder();
            long n = 0;
            for (CapturedFrame f : r) {
                n += d.decode(f).udp().filter(u -> u.destinationPort() == port)
                        .filter(u -> warmUps || !java.util.Arrays.equals(u.payload(), WARM_UP)).isPresent() ? 1 : 0;
            }
            return n;
        } catch (java.io.IOException e) {
            return 0; // header not written yet
        }
    }

    private static void checkCaptured(Path capture, int port, List<Sent> sent, int expectedLinkType) throws Exception {
        PacketDecoder decoder = new PacketDecoder(NtmDetector.withPorts(port));
        List<DecodedPacket> ours = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(capture)) {
            for (CapturedFrame f : r) {
                assertThat(f.linkType()).isEqualTo(expectedLinkType);
                ours.add(decoder.decode(f));
            }
            assertThat(r.stats().problems()).isEmpty();
        }
        List<DecodedPacket> toPort = ours.stream()
                .filter(p -> p.udp().map(u -> u.destinationPort() == port && !java.util.Arrays.equals(u.payload(), WARM_UP))
                        .orElse(false)).toList();
        assertThat(toPort).as("datagrams to port %d in %s", port, capture).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            DecodedPacket p = toPort.get(i);
            assertThat(p.malformed()).isEmpty();
            assertThat(p.source()).isEqualTo(sock("127.0.0.1", sent.get(i).srcPort()));
            assertThat(p.udp().orElseThrow().payload()).isEqualTo(sent.get(i).payload());
        }
        assertThat(toPort.subList(0, 3)).allMatch(p -> p.ntm().isEmpty());
        assertThat(toPort.subList(3, 5)).extracting(p -> p.ntm().orElseThrow().type()).containsOnly(NtmMessageType.DATA);
        assertThat(toPort.subList(3, 5)).extracting(p -> p.ntm().orElseThrow().counter()).containsExactly(100L, 101L);
        assertThat(toPort.get(3).ntm().orElseThrow().relayed()).isTrue();
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(toPort.get(0).timestampNanos()).isBetween(now - 120_000_000_000L, now + 1_000_000_000L);
    }

    @Test
    void realLoopbackTrafficCapturedByTcpdumpIsDecoded() throws Exception {
        Path tcpdump = ExternalTools.require("tcpdump");
        int port = freeUdpPort();
        Path capture = dir.resolve("lo.pcap");
        Process p = startCapture(tcpdump, "lo", port, capture, false);
        List<Sent> sent = List.of();
        try {
            sent = sendDatagrams(port, capture);
        } finally {
            stop(p, capture, port, sent.size());
        }
        assertThat(Files.size(capture)).isGreaterThan(24);
        try (CaptureReader r = CaptureReader.open(capture)) {
            assertThat(((PcapReader) r).nanosecondResolution()).isFalse();
        }
        checkCaptured(capture, port, sent, LinkType.ETHERNET);
    }

    /** {@code -i any} gives Linux cooked headers (SLL2 on libpcap 1.10+, SLL before); nanosecond magic. */
    @Test
    void anyInterfaceCaptureWithNanosecondsIsDecoded() throws Exception {
        Path tcpdump = ExternalTools.require("tcpdump");
        int port = freeUdpPort();
        Path capture = dir.resolve("any.pcap");
        Process p = startCapture(tcpdump, "any", port, capture, true);
        List<Sent> sent = List.of();
        try {
            sent = sendDatagrams(port, capture);
        } finally {
            stop(p, capture, port, sent.size());
        }
        int linkType;
        try (CaptureReader r = CaptureReader.open(capture)) {
            assertThat(((PcapReader) r).nanosecondResolution()).isTrue();
            linkType = r.linkType();
        }
        assertThat(linkType).isIn(LinkType.LINUX_SLL, LinkType.LINUX_SLL2);
        checkCaptured(capture, port, sent, linkType);
    }
}
