package org.ntmlab.lab.nfq;

import com.sun.jna.Native;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Creates an ipset in the container's network namespace, as {@code ipset create NAME TYPE
 * timeout T} would: the lab image has the kernel's ip_set (and iptables' {@code SET} target and
 * {@code set} match) but not the {@code ipset} program. The address-dependent filter of the
 * lab's NAT routers needs one set (docs/topology-format.md, "NAT catalogue").
 *
 * <p>One nfnetlink request ({@code NFNL_SUBSYS_IPSET}, {@code IPSET_CMD_CREATE}) on a raw
 * {@code NETLINK_NETFILTER} socket through JNA, as {@link NfqDelay} does for its queue. The set
 * type's revision is the newest the kernel accepts (tried from {@link #MAX_REVISION} down).
 * Without {@code NLM_F_EXCL}, creating a set that exists with the same type succeeds.
 *
 * <p>Usage: {@code IpsetCreate --name NAME --type hash:ip,port,ip --timeout SECONDS}.
 */
public final class IpsetCreate {
    static final int NFNL_SUBSYS_IPSET = 6;
    static final int IPSET_CMD_CREATE = 2;
    static final int IPSET_PROTOCOL = 7;
    static final int IPSET_ATTR_PROTOCOL = 1;
    static final int IPSET_ATTR_SETNAME = 2;
    static final int IPSET_ATTR_TYPENAME = 3;
    static final int IPSET_ATTR_REVISION = 4;
    static final int IPSET_ATTR_FAMILY = 5;
    static final int IPSET_ATTR_DATA = 7;
    static final int IPSET_ATTR_TIMEOUT = 6;
    static final int NFPROTO_IPV4 = 2;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_F_NET_BYTEORDER = 0x4000;
    static final int MAX_REVISION = 10;
    /** The kernel's answer when a set type has no such revision (IPSET_ERR_FIND_TYPE). */
    static final int IPSET_ERR_FIND_TYPE = 4098;

    private IpsetCreate() {
    }

    /** The CREATE request: nlmsghdr, nfgenmsg, then the attributes (host-order headers, u32 values big-endian). */
    static byte[] createMessage(int seq, String name, String type, int revision, long timeoutSeconds) {
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        attr(attrs, IPSET_ATTR_PROTOCOL, new byte[] {IPSET_PROTOCOL});
        attr(attrs, IPSET_ATTR_SETNAME, cString(name));
        attr(attrs, IPSET_ATTR_TYPENAME, cString(type));
        attr(attrs, IPSET_ATTR_REVISION, new byte[] {(byte) revision});
        attr(attrs, IPSET_ATTR_FAMILY, new byte[] {NFPROTO_IPV4});
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        attr(data, IPSET_ATTR_TIMEOUT | NLA_F_NET_BYTEORDER,
                ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt((int) timeoutSeconds).array());
        attr(attrs, IPSET_ATTR_DATA | NLA_F_NESTED, data.toByteArray());
        byte[] a = attrs.toByteArray();
        int len = NfqDelay.NLMSG_HDRLEN + 4 + a.length;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) (NFNL_SUBSYS_IPSET << 8 | IPSET_CMD_CREATE))
                .putShort((short) (NfqDelay.NLM_F_REQUEST | NfqDelay.NLM_F_ACK)).putInt(seq).putInt(0);
        b.put((byte) NfqDelay.AF_INET).put((byte) 0).putShort((short) 0); // nfgenmsg: family, version 0, res_id 0
        b.put(a);
        return b.array();
    }

    private static byte[] cString(String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[v.length + 1];
        System.arraycopy(v, 0, z, 0, v.length);
        return z;
    }

    private static void attr(ByteArrayOutputStream out, int type, byte[] value) {
        int len = 4 + value.length;
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) len)
                .putShort((short) type);
        out.writeBytes(h.array());
        out.writeBytes(value);
        out.writeBytes(new byte[NfqDelay.align4(len) - len]);
    }

    /** The error code of the kernel's NLMSG_ERROR answer (0: success, else a positive errno or ipset code). */
    static int ackError(byte[] buf, int n) throws IOException {
        if (n < NfqDelay.NLMSG_HDRLEN + 4) {
            throw new IOException("short netlink answer: " + n + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
        if ((b.getShort(4) & 0xFFFF) != NfqDelay.NLMSG_ERROR) {
            throw new IOException("unexpected netlink answer type " + (b.getShort(4) & 0xFFFF));
        }
        return -b.getInt(NfqDelay.NLMSG_HDRLEN);
    }

    /** Creates the set; returns the revision the kernel took. */
    static int create(NfqDelay.LibC c, String name, String type, long timeoutSeconds) throws IOException {
        int fd = NfqDelay.openNetfilterSocket(c);
        try {
            byte[] buf = new byte[8192];
            int last = 0;
            for (int rev = MAX_REVISION; rev >= 0; rev--) {
                byte[] msg = createMessage(rev + 1, name, type, rev, timeoutSeconds);
                if (c.send(fd, msg, msg.length, 0) < 0) {
                    throw new IOException("send(netlink) failed, errno " + Native.getLastError());
                }
                long n = c.recv(fd, buf, buf.length, 0);
                if (n < 0) {
                    throw new IOException("recv(netlink) failed, errno " + Native.getLastError());
                }
                last = ackError(buf, (int) n);
                if (last == 0) {
                    return rev;
                }
                if (last != IPSET_ERR_FIND_TYPE) {
                    break;
                }
            }
            throw new IOException("ipset create " + name + " " + type + " timeout " + timeoutSeconds
                    + " failed: error " + last + (last == IPSET_ERR_FIND_TYPE ? " (no such set type in this kernel)"
                    : last < 4096 ? " (errno)" : " (ipset error code)"));
        } finally {
            c.close(fd);
        }
    }

    public static void main(String[] args) throws Exception {
        String name = null;
        String type = null;
        long timeout = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--name" -> name = args[i + 1];
                case "--type" -> type = args[i + 1];
                case "--timeout" -> timeout = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (name == null || name.length() > 31 || type == null || timeout < 1) {
            System.err.println("usage: IpsetCreate --name NAME --type TYPE --timeout SECONDS");
            System.exit(2);
        }
        int rev = create(Native.load("c", NfqDelay.LibC.class), name, type, timeout);
        System.out.println("ipset " + name + " " + type + " revision " + rev + " timeout " + timeout + " created");
    }
}
