package org.ntmlab.pcap.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic libpcap format (what {@code tcpdump -w} writes): 24-byte file header, then per
 * record a 16-byte header and the captured bytes. Both byte orders; microsecond magic
 * {@code a1b2c3d4} and nanosecond magic {@code a1b23c4d}.
 */
public final class PcapReader extends CaptureReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /** A record larger than this is taken as corruption rather than allocated. */
    static final int MAX_RECORD = 64 * 1024 * 1024;

    private final ByteOrder order;
    private final boolean nanos;
    private final int linkType;
    private final int snapLength;
    private final int versionMajor;
    private final int versionMinor;
    private final byte[] recordHeader = new byte[16];

    PcapReader(InputStream in, String name) throws IOException {
        super(in);
        byte[] header = new byte[24];
        try {
            readFully(header);
        } catch (IOException e) {
            throw new CaptureFormatException(name + ": pcap file header cut short");
        }
        int magicBe = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN).getInt(0);
        int magicLe = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magicBe == MAGIC_NANOS;
        } else if (magicLe == MAGIC_MICROS || magicLe == MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = magicLe == MAGIC_NANOS;
        } else {
            throw new CaptureFormatException(name + ": bad pcap magic");
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(order);
        versionMajor = b.getShort(4) & 0xffff;
        versionMinor = b.getShort(6) & 0xffff;
        if (versionMajor != 2) {
            throw new CaptureFormatException(name + ": unsupported pcap version " + versionMajor + "." + versionMinor);
        }
        snapLength = b.getInt(16);
        // Upper bits of the link-type field may carry FCS information; the type is the low 16 bits.
        linkType = b.getInt(20) & 0xffff;
    }

    static boolean isMagic(byte[] m) {
        int be = ByteBuffer.wrap(m).order(ByteOrder.BIG_ENDIAN).getInt(0);
        int le = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        return be == MAGIC_MICROS || be == MAGIC_NANOS || le == MAGIC_MICROS || le == MAGIC_NANOS;
    }

    @Override
    protected CapturedFrame readFrame(long number) throws IOException {
        if (!readFullyOrEnd(recordHeader)) {
            return null;
        }
        ByteBuffer h = ByteBuffer.wrap(recordHeader).order(order);
        long seconds = h.getInt(0) & 0xffffffffL;
        long fraction = h.getInt(4) & 0xffffffffL;
        long included = h.getInt(8) & 0xffffffffL;
        long original = h.getInt(12) & 0xffffffffL;
        if (included > MAX_RECORD) {
            throw new IOException("record " + number + " claims " + included + " captured bytes");
        }
        byte[] data = readDeclared((int) included);
        long ts = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
        return new CapturedFrame(number, ts, linkType, (int) Math.min(original, Integer.MAX_VALUE), data, 0);
    }

    @Override
    public int linkType() {
        return linkType;
    }

    public boolean nanosecondResolution() {
        return nanos;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    public int snapLength() {
        return snapLength;
    }
}
