package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The kernel tells us about an address change at once: adding and removing a loopback
 * address (127.0.0.42 on lo; no traffic is sent) must each raise a notification.
 */
class NetlinkAddressWatcherTest {

    @Test
    void addingAndRemovingAnAddressIsNotified() throws Exception {
        assumeTrue(NetlinkAddressWatcher.available(), "netlink needs Linux");
        assumeTrue("root".equals(System.getProperty("user.name")), "changing addresses needs root");
        CountDownLatch added = new CountDownLatch(1);
        CountDownLatch removed = new CountDownLatch(2);
        try (NetlinkAddressWatcher w = new NetlinkAddressWatcher(() -> {
            added.countDown();
            removed.countDown();
        })) {
            run("ip", "addr", "add", "127.0.0.42/32", "dev", "lo");
            try {
                assertThat(added.await(2, TimeUnit.SECONDS)).as("RTM_NEWADDR seen").isTrue();
            } finally {
                run("ip", "addr", "del", "127.0.0.42/32", "dev", "lo");
            }
            assertThat(removed.await(2, TimeUnit.SECONDS)).as("RTM_DELADDR seen").isTrue();
            assertThat(w.notifications()).isGreaterThanOrEqualTo(2);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
