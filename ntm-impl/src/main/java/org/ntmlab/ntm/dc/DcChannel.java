package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * across restarts. Use on the DC's event loop only.
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
     * counted): unauthenticated, replayed, stale or malformed.
     */
    Peer open(ByteBuffer p, ByteBuffer plain) {
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
            if (!trialAllowed()) {
                counters.count(DcCounter.DC_TRIAL_LIMITED);
                return null;
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

    private boolean trialAllowed() {
        long now = nanoTime.getAsLong();
        if (now - trialSecondStart >= Dc.DC_KEY_TRIAL_WINDOW_NANOS) {
            trialSecondStart = now;
            trialsThisSecond = 0;
        }
        return trialsThisSecond++ < Dc.DC_KEY_TRIALS_PER_WINDOW;
    }
}
