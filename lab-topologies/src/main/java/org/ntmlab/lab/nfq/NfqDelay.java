package org.ntmlab.lab.nfq;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Link delay and jitter without {@code sch_netem}: a user-space NFQUEUE verdict daemon that runs
 * inside a lab container (docs/lab.md, "Delay and jitter without netem").
 *
 * <p>An iptables rule ({@code -t mangle -A POSTROUTING -o IF -j NFQUEUE --queue-num N}) hands each
 * packet to queue N. This daemon binds that queue over a raw {@code NETLINK_NETFILTER} socket
 * (nfnetlink_queue, via JNA: no native code of ours, no libnetfilter_queue), asks for metadata
 * only ({@code NFQNL_COPY_META}), and accepts each packet ({@code NF_ACCEPT}) after
 * {@code delay + uniform(-jitter, +jitter)}. With no jitter the release times are monotonic and
 * ties break by arrival, so packet order is kept; with jitter packets may reorder, as with netem.
 *
 * <p>Byte order: nlmsghdr, nfgenmsg's family/version and the nlattr headers are host order; the
 * nfgenmsg {@code res_id} (queue number) and every NFQA attribute value are big-endian.
 *
 * <p>Depends on the JDK and JNA only: the lab copies this class (and its nested classes) plus the
 * JNA jar into the container and runs {@code java -cp ... org.ntmlab.lab.nfq.NfqDelay}.
 * Usage: {@code NfqDelay --queue N --delay-us D [--jitter-us J] [--ready FILE]}.
 */
public final class NfqDelay {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int NETLINK_NETFILTER = 12;
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_NO_ENOBUFS = 5;

    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 1;
    static final int NLM_F_ACK = 4;

    static final int NFNL_SUBSYS_QUEUE = 3;
    static final int NFQNL_MSG_PACKET = 0;
    static final int NFQNL_MSG_VERDICT = 1;
    static final int NFQNL_MSG_CONFIG = 2;

    static final int NFQA_PACKET_HDR = 1;
    static final int NFQA_VERDICT_HDR = 2;
    static final int NFQA_CFG_CMD = 1;
    static final int NFQA_CFG_PARAMS = 2;
    static final int NFQA_CFG_QUEUE_MAXLEN = 3;

    static final int NFQNL_CFG_CMD_BIND = 1;
    static final int NFQNL_CFG_CMD_PF_BIND = 3;
    static final int NFQNL_CFG_CMD_PF_UNBIND = 4;
    static final int NFQNL_COPY_META = 1;
    static final int NF_ACCEPT = 1;

    /** The few libc calls needed. */
    public interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int len);

        int setsockopt(int fd, int level, int name, Pointer value, int len);

        long recv(int fd, byte[] buf, long len, int flags);

        long send(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    /** A packet waiting for its verdict. */
    static final class Held implements Delayed {
        final long releaseNanos;
        final long seq;
        final int id;

        Held(long releaseNanos, long seq, int id) {
            this.releaseNanos = releaseNanos;
            this.seq = seq;
            this.id = id;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(releaseNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Held h = (Held) o;
            int c = Long.compare(releaseNanos, h.releaseNanos);
            return c != 0 ? c : Long.compare(seq, h.seq);
        }
    }

    private final LibC c;
    private final int fd;
    private final int queue;
    private final long delayNanos;
    private final long jitterNanos;
    private final DelayQueue<Held> held = new DelayQueue<>();
    private final SplittableRandom random = new SplittableRandom();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private int nlSeq = 1;

    NfqDelay(LibC c, int queue, long delayNanos, long jitterNanos) throws IOException {
        this.c = c;
        this.queue = queue;
        this.delayNanos = delayNanos;
        this.jitterNanos = jitterNanos;
        fd = openNetfilterSocket(c);
        Memory v = new Memory(4);
        v.setInt(0, 4 << 20);
        c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4); // best effort
        v.setInt(0, 1);
        c.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, v, 4); // best effort
    }

    /** A bound {@code NETLINK_NETFILTER} socket (the kernel assigns the port id). */
    static int openNetfilterSocket(LibC c) throws IOException {
        int fd = c.socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
        if (fd < 0) {
            throw new IOException("socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER) failed, errno " + Native.getLastError());
        }
        Memory sa = new Memory(12); // struct sockaddr_nl: family, pad, pid (0: kernel assigns), groups
        sa.clear();
        sa.setShort(0, (short) AF_NETLINK);
        if (c.bind(fd, sa, 12) < 0) {
            throw new IOException("bind(netlink) failed, errno " + Native.getLastError());
        }
        return fd;
    }

    /** Binds the queue (the pf commands are no-ops on kernels >= 3.8 but harmless). */
    void bindQueue() throws IOException {
        for (int pf : new int[] {AF_INET, AF_INET6}) {
            request(configCmd(NFQNL_CFG_CMD_PF_UNBIND, pf, 0), false);
            request(configCmd(NFQNL_CFG_CMD_PF_BIND, pf, 0), false);
        }
        request(configCmd(NFQNL_CFG_CMD_BIND, AF_UNSPEC, queue), true);
        // NFQA_CFG_PARAMS: be32 copy_range, u8 copy_mode (packed: 5 bytes)
        ByteBuffer params = ByteBuffer.allocate(5).order(ByteOrder.BIG_ENDIAN);
        params.putInt(0).put((byte) NFQNL_COPY_META);
        ByteBuffer maxlen = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(65536);
        request(message(NFQNL_MSG_CONFIG, AF_UNSPEC, queue, NLM_F_ACK,
                NFQA_CFG_PARAMS, params.array(), NFQA_CFG_QUEUE_MAXLEN, maxlen.array()), true);
    }

    private byte[] configCmd(int cmd, int pf, int queueNum) {
        // struct nfqnl_msg_config_cmd: u8 command, u8 pad, be16 pf
        byte[] v = {(byte) cmd, 0, (byte) (pf >> 8), (byte) pf};
        return message(NFQNL_MSG_CONFIG, AF_UNSPEC, queueNum, NLM_F_ACK, NFQA_CFG_CMD, v);
    }

    /** nlmsghdr + nfgenmsg + attributes (type, value pairs). */
    byte[] message(int msgType, int family, int resId, int extraFlags, Object... attrs) {
        int len = NLMSG_HDRLEN + 4;
        for (int i = 0; i < attrs.length; i += 2) {
            len += align4(4 + ((byte[]) attrs[i + 1]).length);
        }
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) (NFNL_SUBSYS_QUEUE << 8 | msgType))
                .putShort((short) (NLM_F_REQUEST | extraFlags)).putInt(nlSeq++).putInt(0);
        b.put((byte) family).put((byte) 0); // nfgenmsg: family, version NFNETLINK_V0
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) resId).order(ByteOrder.nativeOrder());
        for (int i = 0; i < attrs.length; i += 2) {
            byte[] v = (byte[]) attrs[i + 1];
            int start = b.position();
            b.putShort((short) (4 + v.length)).putShort((short) (int) (Integer) attrs[i]).put(v);
            b.position(start + align4(4 + v.length));
        }
        return b.array();
    }

    /** Sends a request with NLM_F_ACK and reads the kernel's NLMSG_ERROR answer. */
    private void request(byte[] msg, boolean mustSucceed) throws IOException {
        if (c.send(fd, msg, msg.length, 0) < 0) {
            throw new IOException("send(netlink) failed, errno " + Native.getLastError());
        }
        byte[] buf = new byte[8192];
        long n = c.recv(fd, buf, buf.length, 0);
        if (n < NLMSG_HDRLEN + 4) {
            throw new IOException("recv(netlink ack) failed: " + n + ", errno " + Native.getLastError());
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
        int type = b.getShort(4) & 0xFFFF;
        if (type == NLMSG_ERROR) {
            int err = b.getInt(NLMSG_HDRLEN);
            if (err != 0) {
                String what = "nfqueue config (cmd/attr " + (msg[NLMSG_HDRLEN + 8] & 0xFF) + ") on queue " + queue
                        + " failed: errno " + (-err);
                if (mustSucceed) {
                    throw new IOException(what);
                }
                System.err.println("nfq-delay: " + what + " (ignored)");
            }
        }
    }

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    /** Reads packets and schedules them; runs on the calling thread forever. */
    void readLoop() {
        byte[] buf = new byte[65536];
        while (true) {
            long n = c.recv(fd, buf, buf.length, 0);
            long now = System.nanoTime();
            if (n < 0) {
                continue; // EINTR / ENOBUFS: the kernel keeps queued packets, nothing to do
            }
            ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
            for (int off = 0; off + NLMSG_HDRLEN <= n; ) {
                int len = b.getInt(off);
                int type = b.getShort(off + 4) & 0xFFFF;
                if (len < NLMSG_HDRLEN || off + len > n) {
                    break;
                }
                if (type == (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET)) {
                    long id = packetId(b, off + NLMSG_HDRLEN + 4, off + len);
                    if (id >= 0) {
                        held.add(new Held(now + releaseAfter(), seq.getAndIncrement(), (int) id));
                    }
                } else if (type == NLMSG_ERROR && b.getInt(off + NLMSG_HDRLEN) != 0) {
                    sendErrors.incrementAndGet(); // a verdict the kernel refused (e.g. id already gone)
                }
                off += align4(len);
            }
        }
    }

    private long releaseAfter() {
        if (jitterNanos == 0) {
            return delayNanos;
        }
        return Math.max(0, delayNanos + random.nextLong(-jitterNanos, jitterNanos + 1));
    }

    /** The packet id from NFQA_PACKET_HDR (be32, unsigned), or -1 when absent. */
    private static long packetId(ByteBuffer b, int from, int end) {
        for (int a = from; a + 4 <= end; ) {
            int alen = b.getShort(a) & 0xFFFF;
            int atype = b.getShort(a + 2) & 0x3FFF; // drop NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (alen < 4) {
                break;
            }
            if (atype == NFQA_PACKET_HDR && alen >= 8) {
                return (b.get(a + 4) & 0xFFL) << 24 | (b.get(a + 5) & 0xFFL) << 16 | (b.get(a + 6) & 0xFFL) << 8
                        | (b.get(a + 7) & 0xFFL);
            }
            a += align4(alen);
        }
        return -1;
    }

    /** Sends the verdicts as packets come due; runs forever. */
    void verdictLoop() {
        ByteBuffer verdict = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        while (true) {
            Held h;
            try {
                h = held.take();
            } catch (InterruptedException e) {
                return;
            }
            verdict.clear();
            verdict.putInt(NF_ACCEPT).putInt(h.id);
            byte[] msg = message(NFQNL_MSG_VERDICT, AF_UNSPEC, queue, 0, NFQA_VERDICT_HDR, verdict.array().clone());
            if (c.send(fd, msg, msg.length, 0) < 0) {
                sendErrors.incrementAndGet();
            } else {
                accepted.incrementAndGet();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int queue = -1;
        long delayUs = 0;
        long jitterUs = 0;
        Path ready = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--queue" -> queue = Integer.parseInt(args[i + 1]);
                case "--delay-us" -> delayUs = Long.parseLong(args[i + 1]);
                case "--jitter-us" -> jitterUs = Long.parseLong(args[i + 1]);
                case "--ready" -> ready = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (queue < 0 || queue > 65535 || delayUs < 0 || jitterUs < 0) {
            System.err.println("usage: NfqDelay --queue N --delay-us D [--jitter-us J] [--ready FILE]");
            System.exit(2);
        }
        LibC libc = Native.load("c", LibC.class);
        NfqDelay d = new NfqDelay(libc, queue, delayUs * 1000, jitterUs * 1000);
        d.bindQueue();
        Thread v = new Thread(d::verdictLoop, "nfq-verdicts");
        v.setDaemon(true);
        v.start();
        Thread stats = new Thread(() -> {
            long last = -1;
            while (true) {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                long a = d.accepted.get();
                if (a != last) {
                    System.out.println("nfq-delay queue=" + d.queue + " accepted=" + a + " held=" + d.held.size()
                            + " errors=" + d.sendErrors.get());
                    last = a;
                }
            }
        }, "nfq-stats");
        stats.setDaemon(true);
        stats.start();
        System.out.println("nfq-delay queue=" + queue + " delay_us=" + delayUs + " jitter_us=" + jitterUs + " bound");
        if (ready != null) {
            Files.writeString(ready, "bound\n");
        }
        d.readLoop();
    }
}
