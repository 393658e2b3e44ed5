package org.ntmlab.pcap.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng (what dumpcap/tshark write by default): Section Header, Interface Description,
 * Enhanced Packet, Simple Packet and the obsolete Packet block; other blocks are skipped.
 * Each section may have its own byte order; timestamps honour {@code if_tsresol} and
 * {@code if_tsoffset}.
 */
public final class PcapNgReader extends CaptureReader {
    static final int SHB_TYPE = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int IDB_TYPE = 1;
    static final int OBSOLETE_PACKET_TYPE = 2;
    static final int SPB_TYPE = 3;
    static final int EPB_TYPE = 6;
    static final int OPT_END = 0;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;

    private record Interface(int linkType, int snapLength, long unitsPerSecond, long offsetSeconds) {
    }

    private final String name;
    private ByteOrder order = ByteOrder.BIG_ENDIAN;
    private final List<Interface> interfaces = new ArrayList<>();
    private final byte[] blockStart = new byte[8];

    PcapNgReader(InputStream in, String name) throws IOException {
        super(in);
        this.name = name;
    }

    @Override
    protected CapturedFrame readFrame(long number) throws IOException {
        while (true) {
            if (!readFullyOrEnd(blockStart)) {
                return null;
            }
            int typeBe = ByteBuffer.wrap(blockStart).order(ByteOrder.BIG_ENDIAN).getInt(0);
            if (typeBe == SHB_TYPE) {
                readSectionHeader();
                continue;
            }
            ByteBuffer s = ByteBuffer.wrap(blockStart).order(order);
            int type = s.getInt(0);
            long total = s.getInt(4) & 0xffffffffL;
            if (total < 12 || total % 4 != 0 || total > PcapReader.MAX_RECORD) {
                throw new IOException("block of type " + type + " has bad length " + total);
            }
            byte[] body = readDeclared((int) total - 8);
            long trailing = ByteBuffer.wrap(body).order(order).getInt(body.length - 4) & 0xffffffffL;
            if (trailing != total) {
                throw new IOException("block of type " + type + " starts with length " + total + " but ends with " + trailing);
            }
            ByteBuffer b = ByteBuffer.wrap(body, 0, body.length - 4).order(order);
            switch (type) {
                case IDB_TYPE -> {
                    need(b, 8, "interface description");
                    readInterface(b);
                }
                case EPB_TYPE -> {
                    need(b, 20, "enhanced packet");
                    return enhancedPacket(b, number);
                }
                case SPB_TYPE -> {
                    need(b, 4, "simple packet");
                    return simplePacket(b, number);
                }
                case OBSOLETE_PACKET_TYPE -> {
                    need(b, 20, "packet");
                    return obsoletePacket(b, number);
                }
                default -> stats.skippedBlock();
            }
        }
    }

    /**
     * A block body too short for its fixed fields is a framing error like any other: before
     * this check it threw IndexOutOfBoundsException, which next() noted as a meaningless
     * reason (found by fuzzing, docs/security.md "Fuzzing").
     */
    private static void need(ByteBuffer body, int fixed, String block) throws IOException {
        if (body.limit() < fixed) {
            throw new IOException(block + " block has " + body.limit() + " bytes of body, less than its " + fixed
                    + "-byte fixed part");
        }
    }

    private void readSectionHeader() throws IOException {
        byte[] rest = new byte[4];
        readFully(rest);
        int magicBe = ByteBuffer.wrap(rest).order(ByteOrder.BIG_ENDIAN).getInt();
        int magicLe = ByteBuffer.wrap(rest).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (magicBe == BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (magicLe == BYTE_ORDER_MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw new CaptureFormatException(name + ": pcapng section header has bad byte-order magic");
        }
        long total = ByteBuffer.wrap(blockStart).order(order).getInt(4) & 0xffffffffL;
        if (total < 28 || total % 4 != 0 || total > PcapReader.MAX_RECORD) {
            throw new IOException("section header has bad length " + total);
        }
        skipFully(total - 12);
        // A new section starts a new interface numbering.
        interfaces.clear();
    }

    private void readInterface(ByteBuffer b) {
        int linkType = b.getShort(0) & 0xffff;
        int snap = b.getInt(4);
        long units = 1_000_000L;
        long offset = 0;
        int p = 8;
        while (p + 4 <= b.limit()) {
            int code = b.getShort(p) & 0xffff;
            int len = b.getShort(p + 2) & 0xffff;
            int v = p + 4;
            if (code == OPT_END || v + len > b.limit()) {
                break;
            }
            if (code == OPT_IF_TSRESOL && len >= 1) {
                int r = b.get(v) & 0xff;
                units = (r & 0x80) == 0 ? pow(10, r & 0x7f) : pow(2, r & 0x7f);
            } else if (code == OPT_IF_TSOFFSET && len >= 8) {
                offset = b.getLong(v);
            }
            p = v + ((len + 3) & ~3);
        }
        interfaces.add(new Interface(linkType, snap, units, offset));
    }

    private static long pow(long base, int exp) {
        long r = 1;
        for (int i = 0; i < exp && r < Long.MAX_VALUE / base; i++) {
            r *= base;
        }
        return r;
    }

    private Interface iface(int id) throws IOException {
        if (id < 0 || id >= interfaces.size()) {
            throw new IOException("packet refers to undeclared interface " + id);
        }
        return interfaces.get(id);
    }

    private CapturedFrame enhancedPacket(ByteBuffer b, long number) throws IOException {
        int id = b.getInt(0);
        long ticks = ((b.getInt(4) & 0xffffffffL) << 32) | (b.getInt(8) & 0xffffffffL);
        int captured = b.getInt(12);
        int original = b.getInt(16);
        return packet(b, 20, id, ticks, captured, original, number);
    }

    private CapturedFrame obsoletePacket(ByteBuffer b, long number) throws IOException {
        int id = b.getShort(0) & 0xffff;
        long ticks = ((b.getInt(4) & 0xffffffffL) << 32) | (b.getInt(8) & 0xffffffffL);
        int captured = b.getInt(12);
        int original = b.getInt(16);
        return packet(b, 20, id, ticks, captured, original, number);
    }

    private CapturedFrame packet(ByteBuffer b, int at, int id, long ticks, int captured, int original, long number)
            throws IOException {
        Interface i = iface(id);
        if (captured < 0 || captured > b.limit() - at) { // not at + captured: it overflows
            throw new IOException("packet block captured length " + captured + " exceeds its block");
        }
        byte[] data = new byte[captured];
        b.get(at, data);
        long ts = toNanos(ticks, i);
        return new CapturedFrame(number, ts, i.linkType(), original, data, id);
    }

    private CapturedFrame simplePacket(ByteBuffer b, long number) throws IOException {
        Interface i = iface(0);
        int original = b.getInt(0);
        int captured = i.snapLength() > 0 ? Math.min(original, i.snapLength()) : original;
        captured = Math.min(captured, b.limit() - 4);
        byte[] data = new byte[Math.max(0, captured)];
        b.get(4, data);
        // A simple packet block carries no timestamp.
        return new CapturedFrame(number, 0L, i.linkType(), original, data, 0);
    }

    private static long toNanos(long ticks, Interface i) {
        long units = i.unitsPerSecond();
        long seconds = Long.divideUnsigned(ticks, units);
        long rest = Long.remainderUnsigned(ticks, units);
        long nanos = units <= 1_000_000_000L && 1_000_000_000L % units == 0
                ? rest * (1_000_000_000L / units)
                : (long) ((double) rest * 1e9 / units);
        return (seconds + i.offsetSeconds()) * 1_000_000_000L + nanos;
    }

    @Override
    public int linkType() {
        return interfaces.isEmpty() ? -1 : interfaces.get(0).linkType();
    }
}
