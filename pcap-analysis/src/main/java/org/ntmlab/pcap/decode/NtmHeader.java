package org.ntmlab.pcap.decode;

/**
 * The 20-byte clear NTM header (docs/protocol.md, "Common header").
 *
 * @param keyOrTunnelId node key id (node-DC), DC id (DC-RS) or tunnel id (types 0x20..0x2F)
 * @param bodyLength    bytes after the header (encrypted body and tag), as captured
 */
public record NtmHeader(int version, int typeCode, NtmMessageType type, int suite, int flags, long keyOrTunnelId,
                        long counter, int bodyLength) {
    public static final int LENGTH = 20;
    public static final int VERSION = 1;
    public static final int FLAG_INITIATOR = 0x01;
    public static final int FLAG_RELAYED = 0x02;
    static final int KNOWN_FLAGS = FLAG_INITIATOR | FLAG_RELAYED;

    public String typeName() {
        return type != null ? type.name() : String.format("0x%02x", typeCode);
    }

    /** Bit 0: the sender is the tunnel initiator. */
    public boolean initiator() {
        return (flags & FLAG_INITIATOR) != 0;
    }

    /** Bit 1: set by a node when it sends via an RS. */
    public boolean relayed() {
        return (flags & FLAG_RELAYED) != 0;
    }

    /** True for tunnel messages (0x20..0x2F) whose id field is a tunnel id. */
    public boolean hasTunnelId() {
        return typeCode >= 0x20 && typeCode <= 0x2F;
    }

    /** Reads a header without judging it; see {@link NtmDetector} for deciding whether a datagram is NTM. */
    public static NtmHeader parse(byte[] b, int off, int len) throws MalformedPacketException {
        if (len < LENGTH) {
            throw new MalformedPacketException("ntm", "datagram of " + len + " bytes is shorter than the 20-byte header");
        }
        Bytes.need(b, off, LENGTH, "ntm", "header");
        int type = Bytes.u8(b, off + 1);
        return new NtmHeader(Bytes.u8(b, off), type, NtmMessageType.of(type), Bytes.u8(b, off + 2),
                Bytes.u8(b, off + 3), Bytes.u64(b, off + 4), Bytes.u64(b, off + 12), len - LENGTH);
    }
}
