package org.ntmlab.ntm.dc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hands out virtual addresses (paper section 3.2): IPv4 from 100.64.0.0/10 (RFC 6598 shared
 * space, never routed on the Internet) and IPv6 from the ULA prefix fd00:6e74:6d00::/48 ("ntm",
 * RFC 4193). A name keeps its addresses for the DC's lifetime, so a node that moves and
 * re-registers keeps them.
 *
 * <p>Each domain draws from its own block, chosen by a hash of the domain name: one of the 64
 * IPv4 /16s of 100.64.0.0/10 and one of the 65,536 IPv6 /64s of the /48. A node that talks to
 * peers of several domains (docs/protocol.md, "Several domains") holds their virtual addresses
 * side by side, and one DC cannot know what another hands out: with a single shared pool the
 * first node of every domain was 100.64.1.1, and a node's packets for one peer went into the
 * other's tunnel. Two domains can still land in the same IPv4 /16 (1 in 64); the node then
 * refuses the second tunnel with a clear error instead of misdelivering (NtmNode).
 *
 * <p>Within the block a name's host number is derived from the name itself (issue 10: a
 * restarted DC must give every node the addresses it had, whatever order they register again
 * in, or the peers' open sockets break): SHA-256 of the lower-case FQDN, its first four bytes
 * as an unsigned number modulo the {@link #SLOTS} host numbers .1.1 .. .255.254, plus .1.1
 * ({@link #slotOf}). When two names of the domain map to one number, the first to register
 * takes it and the other the next free one (linear probing, wrapping around): only such names
 * depend on the order, and after a restart they may swap when they register in the other order.
 * The IPv6 interface id is the same number.
 */
public final class VirtualAddressPool {

    /** Hosts are numbered from .1.1 of the block: .0 and the first /24 are skipped. */
    private static final int FIRST_HOST = 256 + 1;
    private static final int V4_BLOCK_SIZE = 1 << 16;
    /** Host numbers .1.1 .. .255.254 of the /16 (the last one, .255.255, is left out). */
    static final int SLOTS = V4_BLOCK_SIZE - 1 - FIRST_HOST;

    private final String domain;
    private final int v4Base;
    private final byte[] v6Prefix = new byte[8];
    private final Map<String, InetAddress[]> byName = new HashMap<>();
    /** Host numbers taken, and by which name. */
    private final Map<Integer, String> byNumber = new HashMap<>();

    public VirtualAddressPool(String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        byte[] h = sha256(this.domain);
        v4Base = (100 << 24) | ((64 + (h[0] & 0x3F)) << 16);
        byte[] ula = {(byte) 0xfd, 0x00, 0x6e, 0x74, 0x6d, 0x00, h[1], h[2]};
        System.arraycopy(ula, 0, v6Prefix, 0, 8);
    }

    /**
     * Whether {@code a} may be a virtual address of a node of this domain: in its IPv4 /16 or its
     * IPv6 /64 (null: no address, nothing to check). A peer DC speaks for its own domain only
     * (issue 11 finding 14): an address outside its block would make our nodes send a peer's
     * traffic for someone else's address into its tunnel.
     */
    public boolean inBlock(InetAddress a) {
        if (a == null) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int v = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16);
            return v == v4Base;
        }
        for (int i = 0; i < 8; i++) {
            if (b[i] != v6Prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The IPv6 block of this domain, e.g. {@code fd00:6e74:6d00:8626::/64}. */
    public String v6Block() {
        return String.format("fd00:6e74:6d00:%02x%02x::/64", v6Prefix[6] & 0xFF, v6Prefix[7] & 0xFF);
    }

    /** The IPv4 block of this domain, e.g. {@code 100.87.0.0/16}. */
    public String v4Block() {
        return (v4Base >>> 24) + "." + ((v4Base >>> 16) & 0xFF) + ".0.0/16";
    }

    /** Returns {v4, v6} for {@code fqdn}, allocating on first use. */
    public synchronized InetAddress[] addressesFor(String fqdn) {
        return byName.computeIfAbsent(fqdn.toLowerCase(Locale.ROOT), this::allocate);
    }

    /**
     * The host number {@code fqdn} gets unless another name took it first: {@code FIRST_HOST +
     * (first 4 bytes of SHA-256(lower-case fqdn), unsigned) mod SLOTS}, in 257 .. 65534.
     */
    static int slotOf(String fqdn) {
        byte[] h = sha256(fqdn.toLowerCase(Locale.ROOT));
        long u = ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
        return FIRST_HOST + (int) (u % SLOTS);
    }

    private InetAddress[] allocate(String name) {
        int n = slotOf(name);
        for (int probed = 0; byNumber.containsKey(n); probed++) {
            if (probed >= SLOTS) {
                throw new IllegalStateException("virtual IPv4 block " + v4Block() + " of " + domain + " exhausted");
            }
            n = n + 1 < FIRST_HOST + SLOTS ? n + 1 : FIRST_HOST; // linear probing, wrapping around
        }
        byNumber.put(n, name);
        int v4 = v4Base + n;
        byte[] a4 = {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        byte[] a6 = new byte[16];
        System.arraycopy(v6Prefix, 0, a6, 0, 8);
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

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
