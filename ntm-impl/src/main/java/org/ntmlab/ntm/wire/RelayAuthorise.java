package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * RELAY_AUTHORISE (DC -> RS): permission to relay one tunnel, with the secret both ends use
 * to bind their addresses at the RS. The RS relays nothing else (never an open relay).
 */
public record RelayAuthorise(long tunnelId, byte[] relaySecret, int lifetimeSeconds) {

    public void encode(ByteBuffer b) {
        b.putLong(tunnelId).put(relaySecret).putInt(lifetimeSeconds);
    }

    public static RelayAuthorise decode(ByteBuffer b) throws MalformedMessageException {
        BodyReader r = new BodyReader(b);
        long id = r.u64("tunnelId");
        byte[] secret = r.bytes(RouteDirection.SECRET_LENGTH, "relaySecret");
        int life = (int) ((long) r.u16("lifetime.hi") << 16 | r.u16("lifetime.lo"));
        r.end("RELAY_AUTHORISE");
        return new RelayAuthorise(id, secret, life);
    }
}
