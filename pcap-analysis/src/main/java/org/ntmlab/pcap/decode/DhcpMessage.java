package org.ntmlab.pcap.decode;

import java.net.InetAddress;

/**
 * A BOOTP/DHCP message (RFC 2131, options RFC 2132).
 *
 * @param op            1 BOOTREQUEST, 2 BOOTREPLY
 * @param xid           transaction id
 * @param clientAddress ciaddr
 * @param yourAddress   yiaddr: the address offered / acknowledged
 * @param clientMac     chaddr (first hlen bytes)
 * @param messageType   option 53 value (1 DISCOVER .. 8 INFORM), 0 when absent (plain BOOTP)
 * @param requestedAddress option 50, or null
 * @param serverId      option 54, or null
 */
public record DhcpMessage(int op, long xid, InetAddress clientAddress, InetAddress yourAddress, String clientMac,
                          int messageType, InetAddress requestedAddress, InetAddress serverId) {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;
    static final int FIXED_LENGTH = 236;
    static final long MAGIC_COOKIE = 0x63825363L;
    static final int OPT_PAD = 0;
    static final int OPT_REQUESTED_ADDRESS = 50;
    static final int OPT_MESSAGE_TYPE = 53;
    static final int OPT_SERVER_ID = 54;
    static final int OPT_END = 255;

    public String messageTypeName() {
        return switch (messageType) {
            case DISCOVER -> "DISCOVER";
            case OFFER -> "OFFER";
            case REQUEST -> "REQUEST";
            case DECLINE -> "DECLINE";
            case ACK -> "ACK";
            case NAK -> "NAK";
            case RELEASE -> "RELEASE";
            case INFORM -> "INFORM";
            case 0 -> op == 1 ? "BOOTREQUEST" : "BOOTREPLY";
            default -> "TYPE" + messageType;
        };
    }

    public static DhcpMessage parse(byte[] b, int off, int len) throws MalformedPacketException {
        String layer = "dhcp";
        if (len < FIXED_LENGTH) {
            throw new MalformedPacketException(layer, "message of " + len + " bytes is shorter than BOOTP's 236");
        }
        Bytes.need(b, off, len, layer, "message");
        int op = Bytes.u8(b, off);
        if (op != 1 && op != 2) {
            throw new MalformedPacketException(layer, "op " + op + " is neither BOOTREQUEST nor BOOTREPLY");
        }
        int hlen = Math.min(Bytes.u8(b, off + 2), 16);
        long xid = Bytes.u32(b, off + 4);
        InetAddress ciaddr = Bytes.address(b, off + 12, 4);
        InetAddress yiaddr = Bytes.address(b, off + 16, 4);
        String chaddr = Bytes.mac(b, off + 28, hlen);
        int type = 0;
        InetAddress requested = null;
        InetAddress server = null;
        int end = off + len;
        int p = off + FIXED_LENGTH;
        if (p + 4 <= end && Bytes.u32(b, p) == MAGIC_COOKIE) {
            p += 4;
            while (p < end) {
                int code = Bytes.u8(b, p++);
                if (code == OPT_PAD) {
                    continue;
                }
                if (code == OPT_END) {
                    break;
                }
                if (p >= end) {
                    throw new MalformedPacketException(layer, "option " + code + " has no length byte");
                }
                int olen = Bytes.u8(b, p++);
                if (p + olen > end) {
                    throw new MalformedPacketException(layer, "option " + code + " of " + olen + " bytes overruns the message");
                }
                if (code == OPT_MESSAGE_TYPE && olen >= 1) {
                    type = Bytes.u8(b, p);
                } else if (code == OPT_REQUESTED_ADDRESS && olen == 4) {
                    requested = Bytes.address(b, p, 4);
                } else if (code == OPT_SERVER_ID && olen == 4) {
                    server = Bytes.address(b, p, 4);
                }
                p += olen;
            }
        }
        return new DhcpMessage(op, xid, ciaddr, yiaddr, chaddr, type, requested, server);
    }
}
