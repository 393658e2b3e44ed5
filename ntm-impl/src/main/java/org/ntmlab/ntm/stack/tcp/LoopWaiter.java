package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * How an application thread talks to the TCP on the event loop: run a step on the loop
 * and get its result ({@link #call}), or repeat a step until it has a result, sleeping
 * between tries until the loop signals a change ({@link #await}). Signals are counted, so
 * one that arrives between the step and the sleep is not lost.
 */
final class LoopWaiter {

    /** A step that runs on the loop; returns null to mean "not yet". */
    @FunctionalInterface
    interface LoopOp<T> {
        T run() throws IOException;
    }

    private final EventLoop loop;
    private final Object lock = new Object();
    private long events;
    private boolean closed;
    /** Threads inside {@link #await}: signals with none there skip the monitor (the connection signals every segment). */
    private final AtomicInteger awaiting = new AtomicInteger();

    LoopWaiter(EventLoop loop) {
        this.loop = loop;
    }

    /** Wakes waiters. Any thread (the connection callback calls it on the loop). */
    void signal() {
        if (awaiting.get() == 0) {
            return; // an await that starts later reads the state after this change
        }
        synchronized (lock) {
            events++;
            lock.notifyAll();
        }
    }

    /** Marks the socket closed and wakes every waiter, which then throws "Socket closed". */
    void close() {
        synchronized (lock) {
            closed = true;
            events++;
            lock.notifyAll();
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Runs {@code op} on the loop and returns its result. */
    <T> T call(LoopOp<T> op) throws IOException {
        if (loop.inLoop()) {
            return op.run();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(op.run());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new SocketException("virtual network stopped");
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IOException(c);
        }
    }

    /**
     * Repeats {@code op} on the loop until it returns non-null. {@code timeoutMillis} 0
     * waits forever; on expiry throws {@link SocketTimeoutException} with {@code what}.
     */
    <T> T await(LoopOp<T> op, long timeoutMillis, String what) throws IOException {
        if (loop.inLoop()) {
            throw new IllegalStateException("blocking socket call on the event loop thread");
        }
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        awaiting.incrementAndGet();
        try {
            return awaitLoop(op, deadline, what);
        } finally {
            awaiting.decrementAndGet();
        }
    }

    private <T> T awaitLoop(LoopOp<T> op, long deadline, String what) throws IOException {
        while (true) {
            long seen;
            synchronized (lock) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                seen = events;
            }
            T r = call(op);
            if (r != null) {
                return r;
            }
            synchronized (lock) {
                while (events == seen) {
                    if (deadline == 0) {
                        waitOn(0);
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new SocketTimeoutException(what);
                        }
                        waitOn(Math.max(1, left / 1_000_000L));
                    }
                }
            }
        }
    }

    private void waitOn(long millis) throws InterruptedIOException {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
