package org.ntmlab.ntm.transport.memory;

/**
 * One link of the in-memory network: an IPv4 or IPv6 subnet. Global segments of a family
 * reach each other directly (they stand for the Internet); a private segment reaches the
 * rest only through its {@link NatRouter}.
 */
public final class Segment {

    private final String name;
    private final boolean global;
    private volatile Impairment impairment = Impairment.NONE;
    NatRouter gateway;

    Segment(String name, boolean global) {
        this.name = name;
        this.global = global;
    }

    public String name() {
        return name;
    }

    public boolean isGlobal() {
        return global;
    }

    public Impairment impairment() {
        return impairment;
    }

    /** Applies {@code impairment} to every datagram arriving on this segment from now on. */
    public Segment impair(Impairment impairment) {
        this.impairment = impairment;
        return this;
    }

    /** The NAT router that connects this private segment to the outside, or null. */
    public NatRouter gateway() {
        return gateway;
    }

    @Override
    public String toString() {
        return name;
    }
}
