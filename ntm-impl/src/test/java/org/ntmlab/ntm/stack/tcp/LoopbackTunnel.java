package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Test fixture: two {@link TcpLayer}s ("alice" 100.64.0.1 / fd00::1 and "bob" 100.64.0.2 /
 * fd00::2) on one real-time {@link ThreadLoop}, joined in memory, as if by an NTM tunnel.
 * {@link #resolver()} maps the two FQDNs to bob's or alice's virtual address.
 */
public final class LoopbackTunnel implements AutoCloseable {
    public static final InetAddress ALICE_V4 = TestAddresses.v4("100.64.0.1");
    public static final InetAddress BOB_V4 = TestAddresses.v4("100.64.0.2");
    public static final InetAddress ALICE_V6 = TestAddresses.v6("fd00::1");
    public static final InetAddress BOB_V6 = TestAddresses.v6("fd00::2");
    public static final String ALICE_FQDN = "alice.ntm.example";
    public static final String BOB_FQDN = "bob.ntm.example";

    public final ThreadLoop loop = new ThreadLoop("tunnel-loop");
    public final MemoryLink link;
    public final TcpLayer alice;
    public final TcpLayer bob;

    public LoopbackTunnel() {
        this(TcpConfig.defaults(), 0.0);
    }

    public LoopbackTunnel(TcpConfig cfg, double loss) {
        link = new MemoryLink(loop, 1).loss(loss).delay(TimeUnit.MICROSECONDS.toNanos(200), 0);
        alice = new TcpLayer(loop, cfg, link::transmit, r -> r.getAddress().length == 4 ? ALICE_V4 : ALICE_V6);
        bob = new TcpLayer(loop, cfg, link::transmit, r -> r.getAddress().length == 4 ? BOB_V4 : BOB_V6);
        link.attach(ALICE_V4, alice).attach(ALICE_V6, alice).attach(BOB_V4, bob).attach(BOB_V6, bob);
    }

    public Function<String, InetAddress> resolver() {
        Map<String, InetAddress> names = Map.of(ALICE_FQDN, ALICE_V4, BOB_FQDN, BOB_V4);
        return names::get;
    }

    @Override
    public void close() {
        loop.close();
    }
}
