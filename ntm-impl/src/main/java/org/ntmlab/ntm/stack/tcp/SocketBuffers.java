package org.ntmlab.ntm.stack.tcp;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * A connection's send and receive queues and the one lock that application threads and the
 * event loop share around them, like Linux's socket lock: {@link NtmSocket}'s threads copy
 * into the send queue and out of the receive queue themselves (the {@code app*} methods,
 * called with {@link #lock} held), so a bulk transfer does not hand every read and write to
 * the loop; the loop takes the lock only around ring operations and to publish what the
 * application may do now. The TCP state machine never runs under the lock and never runs on
 * an application thread (RFC 9293 3.9 user/TCP interface; the protocol side is
 * {@link TcpConnection}).
 *
 * <p>{@link #lock} guards both rings' indices and every mutable field here except the two
 * "task queued" flags, which are atomics. Application threads only append to the send queue
 * and only remove from the receive queue, so the loop may read send-queue bytes below a size
 * it read under the lock ({@link TcpLayer#writeAndSend} peeks without it) and may rely on the
 * receive queue's free room only growing behind its back.
 */
final class SocketBuffers {

    /** Result of {@link #appRead}/{@link #appWrite}: the loop must answer (end of stream, failure, not open). */
    static final int ASK_LOOP = -2;

    /** The socket lock: application threads sleep on it, the loop wakes them with {@code notifyAll}. */
    final Object lock = new Object();
    /** Send queue: unacknowledged then unsent bytes, starting at SND.UNA (RFC 9293 3.3.1). */
    final ByteRing sendQ;
    /** Receive queue: bytes not yet read, then room for out-of-order data past RCV.NXT. */
    final ByteRing recvQ;

    private final EventLoop loop;
    private final int ourMss;

    // guarded by lock
    private boolean appWritable;
    private boolean appEnded;
    private boolean readWanted;
    private boolean writeWanted;
    /** lastEdge - rcvNxt as the application sees it: decides whether a read warrants a window update. */
    private long appRoom;

    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicBoolean windowQueued = new AtomicBoolean();
    private final Runnable flushTask;
    private final Runnable windowTask;

    /**
     * {@code output} and {@code windowUpdateAfterRead} are the connection's loop-side steps that
     * {@link #appFlush} and {@link #appRead} ask the loop to run (at most one of each pending).
     */
    SocketBuffers(EventLoop loop, int sendCapacity, int receiveCapacity, int ourMss, Runnable output,
                  Runnable windowUpdateAfterRead) {
        this.loop = loop;
        this.sendQ = new ByteRing(sendCapacity);
        this.recvQ = new ByteRing(receiveCapacity);
        this.ourMss = ourMss;
        this.flushTask = () -> {
            flushQueued.set(false);
            output.run();
        };
        this.windowTask = () -> {
            windowQueued.set(false);
            windowUpdateAfterRead.run();
        };
    }

    // ================================================================ loop side (takes the lock)

    /** Bytes in the send queue; application threads may append meanwhile, never remove. */
    int sendQueued() {
        synchronized (lock) {
            return sendQ.size();
        }
    }

    /** Room in the send queue. */
    int sendFree() {
        synchronized (lock) {
            return sendQ.free();
        }
    }

    /** Bytes received in order and not yet read. */
    int receiveQueued() {
        synchronized (lock) {
            return recvQ.size();
        }
    }

    /** Room in the receive queue; application threads may read meanwhile, which only adds room. */
    int receiveFree() {
        synchronized (lock) {
            return recvQ.free();
        }
    }

    /** Loop-side RECEIVE (RFC 9293 3.10.3): copies up to {@code len} received bytes out. */
    int read(byte[] dst, int off, int len) {
        synchronized (lock) {
            return recvQ.read(dst, off, len);
        }
    }

    /** Loop-side SEND (RFC 9293 3.10.2): appends up to {@code len} bytes, returns how many fitted. */
    int write(byte[] src, int off, int len) {
        synchronized (lock) {
            return sendQ.write(src, off, len);
        }
    }

    /**
     * SEG.ACK acknowledged {@code acked} sequence numbers of data: drops up to that many bytes
     * from the front of the send queue and returns how many it dropped. Wakes a writer once a
     * third of the queue is free, not for every ACK (like Linux's sk_stream_wspace).
     */
    int discardAcknowledged(int acked) {
        synchronized (lock) {
            int dataAcked = Math.min(acked, sendQ.size());
            sendQ.discard(dataAcked);
            if (writeWanted && sendQ.free() >= sendQ.capacity() / 3) {
                writeWanted = false;
                lock.notifyAll();
            }
            return dataAcked;
        }
    }

    /** Stores out-of-order segment text {@code offset} bytes past RCV.NXT, not yet readable. */
    void storeOutOfOrder(int offset, ByteBuffer src, int srcPos, int len) {
        synchronized (lock) {
            recvQ.writeAt(offset, src, srcPos, len);
        }
    }

    /**
     * Stores in-order segment text at RCV.NXT and makes {@code n} bytes readable (the text
     * plus any out-of-order bytes it joined). {@code discard}: the application closed, so the
     * data is acknowledged and dropped. Wakes a reader sleeping on an empty queue, once.
     */
    void deliverInOrder(ByteBuffer src, int srcPos, int len, int n, boolean discard) {
        synchronized (lock) {
            recvQ.writeAt(0, src, srcPos, len);
            recvQ.commit(n);
            appRoom -= n;
            if (discard) {
                recvQ.discard(recvQ.size());
            }
            if (readWanted) {
                readWanted = false;
                lock.notifyAll();
            }
        }
    }

    /** An ACK left advertising {@code room} bytes beyond RCV.NXT (lastEdge - RCV.NXT). */
    void windowAdvertised(long room) {
        synchronized (lock) {
            appRoom = room;
        }
    }

    /** Tells waiting application threads what they may do now; wakes them when it changed. */
    void publish(boolean writable, boolean ended) {
        synchronized (lock) {
            if (writable != appWritable || ended != appEnded) {
                appWritable = writable;
                appEnded = ended;
                if (readWanted || writeWanted) {
                    readWanted = false;
                    writeWanted = false;
                    lock.notifyAll();
                }
            }
        }
    }

    // ================================================================ application threads (NtmSocket)

    /**
     * Application thread, {@link #lock} held: copies received bytes (count > 0), 0 when
     * none are there yet, {@link #ASK_LOOP} when the stream ended or failed (the loop's
     * {@link TcpConnection#read} says which). Asks the loop for a window update only when the
     * read opened the window enough for the connection's window update after a read to send one.
     */
    int appRead(byte[] dst, int off, int len) {
        int n = recvQ.read(dst, off, len);
        if (n == 0) {
            return appEnded ? ASK_LOOP : 0;
        }
        long free = recvQ.free();
        long room = Math.max(0, appRoom);
        if (free - room >= Math.min(recvQ.capacity() / 2, ourMss) && free >= 2 * room
                && windowQueued.compareAndSet(false, true)) {
            loop.execute(windowTask);
        }
        return n;
    }

    /** Application thread, {@link #lock} held: bytes that {@link #appRead} returns at once. */
    int appAvailable() {
        return recvQ.size();
    }

    /**
     * Application thread, {@link #lock} held: queues bytes (count > 0), 0 when the queue
     * is full, {@link #ASK_LOOP} when the connection takes no data now (the loop's
     * {@link TcpConnection#write} says why). Call {@link #appFlush} after releasing the lock.
     */
    int appWrite(byte[] src, int off, int len) {
        if (!appWritable) {
            return ASK_LOOP;
        }
        return sendQ.write(src, off, len);
    }

    /** Application thread, after {@link #appWrite} queued bytes: one pending output task per connection. */
    void appFlush() {
        if (flushQueued.compareAndSet(false, true)) {
            loop.execute(flushTask);
        }
    }

    /** Application thread, {@link #lock} held: sleeps until data arrives or the stream ends (0 = no limit). */
    void appAwaitReadable(long millis) throws InterruptedException {
        readWanted = true;
        lock.wait(millis);
    }

    /** Application thread, {@link #lock} held: sleeps until a third of the send queue is free or writing ends. */
    void appAwaitWritable() throws InterruptedException {
        writeWanted = true;
        lock.wait();
    }

    /** Any thread: wakes every application thread sleeping on this connection (socket closed, input shut down). */
    void appWakeAll() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
