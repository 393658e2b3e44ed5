package org.ntmlab.ntm.node;

import java.io.IOException;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.ntmlab.ntm.signalling.ProtocolConstants;

/**
 * Learns of real-address changes from the Linux kernel as they happen (paper section 4.2:
 * NTMfw watches its addresses; the paper's Figure 11 shows the netlink notification as one
 * phase of a handover). A NETLINK_ROUTE socket subscribed to RTMGRP_IPV4_IFADDR and
 * RTMGRP_IPV6_IFADDR (rtnetlink(7)) delivers RTM_NEWADDR / RTM_DELADDR; each one triggers
 * {@link NtmNode#addressesChanged()}. It also listens to RTMGRP_IPV4_ROUTE / RTMGRP_IPV6_ROUTE:
 * a DHCP client adds the address a moment before the default route, and a REGISTER sent in
 * between fails with "network unreachable"; RTM_NEWROUTE ({@link NtmNode#routesChanged()})
 * sends it again at once instead of at the next retry timer. Uses JNA, so no native code of ours.
 */
public final class NetlinkAddressWatcher implements AutoCloseable {

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int RTMGRP_IPV4_IFADDR = 0x10;
    private static final int RTMGRP_IPV6_IFADDR = 0x100;
    private static final int RTMGRP_IPV4_ROUTE = 0x40;
    private static final int RTMGRP_IPV6_ROUTE = 0x400;
    private static final int RTM_NEWROUTE = 24;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int NLMSG_HEADER = 16;

    /** The few libc calls we need. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int len);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private static final LibC C = load();

    private final int fd;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long notifications;
    private volatile long routeNotifications;

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (Throwable t) {
            return null; // not Linux, or JNA unavailable: callers fall back to polling
        }
    }

    /** True when netlink can be used here (Linux with JNA). */
    public static boolean available() {
        return C != null;
    }

    /**
     * Opens the netlink socket and starts a watcher thread calling {@code onChange} per batch of
     * address events and {@code onRoute} per batch of new routes.
     */
    public NetlinkAddressWatcher(Runnable onChange, Runnable onRoute) throws IOException {
        if (C == null) {
            throw new IOException("netlink unavailable: libc could not be loaded through JNA");
        }
        fd = C.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        if (fd < 0) {
            throw new IOException("socket(AF_NETLINK) failed, errno " + Native.getLastError());
        }
        Memory sa = new Memory(12); // struct sockaddr_nl: family, pad, pid, groups
        sa.clear();
        sa.setShort(0, (short) AF_NETLINK);
        sa.setInt(4, 0);
        sa.setInt(8, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE);
        if (C.bind(fd, sa, 12) < 0) {
            int err = Native.getLastError();
            C.close(fd);
            throw new IOException("bind(netlink) failed, errno " + err);
        }
        thread = new Thread(() -> run(onChange, onRoute), "netlink-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Address notifications received so far. */
    public long notifications() {
        return notifications;
    }

    /** New-route notifications received so far. */
    public long routeNotifications() {
        return routeNotifications;
    }

    private void run(Runnable onChange, Runnable onRoute) {
        byte[] buf = new byte[ProtocolConstants.Node.NETLINK_RECEIVE_BUFFER_BYTES];
        while (!closed) {
            long n = C.recv(fd, buf, buf.length, 0);
            if (n < 0) {
                if (closed) {
                    return;
                }
                continue; // EINTR or ENOBUFS (we missed events): the next event re-reads all addresses anyway
            }
            boolean change = false;
            boolean route = false;
            for (int off = 0; off + NLMSG_HEADER <= n; ) {
                int len = le32(buf, off);
                int type = (buf[off + 4] & 0xFF) | (buf[off + 5] & 0xFF) << 8;
                if (type == RTM_NEWADDR || type == RTM_DELADDR) {
                    change = true;
                } else if (type == RTM_NEWROUTE) {
                    route = true;
                }
                if (len < NLMSG_HEADER) {
                    break;
                }
                off += (len + 3) & ~3; // NLMSG_ALIGN
            }
            if (change) {
                notifications++;
                onChange.run();
            }
            if (route) {
                routeNotifications++;
                onRoute.run();
            }
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    @Override
    public void close() {
        closed = true;
        C.close(fd); // a blocked recv may not wake on close; the thread is a daemon
    }
}
