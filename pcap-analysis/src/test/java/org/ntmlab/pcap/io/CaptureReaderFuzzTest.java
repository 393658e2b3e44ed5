package org.ntmlab.pcap.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.pcap.SeedCorpus;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the pcap/pcapng reader, fed a whole capture file.
 * {@link CaptureReader#open} either refuses it with {@link CaptureFormatException} or returns a
 * reader; each record then reads as a frame, as the clean end, or as an {@link IOException} that
 * {@link CaptureReader#next()} turns into a noted reason to stop. A RuntimeException there is a
 * bug even though {@code next()} catches it (the reason it notes is meaningless). No frame holds
 * more bytes than the file, and reading allocates in proportion to the file, not to the lengths
 * its headers declare.
 */
class CaptureReaderFuzzTest {

    /** Allowance per input beyond 8 bytes per input byte: buffers, frames, strings. */
    static final long ALLOCATION_SLACK = 2L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FuzzTest
    void read(byte[] input) throws IOException {
        readAll(input); // once to load and instrument every class it needs, off the books
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long frames = readAll(input);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertTrue(allocated <= ALLOCATION_SLACK + 8L * input.length,
                allocated + " bytes allocated to read a " + input.length + "-byte file");
        if (frames < 0) {
            return;
        }
        // the public iteration agrees and never throws
        try (CaptureReader again = CaptureReader.open(new ByteArrayInputStream(input), "fuzz.pcap")) {
            long n = 0;
            for (CapturedFrame ignored : again) {
                n++;
            }
            assertEquals(frames, n);
            assertEquals(frames, again.stats().frames());
        }
    }

    /** Reads every frame the way next() does, but lets a RuntimeException through; -1 if refused. */
    private static long readAll(byte[] input) throws IOException {
        CaptureReader reader;
        try {
            reader = CaptureReader.open(new ByteArrayInputStream(input), "fuzz.pcap");
        } catch (CaptureFormatException refused) {
            return -1;
        }
        long frames = 0;
        while (true) {
            CapturedFrame f;
            try {
                f = reader.readFrame(frames + 1);
            } catch (IOException stop) {
                return frames; // next() notes why and stops
            }
            if (f == null) {
                return frames;
            }
            frames++;
            assertEquals(frames, f.number());
            assertTrue(f.data().length <= input.length, "frame longer than the file");
        }
    }

    /** Captures written by the project's writers; the corpus also holds real tcpdump/dumpcap files. */
    static Map<String, byte[]> seeds() throws IOException {
        byte[] ntm = new byte[20 + 24];
        ntm[0] = 1; // version
        ntm[1] = 0x2F; // DATA
        ntm[2] = 1; // suite
        byte[] udp = SyntheticPackets.udpPacket(SyntheticPackets.sock("192.0.2.10", 40000),
                SyntheticPackets.sock("198.51.100.1", 7000), ntm);
        byte[] dns = SyntheticPackets.udpPacket(SyntheticPackets.sock("192.0.2.10", 53000),
                SyntheticPackets.sock("198.51.100.53", 53), SyntheticPackets.dnsQuery(7, "_ntm-dc._udp.b.example", 33));
        byte[] icmp6 = SyntheticPackets.ip(SyntheticPackets.addr("2001:db8::1"), SyntheticPackets.addr("2001:db8::2"),
                SyntheticPackets.PROTO_ICMPV6, SyntheticPackets.icmpEcho(SyntheticPackets.addr("2001:db8::1"),
                        SyntheticPackets.addr("2001:db8::2"), true, 1, 1));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(pcap, LinkType.LINUX_SLL2, false, ByteOrder.LITTLE_ENDIAN, 262144)) {
            w.write(1_000_000_000L, SyntheticPackets.sll2(1, 0, "02:42:ac:11:00:02", udp));
            w.write(1_000_500_000L, SyntheticPackets.sll2(1, 4, "02:42:ac:11:00:02", dns));
        }
        seeds.put("writer-sll2-le.pcap", pcap.toByteArray());
        ByteArrayOutputStream pcapBe = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(pcapBe, LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN, 96)) {
            w.write(2_000_000_001L, SyntheticPackets.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", icmp6));
        }
        seeds.put("writer-ethernet-be-nanos.pcap", pcapBe.toByteArray());
        ByteArrayOutputStream ng = new ByteArrayOutputStream();
        try (PcapNgWriter w = new PcapNgWriter(ng, ByteOrder.BIG_ENDIAN)) {
            int eth = w.addInterface(LinkType.ETHERNET, 65535);
            int raw = w.addInterface(LinkType.RAW, 128);
            w.write(eth, 3_000_000_000L, SyntheticPackets.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", udp));
            w.write(raw, 3_000_000_100L, icmp6);
        }
        seeds.put("writer-two-interfaces-be.pcapng", ng.toByteArray());
        return seeds;
    }

    @Test
    void seedCorpusIsCommitted() throws IOException {
        SeedCorpus.check(CaptureReaderFuzzTest.class, "read", seeds());
    }
}
