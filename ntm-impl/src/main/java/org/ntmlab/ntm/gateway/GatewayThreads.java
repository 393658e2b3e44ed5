package org.ntmlab.ntm.gateway;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon thread pools for the gateways (two threads per bridged connection). */
final class GatewayThreads {
    private GatewayThreads() {
    }

    static ExecutorService pool(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
