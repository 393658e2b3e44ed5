package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Bulk TCP echo (2.6 MB each way, both ends' buffers filling up) while the MN's link goes away
 * for 60 ms and it reappears behind another NAT, as in the Docker lab's moves. Found a deadlock:
 * with both receive windows full, each end dropped the other's ACKs as unacceptable segments
 * (RFC 9293 3.10.7.4 asks to accept valid ACKs even at zero window). On failure it prints both
 * ends' TCP sequence state.
 */
class BulkEchoAcrossMovesTest {
    @Test
    void bulkEchoAcrossMoveWithLinkGap() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn", lab.p2, "10.2.0.10");
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            for (int round = 0; round < 8; round++) {
                final int r = round;
                Thread mover = new Thread(() -> {
                    try {
                        Thread.sleep(100);
                        var h = lab.hosts.get("mn");
                        String old = h.localAddresses().get(0).getHostAddress();
                        h.detach(old);
                        Thread.sleep(60);
                        if (r % 2 == 0) {
                            h.attach(lab.p1, "10.1.0." + (20 + r));
                        } else {
                            h.attach(lab.p2, "10.2.0." + (20 + r));
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                mover.start();
                String res;
                try {
                    res = new ControlHandler(mn)
                        .handle("tcp-echo " + cn.virtualV4().getHostAddress() + " 7 2624120");
                } catch (Exception e) {
                    res = "EXC " + e;
                    for (NtmNode n : new NtmNode[] {mn, cn}) {
                        java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
                        n.loop().execute(() -> {
                            StringBuilder sb = new StringBuilder(n.fqdn() + " " + n.tcp().stats() + "\n");
                            for (var c : n.tcp().connections()) sb.append("  ").append(c.debugState()).append("\n");
                            f.complete(sb.toString());
                        });
                        System.out.println(f.get());
                        System.out.println(n.counters() + " " + n.tunnels().get());
                    }
                }
                mover.join();
                assertThat(res).as("round %d", r).startsWith("OK bytes=2624120 received=2624120 intact=true");
            }
        }
    }
}
