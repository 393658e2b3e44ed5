package org.ntmlab.ntm.stack.tcp;

import java.nio.ByteBuffer;

/**
 * Fixed-capacity byte ring used as a connection's send queue (unacknowledged plus unsent
 * bytes, starting at SND.UNA) and receive queue (bytes not yet read, then room for
 * out-of-order data at offsets past {@link #size()}). The array is allocated once, on
 * first use, so idle and half-open connections cost no buffer memory.
 */
final class ByteRing {
    private static final byte[] NONE = new byte[0];
    private final int capacity;
    private byte[] buf = NONE;
    private int head;
    private int size;

    ByteRing(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    int free() {
        return capacity - size;
    }

    private void ensureAllocated() {
        if (buf.length == 0) {
            buf = new byte[capacity];
        }
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i;
    }

    /** Appends up to {@code len} bytes, returns how many fitted. */
    int write(byte[] src, int off, int len) {
        ensureAllocated();
        int n = Math.min(len, free());
        int at = index(size);
        int first = Math.min(n, buf.length - at);
        System.arraycopy(src, off, buf, at, first);
        System.arraycopy(src, off + first, buf, 0, n - first);
        size += n;
        return n;
    }

    /**
     * Stores {@code len} bytes from {@code src} (absolute index {@code srcPos}) at
     * {@code offset} past the end of the committed data, without committing them.
     * The caller guarantees {@code offset + len <= free()}.
     */
    void writeAt(int offset, ByteBuffer src, int srcPos, int len) {
        ensureAllocated();
        int at = index(size + offset);
        int first = Math.min(len, buf.length - at);
        src.get(srcPos, buf, at, first);
        if (len > first) {
            src.get(srcPos + first, buf, 0, len - first);
        }
    }

    /** Makes {@code n} bytes stored by {@link #writeAt} part of the data. */
    void commit(int n) {
        size += n;
    }

    /** Removes up to {@code len} bytes from the front into {@code dst}, returns the count. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        discard(n);
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after the front into {@code dst} (relative put). */
    void peek(int offset, ByteBuffer dst, int len) {
        int at = index(offset);
        int first = Math.min(len, buf.length - at);
        dst.put(buf, at, first);
        if (len > first) {
            dst.put(buf, 0, len - first);
        }
    }

    /** Drops {@code n} bytes from the front. */
    void discard(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("discard " + n + " of " + size);
        }
        head = index(n);
        size -= n;
        // no "reset head when empty": out-of-order bytes may be stored past the end
    }
}
