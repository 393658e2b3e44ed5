package org.ntmlab.pcap.decode;

/** NTM message types, from the table in docs/protocol.md ("Message types"). */
public enum NtmMessageType {
    REGISTER(0x01),
    REGISTER_ACK(0x02),
    KEEPALIVE(0x03),
    KEEPALIVE_ACK(0x04),
    DIRECTION_REQUEST(0x05),
    ROUTE_DIRECTION(0x06),
    ROUTE_DIRECTION_ACK(0x07),
    DIRECTION_FAILURE(0x08),
    REREGISTER(0x09),
    RELAY_AUTHORISE(0x10),
    RELAY_AUTHORISE_ACK(0x11),
    TUNNEL_REQUEST(0x20),
    TUNNEL_RESPONSE(0x21),
    PROBE(0x22),
    PROBE_ACK(0x23),
    RELAY_BIND(0x24),
    RELAY_BIND_ACK(0x25),
    DATA(0x2F),
    // DC <-> DC, several domains (docs/protocol.md "Several domains"): id field = sender's session id
    DC_QUERY(0x30),
    DC_ANSWER(0x31),
    DC_DIRECTION(0x32),
    DC_DIRECTION_ACK(0x33),
    DC_POSITION(0x34),
    DC_POSITION_ACK(0x35),
    DC_FAILURE(0x36);

    private static final NtmMessageType[] BY_CODE = new NtmMessageType[256];

    static {
        for (NtmMessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    NtmMessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a wire code, or null if the code is not in the protocol. */
    public static NtmMessageType of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }

    /**
     * Messages that set up or change a tunnel's path (direction, relay authorisation,
     * tunnel handshake, relay binding, route-optimisation probes), as opposed to
     * registration, keepalives and data.
     */
    public boolean isTunnelSetup() {
        return switch (this) {
            case DIRECTION_REQUEST, ROUTE_DIRECTION, ROUTE_DIRECTION_ACK, DIRECTION_FAILURE, RELAY_AUTHORISE,
                 RELAY_AUTHORISE_ACK, TUNNEL_REQUEST, TUNNEL_RESPONSE, PROBE, PROBE_ACK, RELAY_BIND,
                 RELAY_BIND_ACK -> true;
            default -> false;
        };
    }
}
