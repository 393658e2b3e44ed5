package org.ntmlab.ntm.wire;

import java.nio.ByteBuffer;

/**
 * The 20-byte clear header of every NTM message (docs/protocol.md, "Common header").
 * Static accessors work on absolute indices so the hot path allocates nothing.
 */
public final class NtmHeader {

    private NtmHeader() {
    }

    public static final int VERSION = 1;
    public static final int LENGTH = 20;

    /** Flag bit 0: the sender is the tunnel initiator (selects the direction key). */
    public static final int FLAG_INITIATOR = 0x01;
    /** Flag bit 1: sent through a relay server. */
    public static final int FLAG_RELAYED = 0x02;
    private static final int KNOWN_FLAGS = FLAG_INITIATOR | FLAG_RELAYED;

    public static void write(ByteBuffer b, int at, int type, int suite, int flags, long id, long counter) {
        b.put(at, (byte) VERSION);
        b.put(at + 1, (byte) type);
        b.put(at + 2, (byte) suite);
        b.put(at + 3, (byte) flags);
        b.putLong(at + 4, id);
        b.putLong(at + 12, counter);
    }

    public static int version(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    public static int type(ByteBuffer b, int at) {
        return b.get(at + 1) & 0xFF;
    }

    public static int suite(ByteBuffer b, int at) {
        return b.get(at + 2) & 0xFF;
    }

    public static int flags(ByteBuffer b, int at) {
        return b.get(at + 3) & 0xFF;
    }

    public static long id(ByteBuffer b, int at) {
        return b.getLong(at + 4);
    }

    public static long counter(ByteBuffer b, int at) {
        return b.getLong(at + 12);
    }

    /**
     * Checks the parts of a header that need no key: length, version, reserved flags.
     * Returns null when acceptable, or the reason to count and drop it for.
     */
    public static MessageDrop precheck(ByteBuffer b, int at, int length) {
        if (length < LENGTH) {
            return MessageDrop.HEADER_TOO_SHORT;
        }
        if (version(b, at) != VERSION) {
            return MessageDrop.BAD_VERSION;
        }
        if ((flags(b, at) & ~KNOWN_FLAGS) != 0) {
            return MessageDrop.BAD_FLAGS;
        }
        return null;
    }
}
