package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmDatagramSocket;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.TunnelInfo;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Network;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Regression test for an ntm-impl mobility bug found by these scenarios (fixed in NtmNode).
 *
 * <p>A genuine DATA packet the MN sent from its old address, delayed in the old access network,
 * reaches the CN after the MN has moved and the CN has roamed to the new address. It is
 * authenticated and its counter is inside the replay window, so {@code node.TunnelReceive}
 * roams the CN back to the old address: everything the CN sends goes there and is lost until the
 * MN happens to send again (for an MN that only receives, until its next keepalive PROBE, 10 s).
 * The fix: roam only on a packet whose counter is higher than any received before on the
 * tunnel, as QUIC does (RFC 9000 section 9.3: "only ... in response to the highest-numbered
 * non-probing packet").
 */
class DelayedPacketRoamsBackTest {

    @Test
    void aDelayedPacketFromTheOldAddressDoesNotMoveThePeerBack() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode cn = lab.node("cn", lab.global4, "198.51.100.41");
            MemoryHost host = lab.net.host("mn").attach(lab.global4, "198.51.100.31");
            AtomicBoolean holdNext = new AtomicBoolean();
            AtomicReference<byte[]> held = new AtomicReference<>();
            NtmNode mn = node(lab, host, (type, bytes) -> {
                if (type == MessageType.DATA && holdNext.compareAndSet(true, false)) {
                    held.set(bytes);
                    return true;
                }
                return false;
            });
            TunnelInfo t = mn.resolve(cn.fqdn()).get(10, TimeUnit.SECONDS);
            try (NtmDatagramSocket udp = new NtmDatagramSocket(mn, 0)) {
                udp.setSoTimeout(2_000);
                echo(udp, cn.virtualV4());

                holdNext.set(true); // the old network keeps the next DATA in a queue
                udp.send(new DatagramPacket(new byte[] {1}, 1, cn.virtualV4(), NtmNode.ECHO_PORT));
                awaitHeld(held);

                host.moveTo(lab.global4, "198.51.100.32");
                echo(udp, cn.virtualV4()); // the CN roams to .32
                assertThat(endpoint(cn, t.tunnelId())).isEqualTo(new InetSocketAddress("198.51.100.32", 7200));

                // ... and now the old network delivers the queued packet, from the old address
                long rxBefore = info(cn, t.tunnelId()).rxPackets();
                MemoryHost oldNetwork = lab.net.host("old-queue").attach(lab.global4, "198.51.100.31");
                SelectorEventLoop loop = lab.loop("old-queue");
                DatagramEndpoint ep = oldNetwork.open(new InetSocketAddress("0.0.0.0", 7200), loop, (p, f, v) -> { });
                loop.execute(() -> ep.send(ByteBuffer.wrap(held.get()), new InetSocketAddress("198.51.100.41", 7200)));
                TunnelInfo after = info(cn, t.tunnelId());
                for (int i = 0; i < 400 && after.rxPackets() == rxBefore; i++) {
                    Thread.sleep(5);
                    after = info(cn, t.tunnelId());
                }
                assertThat(after.rxPackets()).as("the CN accepted the late packet (authentic, in the replay window)")
                        .isEqualTo(rxBefore + 1);
                // the snapshot is taken on the CN's loop right after it processed the packet
                assertThat(after.peerEndpoint())
                        .as("the CN must keep sending to the MN's new address after an old, delayed packet")
                        .isEqualTo(new InetSocketAddress("198.51.100.32", 7200));
            } finally {
                mn.close();
            }
        }
    }

    /** Decides, per outbound NTM message of the MN (type, bytes), whether the network swallows it. */
    interface Swallow {
        boolean test(int type, byte[] bytes);
    }

    /** An MN {@code mn.ntm.example} whose network may swallow outbound messages (a queue or a loss in the old network). */
    static NtmNode node(MemoryLab lab, MemoryHost host, Swallow swallow) throws Exception {
        Network holding = new Network() {
            @Override
            public DatagramEndpoint open(InetSocketAddress bind, EventLoop loop, DatagramEndpoint.Receiver r) {
                DatagramEndpoint d = host.open(bind, loop, r);
                return new DatagramEndpoint() {
                    @Override
                    public boolean send(ByteBuffer payload, InetSocketAddress to) {
                        if (payload.remaining() > NtmHeader.LENGTH) {
                            byte[] copy = new byte[payload.remaining()];
                            payload.duplicate().get(copy);
                            if (swallow.test(NtmHeader.type(payload, payload.position()), copy)) {
                                return true;
                            }
                        }
                        return d.send(payload, to);
                    }

                    @Override
                    public InetSocketAddress localAddress() {
                        return d.localAddress();
                    }

                    @Override
                    public void close() {
                        d.close();
                    }
                };
            }

            @Override
            public List<InetAddress> localAddresses() {
                return host.localAddresses();
            }
        };
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        NodeKey key = new NodeKey(new SecureRandom().nextLong(), "mn." + MemoryLab.DOMAIN, secret);
        lab.keys.put(key.keyId(), key);
        NtmNode n = new NtmNode(new NodeConfig(new InetSocketAddress("198.51.100.10", MemoryLab.DC_PORT),
                new InetSocketAddress("2001:db8::10", MemoryLab.DC_PORT), 7200, lab.suite), key, holding,
                lab.loop("mn"));
        host.onAddressChange(n::addressesChanged);
        n.start().get(10, TimeUnit.SECONDS);
        return n;
    }

    private static void echo(NtmDatagramSocket udp, InetAddress to) throws Exception {
        byte[] out = {42};
        udp.send(new DatagramPacket(out, 1, to, NtmNode.ECHO_PORT));
        DatagramPacket in = new DatagramPacket(new byte[16], 16);
        udp.receive(in);
        assertThat(in.getData()[0]).isEqualTo((byte) 42);
    }

    private static void awaitHeld(AtomicReference<byte[]> held) throws InterruptedException {
        for (int i = 0; i < 200 && held.get() == null; i++) {
            Thread.sleep(5);
        }
        assertThat(held.get()).as("a DATA packet was held back").isNotNull();
    }

    private static InetSocketAddress endpoint(NtmNode node, long tunnelId) throws Exception {
        return info(node, tunnelId).peerEndpoint();
    }

    static TunnelInfo info(NtmNode node, long tunnelId) throws Exception {
        return node.tunnels().get(5, TimeUnit.SECONDS).stream().filter(x -> x.tunnelId() == tunnelId)
                .findFirst().orElseThrow();
    }
}
