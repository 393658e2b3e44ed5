package org.ntmlab.ntm.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop of one node or server: a single thread blocked in {@link Selector#select}
 * that runs socket handlers, queued tasks and timers. A task that throws is logged and the
 * loop goes on: no input can stop a node (ARCHITECTURE.md, security model).
 */
public final class SelectorEventLoop implements EventLoop {

    private static final Logger LOG = LoggerFactory.getLogger(SelectorEventLoop.class);

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<ScheduledTask> timers = new PriorityQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean running = true;
    private long sequence;
    private long taskFailures;

    public SelectorEventLoop(String name) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open selector", e);
        }
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        ScheduledTask t = new ScheduledTask(System.nanoTime() + Math.max(0, delayNanos), task);
        if (inLoop()) {
            t.seq = sequence++;
            timers.add(t);
        } else {
            execute(() -> {
                t.seq = sequence++;
                timers.add(t);
            });
        }
        return t;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Number of tasks or handlers that threw (each was logged and skipped). */
    public long taskFailures() {
        return taskFailures;
    }

    /**
     * Registers {@code channel} for reads; {@code onReadable} runs on the loop each time the
     * channel is readable. Callable from any thread.
     */
    public CompletableFuture<SelectionKey> register(SelectableChannel channel, Consumer<SelectionKey> onReadable) {
        CompletableFuture<SelectionKey> done = new CompletableFuture<>();
        Runnable register = () -> {
            try {
                channel.configureBlocking(false);
                done.complete(channel.register(selector, SelectionKey.OP_READ, onReadable));
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        };
        if (inLoop()) {
            register.run(); // waiting for a task queued behind ourselves would deadlock
        } else {
            execute(register);
        }
        return done;
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run() {
        while (running) {
            try {
                long timeoutMs = runDueTimers();
                wakeupPending.set(false);
                if (!tasks.isEmpty()) {
                    selector.selectNow();
                } else if (timeoutMs < 0) {
                    selector.select();
                } else {
                    selector.select(Math.max(1, timeoutMs));
                }
                var keys = selector.selectedKeys();
                if (!keys.isEmpty()) {
                    for (var it = keys.iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.isValid() && key.isReadable()) {
                            safely(() -> ((Consumer<SelectionKey>) key.attachment()).accept(key));
                        }
                    }
                }
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    safely(task);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("event=loop-error loop={}", thread.getName(), e);
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Runs due timers; returns ms until the next timer, or -1 when none is pending. */
    private long runDueTimers() {
        long now = System.nanoTime();
        ScheduledTask t;
        while ((t = timers.peek()) != null && t.deadline <= now) {
            timers.poll();
            if (!t.cancelled) {
                safely(t.task);
            }
        }
        t = timers.peek();
        return t == null ? -1 : Math.max(1, (t.deadline - now) / 1_000_000);
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            taskFailures++;
            LOG.warn("event=task-failed loop={}", thread.getName(), e);
        }
    }

    private static final class ScheduledTask implements Timer, Comparable<ScheduledTask> {
        final long deadline;
        final Runnable task;
        long seq;
        volatile boolean cancelled;

        ScheduledTask(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(ScheduledTask o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
