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
 * Writes classic pcap files, readable by tcpdump, tshark and {@link CaptureReader}.
 * Used by tests to build captures, and by the lab to save synthetic or filtered traffic.
 */
public final class PcapWriter implements Closeable {
    private final OutputStream out;
    private final ByteOrder order;
    private final boolean nanos;
    private final int snapLength;

    /**
     * @param nanos      true for the nanosecond magic, false for microseconds (tcpdump's default)
     * @param order      byte order of headers (readers must accept both)
     * @param snapLength frames longer than this are cut, with the original length kept
     */
    public PcapWriter(OutputStream out, int linkType, boolean nanos, ByteOrder order, int snapLength)
            throws IOException {
        this.out = out;
        this.order = order;
        this.nanos = nanos;
        this.snapLength = snapLength;
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(nanos ? PcapReader.MAGIC_NANOS : PcapReader.MAGIC_MICROS);
        h.putShort((short) 2).putShort((short) 4);
        h.putInt(0).putInt(0);
        h.putInt(snapLength).putInt(linkType);
        out.write(h.array());
    }

    /** Ethernet, microseconds, little-endian (what tcpdump on x86 writes), snap length 262144. */
    public static PcapWriter create(Path file, int linkType) throws IOException {
        return create(file, linkType, false, ByteOrder.LITTLE_ENDIAN);
    }

    public static PcapWriter create(Path file, int linkType, boolean nanos, ByteOrder order) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)), linkType, nanos, order, 262144);
    }

    /** Writes one frame captured at {@code timestampNanos} (epoch nanoseconds). */
    public void write(long timestampNanos, byte[] frame) throws IOException {
        int included = Math.min(frame.length, snapLength);
        ByteBuffer h = ByteBuffer.allocate(16).order(order);
        long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
        h.putInt((int) seconds);
        h.putInt((int) (nanos ? fraction : fraction / 1_000L));
        h.putInt(included).putInt(frame.length);
        out.write(h.array());
        out.write(frame, 0, included);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
