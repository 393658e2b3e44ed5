package org.ntmlab.pcap.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaptureRoundTripTest {
    @TempDir
    Path dir;

    static final long T0 = 1_714_550_400_123_456_789L;

    static byte[] frame(int n, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (n * 31 + i);
        }
        return b;
    }

    @ParameterizedTest(name = "pcap nanos={0} bigEndian={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void pcapRoundTripsInBothByteOrdersAndResolutions(boolean nanos, boolean bigEndian) throws Exception {
        Path f = dir.resolve("t.pcap");
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        try (PcapWriter w = PcapWriter.create(f, LinkType.LINUX_SLL2, nanos, order)) {
            for (int i = 0; i < 5; i++) {
                w.write(T0 + i * 1_000_001L, frame(i, 60 + i));
            }
        }
        byte[] raw = Files.readAllBytes(f);
        int magic = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).getInt();
        int expected = nanos ? 0xa1b23c4d : 0xa1b2c3d4;
        assertThat(magic).isEqualTo(bigEndian ? expected : Integer.reverseBytes(expected));

        try (CaptureReader r = CaptureReader.open(f)) {
            assertThat(r).isInstanceOf(PcapReader.class);
            assertThat(((PcapReader) r).byteOrder()).isEqualTo(order);
            assertThat(((PcapReader) r).nanosecondResolution()).isEqualTo(nanos);
            assertThat(r.linkType()).isEqualTo(LinkType.LINUX_SLL2);
            int i = 0;
            for (CapturedFrame c : r) {
                long ts = T0 + i * 1_000_001L;
                assertThat(c.number()).isEqualTo(i + 1);
                assertThat(c.timestampNanos()).isEqualTo(nanos ? ts : ts - ts % 1000);
                assertThat(c.data()).isEqualTo(frame(i, 60 + i));
                assertThat(c.originalLength()).isEqualTo(60 + i);
                assertThat(c.linkType()).isEqualTo(LinkType.LINUX_SLL2);
                i++;
            }
            assertThat(i).isEqualTo(5);
            assertThat(r.stats().frames()).isEqualTo(5);
            assertThat(r.stats().truncatedTail()).isZero();
        }
    }

    @Test
    void snapLengthCutsFramesButKeepsOriginalLength() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, 32)) {
            w.write(T0, frame(1, 100));
        }
        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(out.toByteArray()), "mem")) {
            CapturedFrame c = r.next();
            assertThat(c.data()).hasSize(32);
            assertThat(c.originalLength()).isEqualTo(100);
            assertThat(c.truncated()).isTrue();
            assertThat(((PcapReader) r).snapLength()).isEqualTo(32);
        }
    }

    @Test
    void fileCutInsideARecordStopsCleanlyAndSaysSo() throws Exception {
        Path f = dir.resolve("cut.pcap");
        try (PcapWriter w = PcapWriter.create(f, LinkType.ETHERNET)) {
            w.write(T0, frame(1, 80));
            w.write(T0 + 1, frame(2, 80));
        }
        byte[] raw = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(raw, raw.length - 10));
        try (CaptureReader r = CaptureReader.open(f)) {
            assertThat(r.next()).isNotNull();
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
            assertThat(r.stats().frames()).isEqualTo(1);
            assertThat(r.stats().truncatedTail()).isEqualTo(1);
            assertThat(r.stats().problems()).singleElement().asString().contains("after frame 1");
        }
    }

    @Test
    void absurdRecordLengthIsReportedNotAllocated() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.BIG_ENDIAN, 65535)) {
            w.write(T0, frame(1, 40));
        }
        byte[] raw = out.toByteArray();
        ByteBuffer.wrap(raw).putInt(24 + 8, 0x7fff_ffff);
        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(raw), "mem")) {
            assertThat(r.next()).isNull();
            assertThat(r.stats().problems()).singleElement().asString().contains("claims");
        }
    }

    @Test
    void nonCaptureFileIsRejectedWithItsName() throws Exception {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, this is not a capture");
        assertThatThrownBy(() -> CaptureReader.open(f)).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("notes.txt").hasMessageContaining("not a pcap or pcapng");
        Path empty = dir.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> CaptureReader.open(empty)).isInstanceOf(CaptureFormatException.class);
    }

    @ParameterizedTest(name = "pcapng bigEndian={0}")
    @CsvSource({"false", "true"})
    void pcapngRoundTripsWithTwoInterfaces(boolean bigEndian) throws Exception {
        Path f = dir.resolve("t.pcapng");
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        try (PcapNgWriter w = PcapNgWriter.create(f, order)) {
            int eth = w.addInterface(LinkType.ETHERNET, 65535);
            int raw = w.addInterface(LinkType.RAW, 65535);
            w.write(eth, T0, frame(1, 61));
            w.write(raw, T0 + 7, frame(2, 40));
            w.write(eth, T0 + 3_000_000_000L, frame(3, 63));
        }
        List<CapturedFrame> frames = CaptureReader.readAll(f);
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).linkType()).isEqualTo(LinkType.ETHERNET);
        assertThat(frames.get(1).linkType()).isEqualTo(LinkType.RAW);
        assertThat(frames.get(1).interfaceId()).isEqualTo(1);
        assertThat(frames.get(1).timestampNanos()).isEqualTo(T0 + 7);
        assertThat(frames.get(2).timestampNanos()).isEqualTo(T0 + 3_000_000_000L);
        assertThat(frames.get(0).data()).isEqualTo(frame(1, 61));
        assertThat(frames.get(2).data()).isEqualTo(frame(3, 63));
    }

    /** Hand-built pcapng: microsecond default resolution, a block to skip, a simple packet block, then a second section. */
    @Test
    void pcapngHonoursDefaultResolutionSkipsUnknownBlocksAndReadsSimplePackets() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        out.write(shb(le));
        out.write(block(le, 1, b -> b.putShort((short) LinkType.ETHERNET).putShort((short) 0).putInt(64), 8));
        out.write(block(le, 0x0BAD, b -> b.putInt(42), 4)); // unknown block type
        long micros = T0 / 1000;
        byte[] data = frame(1, 50);
        out.write(block(le, 6, b -> b.putInt(0).putInt((int) (micros >>> 32)).putInt((int) micros).putInt(50).putInt(50)
                .put(data).put(new byte[2]), 20 + 52));
        byte[] longer = frame(2, 100);
        out.write(block(le, 3, b -> b.putInt(100).put(longer, 0, 64), 4 + 64)); // snapped to the IDB's 64
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        out.write(shb(be));
        out.write(block(be, 1, b -> b.putShort((short) LinkType.RAW).putShort((short) 0).putInt(0)
                .putShort((short) 9).putShort((short) 1).put((byte) 3).put(new byte[3]).putInt(0), 8 + 12));
        out.write(block(be, 6, b -> b.putInt(0).putInt(0).putInt(1500).putInt(4).putInt(4).putInt(0x45000004), 24));

        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(out.toByteArray()), "mem")) {
            List<CapturedFrame> frames = new java.util.ArrayList<>();
            r.forEach(frames::add);
            assertThat(frames).hasSize(3);
            assertThat(frames.get(0).timestampNanos()).isEqualTo(micros * 1000);
            assertThat(frames.get(0).data()).isEqualTo(data);
            assertThat(frames.get(1).originalLength()).isEqualTo(100);
            assertThat(frames.get(1).data()).hasSize(64);
            assertThat(frames.get(2).linkType()).isEqualTo(LinkType.RAW);
            assertThat(frames.get(2).timestampNanos()).isEqualTo(1_500_000_000L); // 1500 ms at if_tsresol=3
            assertThat(r.stats().skippedBlocks()).isEqualTo(1);
            assertThat(r.stats().problems()).isEmpty();
        }
    }

    private static byte[] shb(ByteOrder o) {
        ByteBuffer b = ByteBuffer.allocate(28).order(o);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        return b.array();
    }

    private static byte[] block(ByteOrder o, int type, java.util.function.Consumer<ByteBuffer> body, int bodyLen) {
        int total = 12 + bodyLen;
        ByteBuffer b = ByteBuffer.allocate(total).order(o);
        b.putInt(type).putInt(total);
        body.accept(b);
        b.putInt(total);
        assertThat(b.position()).isEqualTo(total);
        return b.array();
    }
}
