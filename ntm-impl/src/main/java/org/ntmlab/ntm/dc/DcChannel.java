package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.KeyLabels;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.wire.NtmHeader;
import org.ntmlab.ntm.signalling.Outbox;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated channel between this DC and the DCs of its peer domains (docs/protocol.md,
 * "Authentication between DCs"; paper section 3.1: servers share their keys in advance). Keys
 * come from the pre-shared secret of each domain pair with HKDF (RFC 5869); the label names
 * both domains and the sender's session, a random id drawn at each start, so a restarted DC
 * never reuses a nonce although its counters start at 1 again. Every body starts with the
 * sender's wall-clock time; with the replay window of each session that rejects replays, also
 * across restarts.
 *
 * <p>A message under a session id we do not know yet costs an HKDF and an AEAD open per peer
 * secret, so such key trials are budgeted (issue 11 finding 6, federation starvation): each
 * address a peer domain's DC was located at or authenticated from has a budget of its own
 * ({@code DC_TRIALS_PER_PEER_ADDRESS_PER_SECOND}); any other source ("stranger") gets a small
 * share ({@code DC_TRIALS_PER_STRANGER_PER_SECOND}) of a budget all strangers share
 * ({@code DC_KEY_TRIALS_PER_WINDOW}). When strangers spend that, the DC locates its peer domains
 * ({@link #onPressure}), so their DCs leave the strangers' queue. Use on the DC's event loop only.
 */
final class DcChannel {

    private static final Logger LOG = LoggerFactory.getLogger(DcChannel.class);

    /** A peer domain: the secret, our send key, the peer's sessions we know. */
    static final class Peer {
        final String domain;
        final byte[] secret;
        final TrafficKey send;
        long currentSession;
        TrafficKey currentKey;
        long previousSession;
        TrafficKey previousKey;

        Peer(String domain, byte[] secret, TrafficKey send) {
            this.domain = domain;
            this.secret = secret;
            this.send = send;
        }

        TrafficKey keyFor(long session) {
            return currentKey != null && session == currentSession ? currentKey
                    : previousKey != null && session == previousSession ? previousKey : null;
        }

        @Override
        public String toString() {
            return domain;
        }
    }

    private final String self;
    private final long session;
    private final CipherSuite suite;
    private final Counters counters;
    private final LongSupplier clockMillis;
    private final LongSupplier nanoTime;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<Long, Peer> bySession = new HashMap<>();
    private final Outbox outbox = new Outbox();
    private long trialSecondStart;
    private int trialsThisSecond;
    private final SourceRateLimit strangerRate = new SourceRateLimit(Dc.DC_TRIALS_PER_STRANGER_PER_SECOND,
            Dc.DC_TRIAL_BURST_PER_STRANGER, Dc.RATE_LIMIT_SOURCES);
    private final SourceRateLimit peerRate = new SourceRateLimit(Dc.DC_TRIALS_PER_PEER_ADDRESS_PER_SECOND,
            Dc.DC_TRIAL_BURST_PER_PEER_ADDRESS, Dc.RATE_LIMIT_SOURCES);
    /** Where each peer domain's DC was located (DNS SRV), at most {@code DC_PEER_ADDRESSES_PER_DOMAIN} each. */
    private final Map<String, Set<InetAddress>> located = new HashMap<>();
    /** Addresses a peer DC's message was authenticated from, least recently seen out first. */
    private final Map<InetAddress, Boolean> authenticated = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Boolean> eldest) {
            return size() > Dc.DC_AUTHENTICATED_ADDRESSES;
        }
    };
    /** Run (on the loop) when strangers have spent their trials: locate the peer domains. */
    private Runnable onPressure = () -> { };
    private long lastPressure;
    private boolean pressured;

    DcChannel(String self, Map<String, byte[]> secrets, CipherSuite suite, SecureRandom random, Counters counters,
              LongSupplier clockMillis, LongSupplier nanoTime) {
        this.self = self;
        long s;
        do {
            s = random.nextLong();
        } while (s == 0);
        this.session = s;
        this.suite = suite;
        this.counters = counters;
        this.clockMillis = clockMillis;
        this.nanoTime = nanoTime;
        this.trialSecondStart = nanoTime.getAsLong();
        secrets.forEach((domain, secret) -> peers.put(domain, new Peer(domain, secret,
                TrafficKey.derive(suite, secret, KeyLabels.dcToDc(self, domain, session)))));
    }

    /** What to do when strangers have spent their key trials (at most once per {@code DC_RELOCATE_UNDER_PRESSURE_NANOS}). */
    void onPressure(Runnable r) {
        this.onPressure = r;
    }

    /** The peer domains we have secrets for. */
    Set<String> peerDomains() {
        return peers.keySet();
    }

    /**
     * {@code domain}'s DC was located at {@code addresses} (DNS SRV): messages from there get a
     * budget of their own. Replaces what was known for that domain.
     */
    void located(String domain, List<InetSocketAddress> addresses) {
        if (!peers.containsKey(domain) || addresses == null) {
            return;
        }
        Set<InetAddress> set = new HashSet<>();
        for (InetSocketAddress a : addresses) {
            if (set.size() < Dc.DC_PEER_ADDRESSES_PER_DOMAIN) {
                set.add(a.getAddress());
            }
        }
        located.put(domain, set);
    }

    /** Whether {@code a} is an address a peer DC was located at or authenticated from. */
    boolean isPeerAddress(InetAddress a) {
        if (authenticated.containsKey(a)) {
            return true;
        }
        for (Set<InetAddress> s : located.values()) {
            if (s.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The peer for {@code domain}, or null when no secret is configured for it. */
    Peer peer(String domain) {
        return peers.get(domain);
    }

    long session() {
        return session;
    }

    /** Seals {@code sent at} + body for {@code peer} and sends it. */
    boolean send(DatagramEndpoint via, InetSocketAddress to, Peer peer, int type, Consumer<ByteBuffer> body) {
        long now = clockMillis.getAsLong();
        return outbox.send(via, to, peer.send, type, 0, session, b -> {
            b.putLong(now);
            body.accept(b);
        });
    }

    /**
     * Opens a DC <-> DC message (position = header) into {@code plain}, which is left positioned
     * after {@code sent at}. Returns the sending peer, or null when the message was dropped (and
     * counted): unauthenticated, replayed, stale, malformed, or over its source's trial budget.
     */
    Peer open(ByteBuffer p, ByteBuffer plain, InetAddress from) {
        int at = p.position();
        int end = p.limit();
        long sid = NtmHeader.id(p, at);
        Peer peer = bySession.get(sid);
        TrafficKey key = peer == null ? null : peer.keyFor(sid);
        boolean newSession = key == null;
        if (!newSession) {
            plain.clear();
            TrafficKey.Result r = key.open(p, plain);
            if (r != TrafficKey.Result.OK) {
                counters.count(DcCounter.dcDrop(r));
                return null;
            }
        } else {
            if (!trialAllowed(from)) {
                return null; // counted
            }
            TrafficKey.Result seen = null;
            peer = null;
            for (Peer cand : peers.values()) {
                TrafficKey k = TrafficKey.derive(suite, cand.secret, KeyLabels.dcToDc(cand.domain, self, sid));
                plain.clear();
                p.limit(end).position(at);
                TrafficKey.Result r = k.open(p, plain);
                if (r == TrafficKey.Result.OK) {
                    peer = cand;
                    key = k;
                    break;
                }
                seen = seen == null || seen == r ? r : TrafficKey.Result.BAD_AUTH;
            }
            if (peer == null) {
                counters.count(DcCounter.dcDrop(seen == null ? TrafficKey.Result.BAD_AUTH : seen));
                return null;
            }
        }
        plain.flip();
        if (plain.remaining() < 8) {
            counters.count(DcCounter.DC_MALFORMED);
            return null;
        }
        long sentAt = plain.getLong();
        long skew = clockMillis.getAsLong() - sentAt;
        if (Math.abs(skew) > Dc.DC_FRESHNESS_MS) {
            counters.count(DcCounter.DC_STALE);
            LOG.info("event=dc-stale peer={} skewMs={}", peer.domain, skew);
            return null;
        }
        if (newSession) {
            install(peer, sid, key);
        }
        authenticated.put(from, Boolean.TRUE);
        return peer;
    }

    private void install(Peer peer, long sid, TrafficKey key) {
        if (peer.currentKey != null) {
            if (peer.previousKey != null) {
                bySession.remove(peer.previousSession);
            }
            peer.previousSession = peer.currentSession;
            peer.previousKey = peer.currentKey;
        }
        peer.currentSession = sid;
        peer.currentKey = key;
        bySession.put(sid, peer);
        counters.count(DcCounter.DC_SESSIONS);
        LOG.info("event=dc-session peer={} session={}", peer.domain, String.format("%016x", sid));
    }

    /** Whether a message from {@code from} under an unknown session may cost a key trial now. */
    private boolean trialAllowed(InetAddress from) {
        long now = nanoTime.getAsLong();
        if (isPeerAddress(from)) {
            if (peerRate.allow(from, now)) {
                return true;
            }
            counters.count(DcCounter.DC_TRIAL_SOURCE_LIMITED);
            return false;
        }
        if (!strangerRate.allow(from, now)) {
            counters.count(DcCounter.DC_TRIAL_SOURCE_LIMITED);
            return false;
        }
        if (now - trialSecondStart >= Dc.DC_KEY_TRIAL_WINDOW_NANOS) {
            trialSecondStart = now;
            trialsThisSecond = 0;
        }
        if (trialsThisSecond++ < Dc.DC_KEY_TRIALS_PER_WINDOW) {
            return true;
        }
        counters.count(DcCounter.DC_TRIAL_LIMITED);
        if (!pressured || now - lastPressure >= Dc.DC_RELOCATE_UNDER_PRESSURE_NANOS) {
            pressured = true;
            lastPressure = now;
            counters.count(DcCounter.DC_TRIAL_PRESSURE);
            LOG.warn("event=dc-trial-pressure action=locate-peer-domains peers={}", peers.keySet());
            onPressure.run();
        }
        return false;
    }
}
