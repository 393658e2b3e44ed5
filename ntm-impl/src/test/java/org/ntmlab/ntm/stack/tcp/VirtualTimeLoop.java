package org.ntmlab.ntm.stack.tcp;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * Test-only {@link EventLoop} with a virtual clock: the test thread drives it, time jumps
 * straight to the next timer, so minutes of TCP timers run in milliseconds and every run
 * is deterministic.
 */
public final class VirtualTimeLoop implements EventLoop {

    private static final class Task implements Timer, Comparable<Task> {
        final long at;
        final long seq;
        final Runnable r;
        boolean cancelled;

        Task(long at, long seq, Runnable r) {
            this.at = at;
            this.seq = seq;
            this.r = r;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final Thread owner = Thread.currentThread();
    private long now = TimeUnit.SECONDS.toNanos(1000);
    private long seq;
    private long tasksRun;

    @Override
    public void execute(Runnable task) {
        queue.add(new Task(now, seq++, task));
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        queue.add(t);
        return t;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void close() {
        queue.clear();
    }

    public long tasksRun() {
        return tasksRun;
    }

    /** Runs one due task (advancing the clock to it). False when nothing is queued. */
    public boolean step() {
        Task t;
        do {
            t = queue.poll();
            if (t == null) {
                return false;
            }
        } while (t.cancelled);
        now = Math.max(now, t.at);
        tasksRun++;
        t.r.run();
        return true;
    }

    /** Runs tasks until {@code done} holds; fails if it does not within {@code maxNanos} of virtual time. */
    public void runUntil(BooleanSupplier done, long maxNanos) {
        long limit = now + maxNanos;
        while (!done.getAsBoolean()) {
            Task head = peekLive();
            if (head == null) {
                throw new AssertionError("event loop idle before condition held (t=" + now + ")");
            }
            if (head.at > limit) {
                now = limit;
                throw new AssertionError("condition not met within " + TimeUnit.NANOSECONDS.toMillis(maxNanos)
                        + " ms of virtual time");
            }
            step();
        }
    }

    public void runUntil(BooleanSupplier done) {
        runUntil(done, TimeUnit.MINUTES.toNanos(10));
    }

    /** Runs everything due in the next {@code nanos} and leaves the clock there. */
    public void runFor(long nanos) {
        long limit = now + nanos;
        while (true) {
            Task head = peekLive();
            if (head == null || head.at > limit) {
                break;
            }
            step();
        }
        now = limit;
    }

    public void runForMillis(long ms) {
        runFor(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private Task peekLive() {
        Task t;
        while ((t = queue.peek()) != null && t.cancelled) {
            queue.poll();
        }
        return t;
    }
}
