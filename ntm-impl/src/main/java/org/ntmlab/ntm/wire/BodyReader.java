package org.ntmlab.ntm.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Bounds-checked reads of body fields (docs/protocol.md, "Encodings inside bodies"). */
public final class BodyReader {

    private final ByteBuffer b;

    public BodyReader(ByteBuffer b) {
        this.b = b;
    }

    private void need(int n, String field) throws MalformedMessageException {
        if (b.remaining() < n) {
            throw new MalformedMessageException("truncated at " + field + ": need " + n + " bytes, have "
                    + b.remaining());
        }
    }

    public int u8(String field) throws MalformedMessageException {
        need(1, field);
        return b.get() & 0xFF;
    }

    public int u16(String field) throws MalformedMessageException {
        need(2, field);
        return b.getShort() & 0xFFFF;
    }

    public long u64(String field) throws MalformedMessageException {
        need(8, field);
        return b.getLong();
    }

    public byte[] bytes(int n, String field) throws MalformedMessageException {
        need(n, field);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /**
     * A string: strict UTF-8. Malformed bytes are refused rather than replaced with U+FFFD (3
     * bytes each), which made a decoded name too long to encode again (found by fuzzing,
     * docs/security.md "Fuzzing").
     */
    public String string(String field) throws MalformedMessageException {
        int n = u8(field + ".length");
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes(n, field))).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException(field + " is not UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new MalformedMessageException(field + " contains a control character");
            }
        }
        return s;
    }

    /** An address, or null for family 0 ("none"). */
    public InetAddress addr(String field) throws MalformedMessageException {
        int family = u8(field + ".family");
        int len = switch (family) {
            case 0 -> 0;
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new MalformedMessageException(field + ": unknown address family " + family);
        };
        if (len == 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes(len, field));
        } catch (UnknownHostException e) {
            throw new MalformedMessageException(field + ": bad address");
        }
    }

    /** A socket address, or null for family 0. */
    public InetSocketAddress sockaddr(String field) throws MalformedMessageException {
        InetAddress a = addr(field);
        if (a == null) {
            return null;
        }
        return new InetSocketAddress(a, u16(field + ".port"));
    }

    public void end(String message) throws MalformedMessageException {
        if (b.hasRemaining()) {
            throw new MalformedMessageException(message + ": " + b.remaining() + " trailing bytes");
        }
    }
}
