package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The kernel tells us about an address change at once: adding and removing a loopback
 * address (127.0.0.42 on lo; no traffic is sent) must each raise a notification, and a new
 * route (192.0.2.77/32, RFC 5737 documentation range, on lo) a route notification.
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
        }, () -> { })) {
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

    @Test
    void aNewRouteIsNotifiedApartFromAddresses() throws Exception {
        assumeTrue(NetlinkAddressWatcher.available(), "netlink needs Linux");
        assumeTrue("root".equals(System.getProperty("user.name")), "changing routes needs root");
        CountDownLatch route = new CountDownLatch(1);
        try (NetlinkAddressWatcher w = new NetlinkAddressWatcher(() -> { }, route::countDown)) {
            run("ip", "route", "add", "192.0.2.77/32", "dev", "lo");
            try {
                assertThat(route.await(2, TimeUnit.SECONDS)).as("RTM_NEWROUTE seen").isTrue();
            } finally {
                run("ip", "route", "del", "192.0.2.77/32", "dev", "lo");
            }
            assertThat(w.routeNotifications()).isGreaterThanOrEqualTo(1);
            assertThat(w.notifications()).as("a route is not an address change").isZero();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
