package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out virtual addresses (paper section 3.2): IPv4 from 100.64.0.0/10 (RFC 6598 shared
 * space, never routed on the Internet) and IPv6 from a ULA prefix fd00::/8 (RFC 4193). A name
 * keeps its addresses for the DC's lifetime, so a node that moves and re-registers keeps them.
 */
public final class VirtualAddressPool {

    /** 100.64.0.0: first address of the pool; .0 and the first /24 are skipped. */
    private static final int V4_BASE = (100 << 24) | (64 << 16);
    private static final int V4_SIZE = 1 << 22;
    /** fd00:6e74:6d00::/48 ("ntm"), interface ids numbered from 1. */
    private static final byte[] V6_PREFIX = {(byte) 0xfd, 0x00, 0x6e, 0x74, 0x6d, 0x00};

    private final Map<String, InetAddress[]> byName = new HashMap<>();
    private int next = 256 + 1;

    /** Returns {v4, v6} for {@code fqdn}, allocating on first use. */
    public synchronized InetAddress[] addressesFor(String fqdn) {
        return byName.computeIfAbsent(fqdn.toLowerCase(java.util.Locale.ROOT), n -> allocate());
    }

    private InetAddress[] allocate() {
        if (next >= V4_SIZE - 1) {
            throw new IllegalStateException("virtual IPv4 pool 100.64.0.0/10 exhausted");
        }
        int n = next++;
        int v4 = V4_BASE + n;
        byte[] a4 = {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        byte[] a6 = new byte[16];
        System.arraycopy(V6_PREFIX, 0, a6, 0, V6_PREFIX.length);
        a6[12] = (byte) (n >>> 24);
        a6[13] = (byte) (n >>> 16);
        a6[14] = (byte) (n >>> 8);
        a6[15] = (byte) n;
        try {
            return new InetAddress[] {InetAddress.getByAddress(a4), InetAddress.getByAddress(a6)};
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
