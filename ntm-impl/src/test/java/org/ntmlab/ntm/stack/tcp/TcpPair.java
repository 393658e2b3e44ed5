package org.ntmlab.ntm.stack.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/** Two {@link TcpLayer}s on one {@link VirtualTimeLoop}, joined by a {@link MemoryLink}. */
final class TcpPair {
    final VirtualTimeLoop loop = new VirtualTimeLoop();
    final MemoryLink link;
    final InetAddress addrA;
    final InetAddress addrB;
    final TcpLayer a;
    final TcpLayer b;

    TcpPair(TcpConfig cfg, long seed) {
        this(cfg, cfg, seed, false);
    }

    TcpPair(TcpConfig cfgA, TcpConfig cfgB, long seed, boolean ipv6) {
        link = new MemoryLink(loop, seed).delay(TimeUnit.MILLISECONDS.toNanos(5), 0);
        addrA = ipv6 ? TestAddresses.v6("fd00::1") : TestAddresses.v4("100.64.0.1");
        addrB = ipv6 ? TestAddresses.v6("fd00::2") : TestAddresses.v4("100.64.0.2");
        a = new TcpLayer(loop, cfgA, link::transmit, r -> addrA);
        b = new TcpLayer(loop, cfgB, link::transmit, r -> addrB);
        link.attach(addrA, a).attach(addrB, b);
    }

    /** Opens a connection a -> b:port and returns {client, server} once both are established. */
    TcpConnection[] open(int port) {
        try {
            TcpListener l = b.listen(port);
            TcpConnection client = a.connect(addrB, port);
            TcpConnection[] server = new TcpConnection[1];
            loop.runUntil(() -> (server[0] = server[0] != null ? server[0] : l.accept()) != null
                    && client.state() == TcpState.ESTABLISHED, TimeUnit.MINUTES.toNanos(5));
            l.close();
            return new TcpConnection[] {client, server[0]};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void assertNoInternalErrors() {
        if (a.internalErrors() != 0 || b.internalErrors() != 0) {
            throw new AssertionError("internal errors: a=" + a.internalErrors() + " b=" + b.internalErrors());
        }
    }
}
