package org.ntmlab.ntm.transport.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a NAT maps and filters, in the terms of RFC 4787: the same vocabulary as the lab's
 * topology model ({@code org.ntmlab.lab.topology.NatType} in lab-topologies: the same enum
 * constant names, the same presets, the same YAML terms), plus the mapping timeout, which the
 * topology model keeps on the router. {@link #of(Enum, Enum, boolean, boolean, Duration)} takes
 * the topology model's enums as they are, so a topology's NAT becomes an in-memory one without
 * either module depending on the other.
 *
 * @param mapping          endpoint-independent, address-dependent or address-and-port-dependent mapping (section 4.1)
 * @param filtering        endpoint-independent, address-dependent or address-and-port-dependent filtering (section 5)
 * @param hairpinning      a datagram from inside to the NAT's own outside address is translated (source: the
 *                         sender's mapping) and delivered to the inside endpoint of the mapping it addresses,
 *                         unfiltered (section 6, REQ-9); without it such datagrams are dropped
 * @param portPreservation try to keep the internal port as the external one (Linux MASQUERADE does; section 4.2.1)
 * @param mappingTimeout   idle time after which a mapping is forgotten (RFC 4787 REQ-5: at least 2 min,
 *                         but real NATs use less, so nodes keep alive well under 30 s)
 */
public record NatBehaviour(Mapping mapping, Filtering filtering, boolean hairpinning, boolean portPreservation,
                           Duration mappingTimeout) {

    /** RFC 4787 section 4.1. */
    public enum Mapping {
        ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT;

        /** The YAML spelling: {@code endpoint-independent}, {@code address-dependent}, ... */
        public String term() {
            return termOf(this);
        }
    }

    /** RFC 4787 section 5. */
    public enum Filtering {
        ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT;

        /** The YAML spelling: {@code endpoint-independent}, {@code address-dependent}, ... */
        public String term() {
            return termOf(this);
        }
    }

    /** Mapping timeout of the presets (and of a topology router that sets none): the kernel's UDP timeout. */
    public static final Duration DEFAULT_MAPPING_TIMEOUT = Duration.ofSeconds(30);

    /** Linux MASQUERADE: EIM, port-dependent filtering, ports preserved (ENVIRONMENT.md, stun-client). */
    public static final NatBehaviour PORT_RESTRICTED_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, true, DEFAULT_MAPPING_TIMEOUT);
    /** EIM with address-dependent filtering. */
    public static final NatBehaviour RESTRICTED_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT, true, DEFAULT_MAPPING_TIMEOUT);
    /** 1:1 static NAT: anything reaching the external port gets in. */
    public static final NatBehaviour FULL_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT, true, DEFAULT_MAPPING_TIMEOUT);
    /** MASQUERADE --random-fully: a new random port per destination. */
    public static final NatBehaviour SYMMETRIC = new NatBehaviour(
            Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, false, DEFAULT_MAPPING_TIMEOUT);
    /**
     * The carrier NAT of NAT444 (RFC 6888 through RFC 4787): EIM, address-dependent filtering,
     * hairpinning, ports preserved.
     */
    public static final NatBehaviour CGNAT = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT, true, true, DEFAULT_MAPPING_TIMEOUT);

    public NatBehaviour {
        if (mapping == null || filtering == null || mappingTimeout == null) {
            throw new IllegalArgumentException("a NAT behaviour needs a mapping, a filtering and a mapping timeout");
        }
    }

    /** Without hairpinning (the default of a NAT here). */
    public NatBehaviour(Mapping mapping, Filtering filtering, boolean portPreservation, Duration mappingTimeout) {
        this(mapping, filtering, false, portPreservation, mappingTimeout);
    }

    /**
     * The in-memory NAT for a behaviour named in another module's enums with the same constant
     * names, e.g. the topology model's {@code NatType.Mapping}/{@code NatType.Filtering}:
     * {@code NatBehaviour.of(t.mapping(), t.filtering(), t.hairpinning(), t.portPreservation(), timeout)}.
     *
     * @param mappingTimeout null for {@link #DEFAULT_MAPPING_TIMEOUT}
     * @throws IllegalArgumentException when a constant has no counterpart here
     */
    public static NatBehaviour of(Enum<?> mapping, Enum<?> filtering, boolean hairpinning, boolean portPreservation,
                                  Duration mappingTimeout) {
        return new NatBehaviour(Mapping.valueOf(mapping.name()), Filtering.valueOf(filtering.name()), hairpinning,
                portPreservation, mappingTimeout != null ? mappingTimeout : DEFAULT_MAPPING_TIMEOUT);
    }

    /** The preset with this name ({@code port-restricted-cone}, {@code restricted-cone}, ...), as topology files name them. */
    public static Optional<NatBehaviour> preset(String name) {
        return switch (name) {
            case "port-restricted-cone" -> Optional.of(PORT_RESTRICTED_CONE);
            case "restricted-cone" -> Optional.of(RESTRICTED_CONE);
            case "full-cone" -> Optional.of(FULL_CONE);
            case "symmetric" -> Optional.of(SYMMETRIC);
            case "cgnat" -> Optional.of(CGNAT);
            default -> Optional.empty();
        };
    }

    public NatBehaviour withHairpinning(boolean on) {
        return new NatBehaviour(mapping, filtering, on, portPreservation, mappingTimeout);
    }

    public NatBehaviour withMappingTimeout(Duration timeout) {
        return new NatBehaviour(mapping, filtering, hairpinning, portPreservation, timeout);
    }

    private static String termOf(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every combination of mapping, filtering, hairpinning and port preservation, with this timeout. */
    public static List<NatBehaviour> all(Duration mappingTimeout) {
        List<NatBehaviour> out = new ArrayList<>();
        for (Mapping m : Mapping.values()) {
            for (Filtering f : Filtering.values()) {
                for (boolean h : new boolean[] {false, true}) {
                    for (boolean p : new boolean[] {true, false}) {
                        out.add(new NatBehaviour(m, f, h, p, mappingTimeout));
                    }
                }
            }
        }
        return out;
    }

    /** In the YAML terms, e.g. {@code endpoint-independent mapping, address-dependent filtering, ..., timeout 30s}. */
    @Override
    public String toString() {
        return mapping.term() + " mapping, " + filtering.term() + " filtering" + (hairpinning ? ", hairpinning" : "")
                + (portPreservation ? ", port preservation" : "") + ", timeout " + mappingTimeout.toSeconds() + "s";
    }
}
