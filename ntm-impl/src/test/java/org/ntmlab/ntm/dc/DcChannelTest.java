package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * The DC <-> DC channel (docs/protocol.md, "Authentication between DCs"): keys bound to both
 * domains and the sender's session, replay window per session, freshness of {@code sent at},
 * a restarted peer (new session) accepted, another pair's traffic not.
 */
class DcChannelTest {

    static final String A = "a.ntm.example";
    static final String B = "b.ntm.example";
    static final String C = "c.ntm.example";

    final SecureRandom random = new SecureRandom();
    final byte[] secret = new byte[32];
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final AtomicLong nanos = new AtomicLong();
    final Counters countersA = new Counters();
    final Counters countersB = new Counters();
    final Capture wire = new Capture();
    DcChannel a;
    DcChannel b;

    @BeforeEach
    void setUp() {
        random.nextBytes(secret);
        a = channel(A, Map.of(B, secret), countersA);
        b = channel(B, Map.of(A, secret), countersB);
    }

    DcChannel channel(String self, Map<String, byte[]> peers, Counters c) {
        return new DcChannel(self, peers, CipherSuite.AES_128_GCM, random, c, clock::get, nanos::get);
    }

    byte[] sendFrom(DcChannel from, String to, long body) {
        from.send(wire, new InetSocketAddress("198.51.100.11", 7000), from.peer(to), MessageType.DC_QUERY,
                buf -> buf.putLong(body));
        return wire.last;
    }

    /** Opens in {@code at}; returns the body value, or null when dropped. */
    static Long open(DcChannel at, byte[] msg, String expectedPeer) {
        return open(at, msg, expectedPeer, PEER_DC);
    }

    /** The address the peer DC's messages come from in these tests. */
    static final InetAddress PEER_DC = address("198.51.100.10");

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** As {@link #open(DcChannel, byte[], String)}, the message coming from {@code from}. */
    static Long open(DcChannel at, byte[] msg, String expectedPeer, InetAddress from) {
        ByteBuffer plain = ByteBuffer.allocate(2048);
        DcChannel.Peer p = at.open(ByteBuffer.wrap(msg), plain, from);
        if (p == null) {
            return null;
        }
        assertThat(p.domain).isEqualTo(expectedPeer);
        return plain.getLong();
    }

    @Test
    void roundTripCarriesSessionIdInHeaderAndBody() {
        byte[] m = sendFrom(a, B, 42);
        assertThat(NtmHeader.id(ByteBuffer.wrap(m), 0)).isEqualTo(a.session());
        assertThat(NtmHeader.type(ByteBuffer.wrap(m), 0)).isEqualTo(MessageType.DC_QUERY);
        assertThat(open(b, m, A)).isEqualTo(42);
        assertThat(countersB.get("dcSessions")).isEqualTo(1);
        assertThat(open(b, sendFrom(a, B, 43), A)).isEqualTo(43);
        assertThat(countersB.get("dcSessions")).as("known session: no new trial").isEqualTo(1);
    }

    @Test
    void replayIsDroppedAndCounted() {
        byte[] m = sendFrom(a, B, 1);
        assertThat(open(b, m, A)).isEqualTo(1);
        assertThat(open(b, m, A)).isNull();
        assertThat(countersB.get("dcREPLAYED")).isEqualTo(1);
    }

    @Test
    void staleOrFutureMessagesAreDropped() {
        byte[] old = sendFrom(a, B, 1);
        clock.addAndGet(Dc.DC_FRESHNESS_MS + 1);
        assertThat(open(b, old, A)).isNull();
        assertThat(countersB.get("dcStale")).isEqualTo(1);
        assertThat(countersB.get("dcSessions")).as("a stale message installs no session").isZero();
        byte[] future = sendFrom(a, B, 2);
        clock.addAndGet(-2 * Dc.DC_FRESHNESS_MS - 10);
        assertThat(open(b, future, A)).isNull();
        assertThat(countersB.get("dcStale")).isEqualTo(2);
    }

    @Test
    void restartedPeerIsAcceptedUnderItsNewSession() {
        assertThat(open(b, sendFrom(a, B, 1), A)).isEqualTo(1);
        DcChannel a2 = channel(A, Map.of(B, secret), new Counters()); // DC a restarted: counter 1 again
        assertThat(a2.session()).isNotEqualTo(a.session());
        byte[] fresh = sendFrom(a2, B, 2);
        assertThat(NtmHeader.counter(ByteBuffer.wrap(fresh), 0)).isEqualTo(1);
        assertThat(open(b, fresh, A)).isEqualTo(2);
        assertThat(countersB.get("dcSessions")).isEqualTo(2);
        assertThat(open(b, sendFrom(a, B, 3), A)).as("the previous session still opens").isEqualTo(3);
    }

    @Test
    void wrongSecretIsBadAuth() {
        byte[] other = new byte[32];
        random.nextBytes(other);
        DcChannel impostor = channel(A, Map.of(B, other), new Counters());
        assertThat(open(b, sendFrom(impostor, B, 1), A)).isNull();
        assertThat(countersB.get("dcBAD_AUTH")).isEqualTo(1);
    }

    /** Domain names are in the key: a message from a to b means nothing to c, even with the same secret. */
    @Test
    void messageCannotBeSentOnToAnotherPairOrReflected() {
        Counters cc = new Counters();
        DcChannel c = channel(C, Map.of(A, secret), cc);
        DcChannel aAlsoC = channel(A, Map.of(B, secret, C, secret), new Counters());
        byte[] toB = sendFrom(aAlsoC, B, 1);
        assertThat(open(c, toB, A)).isNull();
        assertThat(cc.get("dcBAD_AUTH")).isEqualTo(1);
        // reflected back at its sender: a's receive key for b is b>a, not a>b
        assertThat(open(aAlsoC, toB, B)).isNull();
    }

    /** Junk under a new session id each time, from {@code from}. */
    private byte[] junk(int i) {
        byte[] m = sendFrom(a, B, 1).clone();
        ByteBuffer.wrap(m).putLong(4, 1000 + i); // unknown session each time: the tag will not match
        return m;
    }

    @Test
    void unknownSessionsAreTriedAtABoundedRate() {
        int[] pressure = {0};
        b.onPressure(() -> pressure[0]++);
        // strangers, each within its own share: together they spend the strangers' budget
        for (int i = 0; i < Dc.DC_KEY_TRIALS_PER_WINDOW + 10; i++) {
            assertThat(open(b, junk(i), A, address("203.0.113." + (i % 200 + 1)))).isNull();
        }
        assertThat(countersB.get("dcBAD_AUTH")).isEqualTo(Dc.DC_KEY_TRIALS_PER_WINDOW);
        assertThat(countersB.get("dcTrialLimited")).isEqualTo(10);
        assertThat(pressure[0]).as("the DC goes to locate its peers, once").isEqualTo(1);
        assertThat(countersB.get("dcTrialPressure")).isEqualTo(1);
        nanos.addAndGet(1_000_000_000L);
        assertThat(open(b, sendFrom(a, B, 5), A)).as("next second: trials again").isEqualTo(5);
    }

    /** Issue 11 finding 6: one source gets its share; a located peer DC has a budget junk cannot spend. */
    @Test
    void aStrangerGetsItsShareAndALocatedPeerItsOwnBudget() {
        InetAddress stranger = address("203.0.113.7");
        for (int i = 0; i < 50; i++) {
            assertThat(open(b, junk(i), A, stranger)).isNull();
        }
        assertThat(countersB.get("dcBAD_AUTH")).as("the stranger's burst").isEqualTo(Dc.DC_TRIAL_BURST_PER_STRANGER);
        assertThat(countersB.get("dcTrialSourceLimited")).isEqualTo(50 - Dc.DC_TRIAL_BURST_PER_STRANGER);
        // many strangers spend the shared budget ...
        for (int i = 0; i < 2 * Dc.DC_KEY_TRIALS_PER_WINDOW; i++) {
            open(b, junk(100 + i), A, address("203.0.113." + (i % 250 + 1)));
        }
        assertThat(open(b, sendFrom(a, B, 7), A, PEER_DC)).as("an unknown address is one more stranger").isNull();
        // ... but where DNS says domain A's DC is, trials go on
        b.located(A, List.of(new InetSocketAddress(PEER_DC, 7000)));
        assertThat(b.isPeerAddress(PEER_DC)).isTrue();
        assertThat(open(b, sendFrom(a, B, 8), A, PEER_DC)).isEqualTo(8);
        b.located("not-a-peer.example", List.of(new InetSocketAddress(stranger, 7000)));
        assertThat(b.isPeerAddress(stranger)).as("only domains we share a secret with").isFalse();
    }

    /** Records what is sent. */
    static final class Capture implements DatagramEndpoint {
        byte[] last;

        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            last = new byte[payload.remaining()];
            payload.get(last);
            return true;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("198.51.100.10", 7000);
        }

        @Override
        public void close() {
        }
    }
}
