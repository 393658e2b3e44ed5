package org.ntmlab.ntm.crypto;

/**
 * The two directional keys two parties share: one to seal what we send, one to open what
 * we receive. Both derive from one 32-byte secret with distinct labels (docs/protocol.md),
 * so a message can never be reflected back at its sender.
 */
public final class Association {

    private final TrafficKey send;
    private final TrafficKey receive;

    private Association(TrafficKey send, TrafficKey receive) {
        this.send = send;
        this.receive = receive;
    }

    public static Association of(CipherSuite suite, byte[] secret, String sendLabel, String receiveLabel) {
        return new Association(TrafficKey.derive(suite, secret, sendLabel), TrafficKey.derive(suite, secret,
                receiveLabel));
    }

    /**
     * For a secret that outlives the process using it: the RS secret a DC and an RS are
     * configured with, and the node key the AS issued, which a restarted DC fetches again.
     * With counters starting at 1 on every start, a restarted DC would seal under the same key
     * with nonces it already used (fatal for AES-GCM and ChaCha20-Poly1305, RFC 5116 section
     * 5.1.1 / RFC 8439 section 4), and the peer's replay window would drop it as replays. Here
     * the send counter starts at the wall clock in microseconds since 1970, so every start
     * counts on from above anything an earlier run of the same process could have sent, as long
     * as it sent less than one message per microsecond on average (control traffic: far less)
     * and the clock did not go back. The receiving side needs nothing: its window accepts the
     * jump forward.
     */
    public static Association longLived(CipherSuite suite, byte[] secret, String sendLabel, String receiveLabel) {
        Association a = of(suite, secret, sendLabel, receiveLabel);
        java.time.Instant now = java.time.Instant.now();
        a.send.countFrom(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
        return a;
    }

    public TrafficKey send() {
        return send;
    }

    public TrafficKey receive() {
        return receive;
    }
}
