package org.ntmlab.pcap.decode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A DNS message (RFC 1035): header, questions, and answer records; A and AAAA answers
 * carry their address. Authority and additional sections are not decoded.
 */
public record DnsMessage(int id, boolean response, int opcode, int rcode, List<Question> questions,
                         List<Answer> answers) {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    static final int MAX_POINTER_JUMPS = 32;

    public record Question(String name, int type, int dnsClass) {
    }

    /** @param address the address of an A or AAAA record, else null */
    public record Answer(String name, int type, long ttl, InetAddress address) {
    }

    /** The first question's name, or "" if there is none. */
    public String qname() {
        return questions.isEmpty() ? "" : questions.get(0).name();
    }

    public int qtype() {
        return questions.isEmpty() ? 0 : questions.get(0).type();
    }

    public static DnsMessage parse(byte[] b, int off, int len) throws MalformedPacketException {
        String layer = "dns";
        if (len < 12) {
            throw new MalformedPacketException(layer, "message of " + len + " bytes is shorter than the 12-byte header");
        }
        Bytes.need(b, off, len, layer, "message");
        int end = off + len;
        int id = Bytes.u16(b, off);
        int flags = Bytes.u16(b, off + 2);
        int qd = Bytes.u16(b, off + 4);
        int an = Bytes.u16(b, off + 6);
        int[] pos = {off + 12};
        List<Question> qs = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            String name = readName(b, off, end, pos);
            need(pos[0], 4, end, "question");
            qs.add(new Question(name, Bytes.u16(b, pos[0]), Bytes.u16(b, pos[0] + 2)));
            pos[0] += 4;
        }
        List<Answer> as = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            String name = readName(b, off, end, pos);
            need(pos[0], 10, end, "answer");
            int type = Bytes.u16(b, pos[0]);
            long ttl = Bytes.u32(b, pos[0] + 4);
            int rdlen = Bytes.u16(b, pos[0] + 8);
            pos[0] += 10;
            need(pos[0], rdlen, end, "rdata");
            InetAddress addr = null;
            if (type == TYPE_A && rdlen == 4) {
                addr = Bytes.address(b, pos[0], 4);
            } else if (type == TYPE_AAAA && rdlen == 16) {
                addr = Bytes.address(b, pos[0], 16);
            }
            as.add(new Answer(name, type, ttl, addr));
            pos[0] += rdlen;
        }
        return new DnsMessage(id, (flags & 0x8000) != 0, (flags >> 11) & 0xf, flags & 0xf, List.copyOf(qs), List.copyOf(as));
    }

    private static void need(int p, int n, int end, String what) throws MalformedPacketException {
        if (p + n > end) {
            throw new MalformedPacketException("dns", what + " runs past the end of the message");
        }
    }

    /** Reads a possibly compressed name at pos[0], advancing pos[0] past it in the message. */
    private static String readName(byte[] b, int msg, int end, int[] pos) throws MalformedPacketException {
        StringBuilder name = new StringBuilder();
        int p = pos[0];
        int jumps = 0;
        int after = -1;
        while (true) {
            need(p, 1, end, "name");
            int len = Bytes.u8(b, p);
            if ((len & 0xc0) == 0xc0) {
                need(p, 2, end, "name pointer");
                if (++jumps > MAX_POINTER_JUMPS) {
                    throw new MalformedPacketException("dns", "name compression loop");
                }
                if (after < 0) {
                    after = p + 2;
                }
                p = msg + (((len & 0x3f) << 8) | Bytes.u8(b, p + 1));
                continue;
            }
            if ((len & 0xc0) != 0) {
                throw new MalformedPacketException("dns", "unsupported label type " + (len >> 6));
            }
            p++;
            if (len == 0) {
                break;
            }
            need(p, len, end, "label");
            if (name.length() > 0) {
                name.append('.');
            }
            for (int i = 0; i < len; i++) {
                name.append((char) (b[p + i] & 0xff));
            }
            if (name.length() > 255) {
                throw new MalformedPacketException("dns", "name longer than 255 characters");
            }
            p += len;
        }
        pos[0] = after >= 0 ? after : p;
        return name.toString();
    }
}
