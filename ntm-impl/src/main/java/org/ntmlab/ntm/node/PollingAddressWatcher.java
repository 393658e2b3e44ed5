package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.transport.Network;

/**
 * Notices changes of the host's real addresses by polling (the fallback where netlink is
 * not available; paper section 4.2: NTMfw watches its IP addresses). Runs on the node's loop.
 */
public final class PollingAddressWatcher implements AutoCloseable {

    private final NtmNode node;
    private final Network network;
    private final long periodNanos;
    private Set<InetAddress> last;
    private volatile boolean closed;

    public PollingAddressWatcher(NtmNode node, Network network, long periodMillis) {
        this.node = node;
        this.network = network;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        node.loop().execute(() -> {
            last = snapshot();
            schedule();
        });
    }

    private Set<InetAddress> snapshot() {
        List<InetAddress> now = network.localAddresses();
        Set<InetAddress> s = new HashSet<>(now);
        s.removeIf(InetAddress::isLoopbackAddress);
        return s;
    }

    private void schedule() {
        node.loop().schedule(periodNanos, () -> {
            if (closed) {
                return;
            }
            Set<InetAddress> now = snapshot();
            if (!now.equals(last)) {
                last = now;
                node.addressesChanged();
            }
            schedule();
        });
    }

    @Override
    public void close() {
        closed = true;
    }
}
