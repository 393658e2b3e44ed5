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

    public TrafficKey send() {
        return send;
    }

    public TrafficKey receive() {
        return receive;
    }
}
