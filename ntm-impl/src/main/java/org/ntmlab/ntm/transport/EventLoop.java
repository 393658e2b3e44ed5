package org.ntmlab.ntm.transport;

import java.util.concurrent.Executor;

/**
 * One thread that runs everything a node (or server) does: packet handling, timers and
 * signalling state machines. Code that runs on the loop needs no locks; other threads hand
 * work over with {@link #execute(Runnable)}.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /** Runs {@code task} on the loop thread, after the tasks already queued. Thread-safe. */
    @Override
    void execute(Runnable task);

    /** Runs {@code task} on the loop thread after {@code delayNanos}. Thread-safe. */
    Timer schedule(long delayNanos, Runnable task);

    /** Monotonic clock the loop's timers use, in nanoseconds. */
    long nanoTime();

    /** True when called from this loop's thread. */
    boolean inLoop();

    @Override
    void close();

    /** A scheduled task that can be cancelled before it runs. */
    interface Timer {
        void cancel();
    }
}
