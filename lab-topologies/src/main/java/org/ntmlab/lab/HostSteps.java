package org.ntmlab.lab;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs one step on every host of a lab at once: starting, configuring and capturing while the lab
 * starts, stopping captures and saving logs when it closes. Each host's step touches only its
 * own container; one at a time they were half of a lab's start (issue 8: ~1.3 s of docker calls
 * per host).
 */
final class HostSteps {

    private HostSteps() {
    }

    /** Parallel docker calls; the engine, not this, is the limit beyond a few. */
    static final int THREADS = 4;

    /** Runs {@code step} for every host on a few threads; the first failure is rethrown once all are done. */
    static void inParallel(Collection<LabHost> hosts, Consumer<LabHost> step) {
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(THREADS, Math.max(1, hosts.size())), r -> {
                    Thread t = new Thread(r, "lab-host-step");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (LabHost h : List.copyOf(hosts)) {
                futures.add(pool.submit(() -> step.accept(h)));
            }
            RuntimeException first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (first == null) {
                        first = c instanceof RuntimeException re ? re : new LabException(c.toString(), c);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LabException("interrupted while the lab ran a step on every host");
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
