package org.ntmlab.pcap.io;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Minimal pcapng writer: one section, interfaces added with {@link #addInterface}, packets
 * as Enhanced Packet Blocks with nanosecond resolution ({@code if_tsresol = 9}).
 */
public final class PcapNgWriter implements Closeable {
    private final OutputStream out;
    private final ByteOrder order;
    private int interfaces;

    public PcapNgWriter(OutputStream out, ByteOrder order) throws IOException {
        this.out = out;
        this.order = order;
        ByteBuffer b = ByteBuffer.allocate(28).order(order);
        b.putInt(PcapNgReader.SHB_TYPE).putInt(28).putInt(PcapNgReader.BYTE_ORDER_MAGIC);
        b.putShort((short) 1).putShort((short) 0).putLong(-1L).putInt(28);
        out.write(b.array());
    }

    public static PcapNgWriter create(Path file, ByteOrder order) throws IOException {
        return new PcapNgWriter(new BufferedOutputStream(Files.newOutputStream(file)), order);
    }

    /** Declares an interface and returns its id for {@link #write}. */
    public int addInterface(int linkType, int snapLength) throws IOException {
        // IDB: type, length (8) + linktype, reserved, snaplen (8) + if_tsresol=9 (8) + opt_endofopt (4) + length (4).
        int total = 8 + 8 + 8 + 4 + 4;
        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.putInt(PcapNgReader.IDB_TYPE).putInt(total);
        b.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
        b.putShort((short) PcapNgReader.OPT_IF_TSRESOL).putShort((short) 1).put((byte) 9).put(new byte[3]);
        b.putShort((short) 0).putShort((short) 0);
        b.putInt(total);
        if (b.position() != total) {
            throw new IllegalStateException("interface block is " + b.position() + " bytes, header says " + total);
        }
        out.write(b.array());
        return interfaces++;
    }

    public void write(int interfaceId, long timestampNanos, byte[] frame) throws IOException {
        if (interfaceId < 0 || interfaceId >= interfaces) {
            throw new IllegalArgumentException("interface " + interfaceId + " was not added");
        }
        int padded = (frame.length + 3) & ~3;
        int total = 28 + padded + 4;
        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.putInt(PcapNgReader.EPB_TYPE).putInt(total).putInt(interfaceId);
        b.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        b.putInt(frame.length).putInt(frame.length);
        b.put(frame).put(new byte[padded - frame.length]);
        b.putInt(total);
        out.write(b.array());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
