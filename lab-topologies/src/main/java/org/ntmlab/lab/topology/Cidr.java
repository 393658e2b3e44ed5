package org.ntmlab.lab.topology;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** An IPv4 or IPv6 prefix such as {@code 198.51.100.0/24} or {@code 2001:db8:6::/64}. */
public record Cidr(InetAddress network, int prefixLength) {

    /** Documentation, private and shared ranges the lab accepts (RFC 5737, RFC 3849, RFC 1918, RFC 6598). */
    public static final Cidr TEST_NET_2 = of("198.51.100.0/24");
    public static final Cidr TEST_NET_3 = of("203.0.113.0/24");
    public static final Cidr DOC_V6 = of("2001:db8::/32");
    public static final Cidr PRIVATE_10 = of("10.0.0.0/8");
    public static final Cidr PRIVATE_192_168 = of("192.168.0.0/16");
    /** RFC 6598 shared address space: the inside of a carrier-grade NAT (NAT444). */
    public static final Cidr SHARED_100_64 = of("100.64.0.0/10");
    /** Kept for the IPv4 side Docker insists on giving IPv6-only segments (see docs/topology-format.md). */
    public static final Cidr LAB_RESERVED = of("10.255.0.0/16");

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
    }

    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Optional<InetAddress> addr = IpLiteral.parse(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (addr.isEmpty() || len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int p = Integer.parseInt(len);
        if (p > addr.get().getAddress().length * 8) {
            return Optional.empty();
        }
        return Optional.of(new Cidr(addr.get(), p));
    }

    public static Cidr of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not a prefix: " + text));
    }

    public boolean isIpv6() {
        return network.getAddress().length == 16;
    }

    private int bits() {
        return network.getAddress().length * 8;
    }

    private BigInteger value(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    private BigInteger mask() {
        return BigInteger.ONE.shiftLeft(bits()).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits() - prefixLength).subtract(BigInteger.ONE));
    }

    /** True when the address part has host bits set (e.g. 10.1.0.5/24). */
    public boolean hasHostBits() {
        return !value(network).and(mask()).equals(value(network));
    }

    public boolean contains(InetAddress a) {
        return a.getAddress().length == network.getAddress().length
                && value(a).and(mask()).equals(value(network).and(mask()));
    }

    /** True when every address of this prefix is inside {@code outer}. */
    public boolean within(Cidr outer) {
        return isIpv6() == outer.isIpv6() && prefixLength >= outer.prefixLength && outer.contains(network);
    }

    public boolean overlaps(Cidr other) {
        return within(other) || other.within(this);
    }

    /** The address {@code index} hosts above the network address (index 1 = Docker's gateway). */
    public InetAddress host(long index) {
        return host(BigInteger.valueOf(index));
    }

    /** The address {@code index} hosts above the network address, for IPv6 indices beyond a long. */
    public InetAddress host(BigInteger index) {
        BigInteger v = value(network).and(mask()).add(index);
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bits() / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Host number of {@code a} inside this prefix (0 = network address). */
    public BigInteger indexOf(InetAddress a) {
        return value(a).subtract(value(network).and(mask()));
    }

    /** Number of addresses in the prefix. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits() - prefixLength);
    }

    /** Docker's bridge takes the first host address; the lab never hands it out. */
    public InetAddress gateway() {
        return host(1);
    }

    @Override
    public String toString() {
        return IpLiteral.format(host(0)) + "/" + prefixLength;
    }
}
