package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Issue 11 finding 6 (federation starvation): a message under an unknown DC session id costs the
 * DC an HKDF per peer secret, so such trials are capped; the cap was one global budget (100/s),
 * and 8.4k/s of 44-byte junk made 3 of 3 cross-domain resolves fail. Here junk of that shape
 * floods both DCs, from one source and from many (spoofed) sources, while the MN resolves three
 * CNs of the other domain and echoes to each: every resolve and echo must work.
 */
class FederationStarvationMemoryTest {

    static final String A = InterDomainLab.DOMAIN_A;
    static final String B = InterDomainLab.DOMAIN_B;
    /** Junk datagrams per DC per burst; a burst every {@link #BURST_MS} ms: 5,000/s at each DC. */
    static final int PER_BURST = 25;
    static final int BURST_MS = 5;

    @ParameterizedTest(name = "{0} junk source(s)")
    @ValueSource(ints = {1, 120})
    void junkUnderUnknownSessionsDoesNotStarveCrossDomainResolves(int sources) throws Exception {
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM);
             SelectorEventLoop evil = new SelectorEventLoop("attacker")) {
            NtmNode mn = lab.node("mn", A, lab.global4, "198.51.100.31");
            List<NtmNode> cns = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                cns.add(lab.node("cn" + i, B, lab.global4, "198.51.100.4" + i));
            }
            List<DatagramEndpoint> from = new ArrayList<>();
            for (int i = 0; i < sources; i++) {
                String a = "198.51.100." + (120 + i);
                MemoryHost attacker = lab.net.host("attacker-" + i).attach(lab.global4, a);
                from.add(attacker.open(new InetSocketAddress(a, 7000), evil, (p, f, v) -> { }));
            }
            InetSocketAddress[] dcs = {lab.dcAddresses.get(A)[0], lab.dcAddresses.get(B)[0]};
            SplittableRandom rnd = new SplittableRandom(6);
            int[] next = {0};
            Runnable[] burst = new Runnable[1];
            burst[0] = () -> {
                for (InetSocketAddress dc : dcs) {
                    for (int i = 0; i < PER_BURST; i++) {
                        ByteBuffer b = ByteBuffer.allocate(44); // the audit's size: header + 24 bytes
                        NtmHeader.write(b, 0, MessageType.DC_QUERY, 1, 0, rnd.nextLong(), 1);
                        from.get(next[0]++ % from.size()).send(b, dc);
                    }
                }
                evil.schedule(TimeUnit.MILLISECONDS.toNanos(BURST_MS), burst[0]);
            };
            evil.execute(burst[0]);
            Thread.sleep(1500); // the flood is on: both DCs' trial budgets are spent

            for (NtmNode cn : cns) {
                TunnelInfo t = mn.resolve(cn.fqdn()).get(15, TimeUnit.SECONDS);
                assertThat(t.peerVirtualV4()).as(cn.fqdn()).isEqualTo(cn.virtualV4());
                String echo = new ControlHandler(mn).handle("udp-echo " + cn.fqdn() + " 7 5 100");
                assertThat(echo).as(cn.fqdn()).startsWith("OK sent=5 received=5");
            }
            for (String d : List.of(A, B)) {
                long refused = lab.dc(d).counters().get("dcTrialLimited")
                        + lab.dc(d).counters().get("dcTrialSourceLimited");
                assertThat(refused).as("the flood reached DC " + d + " and was refused: " + lab.dc(d).counters())
                        .isGreaterThan(1000);
            }
        }
    }
}
