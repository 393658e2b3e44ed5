package org.ntmlab.lab.memory;

import java.time.Duration;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * The one place where a topology router's NAT becomes an in-memory one ({@link NatBehaviour} of
 * ntm-impl's {@code NatRouter}), read through {@link NatType}'s RFC 4787 accessors only, so a new
 * NAT type of the topology vocabulary needs nothing here unless it brings a new behaviour:
 * <ul>
 * <li>mapping (RFC 4787 section 4.1) and filtering (section 5): the same three behaviours on both
 * sides;</li>
 * <li>port preservation (section 4.2.1): on for an endpoint-independent mapping, as Linux
 * MASQUERADE and 1:1 SNAT keep the inside port, off for a mapping per destination, as
 * {@code MASQUERADE --random-fully} draws a port;</li>
 * <li>mapping timeout (section 4.3): the router's {@code mappingTimeout}, else
 * {@link #DEFAULT_MAPPING_TIMEOUT};</li>
 * <li>hairpinning (section 6): not set here. The in-memory NAT of this version has no switch for it
 * (a datagram from inside to the NAT's own outside address goes out and back in through the
 * mapping, i.e. it hairpins whatever {@link NatType#hairpinning()} says); the Docker lab's NATs do
 * not hairpin. Cells that could only meet at a shared NAT's outside address (rules SHARED_NAT,
 * and SAME_SEGMENT / ONE_SIDE_OPEN when both ends are behind one NAT) may therefore differ
 * between the backends until the in-memory NAT takes {@code hairpinning()} from here.</li>
 * </ul>
 * Not modelled: a {@code full-cone} router's extra outside addresses (the Docker lab maps each
 * inside host 1:1 to an address of its own; here every inside host shares the router's outside
 * address, each keeping its port), and the router's inside address (nothing sends to it).
 */
public final class MemoryNat {

    /**
     * The mapping timeout of a router whose file sets none: the Linux default for UDP
     * ({@code nf_conntrack_udp_timeout}, 30 s), which the Docker lab's routers then keep.
     */
    public static final Duration DEFAULT_MAPPING_TIMEOUT = Duration.ofSeconds(30);

    private MemoryNat() {
    }

    /** The in-memory NAT behaviour of {@code router}. */
    public static NatBehaviour behaviour(Router router) {
        NatType nat = router.nat();
        NatBehaviour.Mapping mapping = switch (nat.mapping()) {
            case ENDPOINT_INDEPENDENT -> NatBehaviour.Mapping.ENDPOINT_INDEPENDENT;
            case ADDRESS_DEPENDENT -> NatBehaviour.Mapping.ADDRESS_DEPENDENT;
            case ADDRESS_AND_PORT_DEPENDENT -> NatBehaviour.Mapping.ADDRESS_AND_PORT_DEPENDENT;
        };
        NatBehaviour.Filtering filtering = switch (nat.filtering()) {
            case ENDPOINT_INDEPENDENT -> NatBehaviour.Filtering.ENDPOINT_INDEPENDENT;
            case ADDRESS_DEPENDENT -> NatBehaviour.Filtering.ADDRESS_DEPENDENT;
            case ADDRESS_AND_PORT_DEPENDENT -> NatBehaviour.Filtering.ADDRESS_AND_PORT_DEPENDENT;
        };
        Duration timeout = router.mappingTimeout() != null ? router.mappingTimeout() : DEFAULT_MAPPING_TIMEOUT;
        return new NatBehaviour(mapping, filtering, nat.endpointIndependentMapping(), timeout);
    }
}
