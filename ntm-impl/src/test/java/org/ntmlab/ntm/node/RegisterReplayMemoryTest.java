package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ntmlab.ntm.node.DcRestartMemoryTest.awaitTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.Association;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.NatBehaviour;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.wire.Register;

/**
 * Issue 11, finding 2 (registration hijack by replay): a REGISTER recorded in an earlier
 * session, replayed from another address after the victim logged in again, was accepted and
 * the attacker received the victim's ROUTE_DIRECTIONs. Now a login revokes the older key (the
 * DC finds nothing to open the replay with), and a REGISTER sent long ago is refused even under
 * the current key by a DC that restarted and holds no replay window for it.
 */
class RegisterReplayMemoryTest {

    private static final InetSocketAddress DC = new InetSocketAddress("198.51.100.10", MemoryLab.DC_PORT);

    @Test
    void aRegisterOfAnEarlierSessionReplayedLaterTakesNothing() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            AtomicReference<byte[]> recorded = new AtomicReference<>();
            lab.net.tap((host, src, dst, payload) -> {
                if (host.equals("dc") && src.getAddress().getHostAddress().equals("198.51.100.31")
                        && NtmHeader.type(ByteBuffer.wrap(payload), 0) == MessageType.REGISTER) {
                    recorded.compareAndSet(null, payload.clone());
                }
            });
            NtmNode victim = lab.node("victim", lab.global4, "198.51.100.31");
            assertThat(recorded.get()).as("a REGISTER of the first session was recorded").isNotNull();
            NtmNode victim2 = lab.restartNode("victim"); // logs in again: a new key
            NtmNode friend = lab.node("friend", lab.global4, "198.51.100.32");

            Attacker mallory = new Attacker(lab);
            mallory.send(ByteBuffer.wrap(recorded.get()));
            Thread.sleep(500);
            assertThat(mallory.received.get()).as("nothing for the attacker").isZero();
            assertThat(lab.dc.counters().get("registered")).isEqualTo(3); // victim, victim again, friend
            // the victim's session is where it was: a peer reaches it
            friend.resolve(victim2.fqdn()).get(5, TimeUnit.SECONDS);
            Table1MemoryTest.echo(friend, victim2.virtualV4(), "the victim is still the victim");
            assertThat(victim2.isRegistered()).isTrue();
        }
    }

    @Test
    void aRestartedDcRefusesARegisterSentLongAgoUnderTheCurrentKey() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode victim = lab.node("victim", lab.global4, "198.51.100.31");
            NodeKey key = lab.keys.values().stream().filter(k -> k.fqdn().equals(victim.fqdn())).findFirst()
                    .orElseThrow();
            lab.restartDc(); // no replay window for the victim's key any more
            Attacker mallory = new Attacker(lab);
            // what an attacker recorded two minutes ago (sealed with the victim's key, counter fresh)
            Register old = new Register(victim.fqdn(), List.of(InetAddress.getByName("198.51.100.31")),
                    List.of(new java.net.InetSocketAddress("198.51.100.31", 7200)),
                    System.currentTimeMillis() - 120_000);
            mallory.sendSealed(key, MessageType.REGISTER, old::encode);
            awaitTrue("the DC fetched the key and judged the REGISTER", 5000,
                    () -> lab.dc.counters().get("staleRegister") == 1);
            Thread.sleep(300);
            assertThat(mallory.received.get()).as("no REGISTER_ACK for the attacker").isZero();
        }
    }

    /** A host on the global segment with a raw socket: sends what it recorded or sealed itself, counts what comes back. */
    private static final class Attacker {
        final AtomicInteger received = new AtomicInteger();
        final SelectorEventLoop loop;
        final DatagramEndpoint raw;

        Attacker(MemoryLab lab) {
            loop = lab.loop("mallory");
            raw = lab.net.host("mallory").attach(lab.global4, "198.51.100.66")
                    .open(new InetSocketAddress("198.51.100.66", 7200), loop, (p, from, via) -> received.incrementAndGet());
        }

        void send(ByteBuffer datagram) throws Exception {
            CompletableFuture.runAsync(() -> raw.send(datagram, DC), loop::execute).get(2, TimeUnit.SECONDS);
        }

        void sendSealed(NodeKey key, int type, java.util.function.Consumer<ByteBuffer> body) throws Exception {
            Association a = Association.longLived(CipherSuite.AES_128_GCM, key.secret(), KeyLabels.NODE_TO_DC,
                    KeyLabels.DC_TO_NODE);
            CompletableFuture.runAsync(() -> new Outbox().send(raw, DC, a.send(), type, 0, key.keyId(), body),
                    loop::execute).get(2, TimeUnit.SECONDS);
        }
    }
}
