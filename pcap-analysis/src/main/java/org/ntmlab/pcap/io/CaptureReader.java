package org.ntmlab.pcap.io;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads frames from a classic pcap or a pcapng file; {@link #open(Path)} picks the format
 * from the magic number. Iterating never throws for a damaged file: the reader stops at the
 * first record it cannot frame and notes why in {@link #stats()}.
 */
public abstract class CaptureReader implements Closeable, Iterable<CapturedFrame> {
    private final InputStream in;
    protected final ReaderStats stats = new ReaderStats();
    private long nextNumber = 1;
    private boolean finished;

    protected CaptureReader(InputStream in) {
        this.in = in;
    }

    /** Opens a file, detecting pcap (any of the four magics) or pcapng. */
    public static CaptureReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return open(in, file.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads a capture from a stream (closed by {@link #close()}); {@code name} is for messages. */
    public static CaptureReader open(InputStream in, String name) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
        buffered.mark(4);
        byte[] magic = buffered.readNBytes(4);
        buffered.reset();
        if (magic.length < 4) {
            throw new CaptureFormatException(name + ": too short to be a capture file (" + magic.length + " bytes)");
        }
        int be = ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
        if (be == PcapNgReader.SHB_TYPE) {
            return new PcapNgReader(buffered, name);
        }
        if (PcapReader.isMagic(magic)) {
            return new PcapReader(buffered, name);
        }
        throw new CaptureFormatException(String.format(
                "%s: not a pcap or pcapng file (magic %08x); write captures with tcpdump -w or dumpcap", name, be));
    }

    /** Reads every frame; convenient for tests and small lab captures. */
    public static List<CapturedFrame> readAll(Path file) throws IOException {
        try (CaptureReader reader = open(file)) {
            List<CapturedFrame> frames = new ArrayList<>();
            for (CapturedFrame f : reader) {
                frames.add(f);
            }
            return frames;
        }
    }

    /** The next frame, or {@code null} at the end of the file or at the first unreadable record. */
    public final CapturedFrame next() {
        if (finished) {
            return null;
        }
        try {
            CapturedFrame f = readFrame(nextNumber);
            if (f == null) {
                finished = true;
                return null;
            }
            nextNumber++;
            stats.frame();
            return f;
        } catch (EOFException e) {
            stats.truncatedTail("file ends inside a record after frame " + (nextNumber - 1));
        } catch (IOException | RuntimeException e) {
            stats.problem("stopped after frame " + (nextNumber - 1) + ": " + e.getMessage());
        }
        finished = true;
        return null;
    }

    /** Link type of the file (classic pcap) or of the first interface (pcapng); -1 if none yet. */
    public abstract int linkType();

    public ReaderStats stats() {
        return stats;
    }

    /** Reads one frame; null at a clean end of file; EOFException when a record is cut short. */
    protected abstract CapturedFrame readFrame(long number) throws IOException;

    /** Fills {@code buf} completely, or returns false if the stream is at a clean end before the first byte. */
    protected final boolean readFullyOrEnd(byte[] buf) throws IOException {
        int n = in.readNBytes(buf, 0, buf.length);
        if (n == 0 && buf.length > 0) {
            return false;
        }
        if (n < buf.length) {
            throw new EOFException("short read: " + n + " of " + buf.length);
        }
        return true;
    }

    /**
     * Reads {@code n} bytes a record declares, allocating as the bytes arrive rather than all
     * {@code n} up front: a few bytes of header declaring 64 MiB made the reader allocate them
     * before finding the file far shorter (found by fuzzing, docs/security.md "Fuzzing").
     */
    protected final byte[] readDeclared(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("short read: " + b.length + " of " + n);
        }
        return b;
    }

    protected final void readFully(byte[] buf) throws IOException {
        if (!readFullyOrEnd(buf) && buf.length > 0) {
            throw new EOFException("end of file, " + buf.length + " bytes expected");
        }
    }

    protected final void skipFully(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("end of file while skipping");
                }
                s = 1;
            }
            left -= s;
        }
    }

    @Override
    public Iterator<CapturedFrame> iterator() {
        return new Iterator<>() {
            private CapturedFrame pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    pending = CaptureReader.this.next();
                }
                return pending != null;
            }

            @Override
            public CapturedFrame next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CapturedFrame f = pending;
                pending = null;
                return f;
            }
        };
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
