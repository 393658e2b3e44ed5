package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.stack.Ip;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 11, finding 3 (inner source spoofing): a node accepted any inner source address from a
 * tunnel, so a peer could pose as any other node. Three datagrams {@code src=bob:7 -> alice:7}
 * sent by mallory through her tunnel to alice started an alice <-> bob echo loop (351k packets in
 * 6 s). Now alice drops inner packets whose source is not the tunnel's peer (cryptokey routing),
 * and the echo service never answers a port below 1024.
 */
class SpoofedSourceMemoryTest {

    @Test
    void aPeerCannotPoseAsAnotherNodeNorStartAnEchoLoop() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode alice = lab.node("alice", lab.global4, "198.51.100.31");
            NtmNode bob = lab.node("bob", lab.global4, "198.51.100.32");
            NtmNode mallory = lab.node("mallory", lab.global4, "198.51.100.66");
            alice.resolve(bob.fqdn()).get(5, TimeUnit.SECONDS); // alice and bob talk: a loop could run
            mallory.resolve(alice.fqdn()).get(5, TimeUnit.SECONDS);

            long bobBefore = bob.stack().counters().rxPackets;
            for (int i = 0; i < 3; i++) {
                sendUdp(mallory, bob.virtualV4(), alice.virtualV4(), NtmNode.ECHO_PORT);
            }
            Thread.sleep(1000);
            assertThat(alice.counters().get("spoofedSource")).as("spoofed datagrams dropped").isEqualTo(3);
            assertThat(bob.stack().counters().rxPackets - bobBefore).as("nothing reached bob: no loop").isZero();

            // from mallory's own address but from port 7: not answered (no loop between two echo services)
            sendUdp(mallory, mallory.virtualV4(), alice.virtualV4(), NtmNode.ECHO_PORT);
            Thread.sleep(300);
            assertThat(alice.counters().get("echoPrivilegedSource")).isEqualTo(1);
            // and the echo still answers an ordinary client
            Table1MemoryTest.echo(mallory, alice.virtualV4(), "an ordinary echo");
            Table1MemoryTest.echo(alice, bob.virtualV4(), "alice and bob still talk");
        }
    }

    /** A UDP datagram (port 7 -> {@code dstPort}) with the inner source {@code src}, as a modified node can send. */
    private static void sendUdp(NtmNode from, InetAddress src, InetAddress dst, int dstPort) throws Exception {
        ByteBuffer seg = ByteBuffer.allocate(Ip.UDP_HEADER + 4);
        seg.putShort((short) NtmNode.ECHO_PORT).putShort((short) dstPort).putShort((short) seg.capacity())
                .putShort((short) 0).put("loop".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
        CompletableFuture.runAsync(() -> from.stack().sendTransport(Ip.PROTO_UDP, src, dst, seg), from.loop()::execute)
                .get(2, TimeUnit.SECONDS);
    }
}
