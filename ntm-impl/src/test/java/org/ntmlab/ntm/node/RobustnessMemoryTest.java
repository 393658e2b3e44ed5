package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Servers and nodes never die from input: an attacker on the global segment sprays junk,
 * well-formed headers with bad tags, and messages for unknown tunnels at the DC, the RS and
 * a node; each is counted and dropped, and the service keeps working.
 */
class RobustnessMemoryTest {

    @Test
    void junkIsCountedAndDroppedAndEveryoneKeepsWorking() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn-g4", lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn-v6", lab.global6, "2001:db8::41");
            TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);

            MemoryHost evil = lab.net.host("attacker").attach(lab.global4, "198.51.100.66");
            SelectorEventLoop loop = lab.loop("attacker");
            DatagramEndpoint ep = evil.open(new InetSocketAddress("0.0.0.0", 5555), loop, (p, f, v) -> { });
            InetSocketAddress[] targets = {new InetSocketAddress("198.51.100.10", MemoryLab.DC_PORT),
                    new InetSocketAddress("198.51.100.20", MemoryLab.RS_PORT),
                    new InetSocketAddress("198.51.100.31", 7200)};
            Random rnd = new Random(9);
            int[] types = {MessageType.REGISTER, MessageType.DIRECTION_REQUEST, MessageType.RELAY_AUTHORISE,
                    MessageType.RELAY_BIND, MessageType.DATA, MessageType.TUNNEL_REQUEST, 0x77};
            loop.execute(() -> {
                for (int i = 0; i < 3000; i++) {
                    byte[] junk = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(junk);
                    ByteBuffer b = ByteBuffer.wrap(junk);
                    if (i % 2 == 0 && junk.length >= NtmHeader.LENGTH) { // well-formed header, forged body
                        NtmHeader.write(b, 0, types[i % types.length], 1, 0,
                                i % 3 == 0 ? t.tunnelId() : rnd.nextLong(), rnd.nextInt(1000) + 1);
                    }
                    ep.send(b, targets[i % targets.length]);
                }
            });
            Thread.sleep(1500);
            assertThat(lab.dc.counters().snapshot()).containsKeys("badVersion");
            assertThat(lab.rs.counters().get("unauthorisedTunnel") + lab.rs.counters().get("unboundSource"))
                    .isPositive();
            assertThat(mn.counters().snapshot().keySet()).anyMatch(k -> k.startsWith("tunnel") || k.equals(
                    "unknownTunnel"));
            // still working: existing tunnel, and a new registration and tunnel
            Table1MemoryTest.echo(mn, cn.virtualV4(), "after the storm");
            NtmNode late = lab.node("cn-p1", lab.p1, "10.1.0.10");
            mn.resolve(late.fqdn()).get(5, TimeUnit.SECONDS);
            Table1MemoryTest.echo(mn, late.virtualV6(), "new tunnel after the storm");
        }
    }

    /** The RS is never an open relay: traffic for a tunnel from an unbound address goes nowhere. */
    @Test
    void relayForwardsOnlyFromBoundEnds() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode mn = lab.node("mn-g4", lab.global4, "198.51.100.31");
            NtmNode cn = lab.node("cn-v6", lab.global6, "2001:db8::41");
            TunnelInfo t = mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS);
            assertThat(t.path()).isEqualTo("relay");
            long before = lab.rs.counters().get("relayed");
            MemoryHost evil = lab.net.host("attacker").attach(lab.global4, "198.51.100.66");
            SelectorEventLoop loop = lab.loop("attacker");
            DatagramEndpoint ep = evil.open(new InetSocketAddress("0.0.0.0", 5555), loop, (p, f, v) -> { });
            loop.execute(() -> {
                for (int flags : new int[] {0, NtmHeader.FLAG_INITIATOR}) {
                    ByteBuffer b = ByteBuffer.allocate(100);
                    NtmHeader.write(b, 0, MessageType.DATA, 1, flags | NtmHeader.FLAG_RELAYED, t.tunnelId(), 99);
                    ep.send(b, new InetSocketAddress("198.51.100.20", MemoryLab.RS_PORT));
                }
            });
            Thread.sleep(300);
            assertThat(lab.rs.counters().get("unboundSource")).isEqualTo(2);
            assertThat(lab.rs.counters().get("relayed")).isEqualTo(before);
        }
    }
}
