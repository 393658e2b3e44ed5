package org.ntmlab.ntm.wire;

/** NTM message types (docs/protocol.md, "Message types"). */
public final class MessageType {

    private MessageType() {
    }

    public static final int REGISTER = 0x01;
    public static final int REGISTER_ACK = 0x02;
    public static final int KEEPALIVE = 0x03;
    public static final int KEEPALIVE_ACK = 0x04;
    public static final int DIRECTION_REQUEST = 0x05;
    public static final int ROUTE_DIRECTION = 0x06;
    public static final int ROUTE_DIRECTION_ACK = 0x07;
    public static final int DIRECTION_FAILURE = 0x08;
    /** DC -> node: the DC holds no registration of the node (restarted): register again (issue 10). */
    public static final int REREGISTER = 0x09;
    public static final int RELAY_AUTHORISE = 0x10;
    public static final int RELAY_AUTHORISE_ACK = 0x11;
    public static final int TUNNEL_REQUEST = 0x20;
    public static final int TUNNEL_RESPONSE = 0x21;
    public static final int PROBE = 0x22;
    public static final int PROBE_ACK = 0x23;
    public static final int RELAY_BIND = 0x24;
    public static final int RELAY_BIND_ACK = 0x25;
    public static final int DATA = 0x2F;
    /** DC <-> DC (inter-domain, docs/protocol.md "Several domains"): id field = sender's session id. */
    public static final int DC_QUERY = 0x30;
    public static final int DC_ANSWER = 0x31;
    public static final int DC_DIRECTION = 0x32;
    public static final int DC_DIRECTION_ACK = 0x33;
    public static final int DC_POSITION = 0x34;
    public static final int DC_POSITION_ACK = 0x35;
    public static final int DC_FAILURE = 0x36;

    /**
     * Messages a node sends its DC under its key id: REGISTER, KEEPALIVE, DIRECTION_REQUEST,
     * ROUTE_DIRECTION_ACK. A DC that does not hold the key fetches it from the AS for any of them.
     */
    public static boolean isNodeToDc(int type) {
        return type == REGISTER || type == KEEPALIVE || type == DIRECTION_REQUEST || type == ROUTE_DIRECTION_ACK;
    }

    /** Messages protected with a tunnel key (id field = tunnel id), 0x20..0x2F. */
    public static boolean isTunnelMessage(int type) {
        return type >= 0x20 && type <= 0x2F;
    }

    /** Messages between two DCs, sealed with the inter-DC keys, 0x30..0x3F. */
    public static boolean isDcMessage(int type) {
        return type >= 0x30 && type <= 0x3F;
    }

    public static String name(int type) {
        return switch (type) {
            case REGISTER -> "REGISTER";
            case REGISTER_ACK -> "REGISTER_ACK";
            case KEEPALIVE -> "KEEPALIVE";
            case KEEPALIVE_ACK -> "KEEPALIVE_ACK";
            case DIRECTION_REQUEST -> "DIRECTION_REQUEST";
            case ROUTE_DIRECTION -> "ROUTE_DIRECTION";
            case ROUTE_DIRECTION_ACK -> "ROUTE_DIRECTION_ACK";
            case DIRECTION_FAILURE -> "DIRECTION_FAILURE";
            case REREGISTER -> "REREGISTER";
            case RELAY_AUTHORISE -> "RELAY_AUTHORISE";
            case RELAY_AUTHORISE_ACK -> "RELAY_AUTHORISE_ACK";
            case TUNNEL_REQUEST -> "TUNNEL_REQUEST";
            case TUNNEL_RESPONSE -> "TUNNEL_RESPONSE";
            case PROBE -> "PROBE";
            case PROBE_ACK -> "PROBE_ACK";
            case RELAY_BIND -> "RELAY_BIND";
            case RELAY_BIND_ACK -> "RELAY_BIND_ACK";
            case DATA -> "DATA";
            case DC_QUERY -> "DC_QUERY";
            case DC_ANSWER -> "DC_ANSWER";
            case DC_DIRECTION -> "DC_DIRECTION";
            case DC_DIRECTION_ACK -> "DC_DIRECTION_ACK";
            case DC_POSITION -> "DC_POSITION";
            case DC_POSITION_ACK -> "DC_POSITION_ACK";
            case DC_FAILURE -> "DC_FAILURE";
            default -> String.format("UNKNOWN(0x%02x)", type);
        };
    }
}
