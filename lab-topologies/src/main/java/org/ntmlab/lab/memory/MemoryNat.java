package org.ntmlab.lab.memory;

import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * The one place where a topology router's NAT becomes an in-memory one ({@link NatBehaviour} of
 * ntm-impl's {@code NatRouter}), read through {@link NatType}'s RFC 4787 accessors only, so a new
 * NAT type of the topology vocabulary needs nothing here unless it brings a new behaviour:
 * mapping (RFC 4787 section 4.1), filtering (section 5), hairpinning (section 6), port
 * preservation (section 4.2.1) and the mapping timeout (section 4.3: the router's
 * {@code mappingTimeout}, else {@link NatBehaviour#DEFAULT_MAPPING_TIMEOUT}, the Linux default
 * for UDP, which the Docker lab's routers then keep).
 *
 * <p>Not modelled: a router's extra outside addresses (the Docker lab maps each inside host of a
 * 1:1 NAT type, e.g. {@code full-cone} or {@code cgnat}, to an address of its own; here every inside
 * host shares the router's outside address, each keeping its port), and the router's inside
 * address (nothing sends to it).
 */
public final class MemoryNat {

    private MemoryNat() {
    }

    /** The in-memory NAT behaviour of {@code router}. */
    public static NatBehaviour behaviour(Router router) {
        NatType nat = router.nat();
        return NatBehaviour.of(nat.mapping(), nat.filtering(), nat.hairpinning(), nat.portPreservation(),
                router.mappingTimeout());
    }
}
