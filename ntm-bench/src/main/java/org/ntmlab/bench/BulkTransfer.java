package org.ntmlab.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One-way bulk transfer over a {@link SocketPair}: the client writes, a receiver thread on
 * the server side reads. One transfer = a 9-byte header (length, verify flag), then the
 * bytes, then a 1-byte acknowledgement from the receiver once it has read them all; the
 * time is taken on the sender from the first write to that acknowledgement (so it includes
 * the last bytes' delivery and one small segment back, not just filling the send buffer).
 *
 * <p>The stream carries byte {@code i % 251} at offset {@code i}, so a receiver asked to
 * verify finds any lost, duplicated or reordered byte; timed transfers do not verify (the
 * compare costs the receiver a core the stack needs), the warm-up and the smoke test do.
 */
final class BulkTransfer implements AutoCloseable {

    static final int CHUNK = 64 * 1024;
    private static final int PERIOD = 251; // prime: a 2^k-sized slip cannot hide
    private static final byte[] PATTERN = new byte[CHUNK + PERIOD];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % PERIOD);
        }
    }

    private final SocketPair pair;
    private final DataOutputStream out;
    private final InputStream ackIn;
    private final Thread receiver;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong corrupted = new AtomicLong();
    private volatile Throwable receiverFailure;

    BulkTransfer(SocketPair pair) throws IOException {
        this.pair = pair;
        this.out = new DataOutputStream(pair.client().getOutputStream());
        this.ackIn = pair.client().getInputStream();
        InputStream in = pair.server().getInputStream();
        OutputStream ack = pair.server().getOutputStream();
        receiver = new Thread(() -> receive(new DataInputStream(in), ack), "bench-bulk-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receive(DataInputStream in, OutputStream ack) {
        byte[] buf = new byte[CHUNK];
        try {
            while (true) {
                long left;
                try {
                    left = in.readLong();
                } catch (java.io.EOFException e) {
                    return; // sender closed
                }
                boolean verify = in.readBoolean();
                long at = 0;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("end of stream with " + left + " bytes to go");
                    }
                    if (verify) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) ((at + i) % PERIOD)) {
                                corrupted.incrementAndGet();
                            }
                        }
                    }
                    at += n;
                    left -= n;
                    received.addAndGet(n);
                }
                ack.write(1);
                ack.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (!pair.server().isClosed()) {
                receiverFailure = e;
            }
        }
    }

    /** Sends {@code bytes} and waits until the receiver has read them all; returns nanoseconds. */
    long transfer(long bytes, boolean verify) throws IOException {
        long before = received.get();
        long t0 = System.nanoTime();
        out.writeLong(bytes);
        out.writeBoolean(verify);
        long at = 0;
        while (at < bytes) {
            int n = (int) Math.min(CHUNK, bytes - at);
            out.write(PATTERN, (int) (at % PERIOD), n);
            at += n;
        }
        out.flush();
        int a = ackIn.read();
        long t1 = System.nanoTime();
        if (a != 1) {
            throw new IOException("no acknowledgement from the receiver (read " + a + ")"
                    + (receiverFailure != null ? ": " + receiverFailure : ""));
        }
        long got = received.get() - before;
        if (got != bytes) {
            throw new IOException("receiver read " + got + " bytes, expected " + bytes);
        }
        if (corrupted.get() != 0) {
            throw new IOException(corrupted.get() + " bytes arrived corrupted or out of place");
        }
        return t1 - t0;
    }

    long receiverThreadId() {
        return receiver.getId();
    }

    long received() {
        return received.get();
    }

    @Override
    public void close() throws IOException {
        out.flush();
        pair.close();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
