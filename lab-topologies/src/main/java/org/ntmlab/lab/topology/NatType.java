package org.ntmlab.lab.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * NAT behaviour of a router in the terms of RFC 4787: how mappings are made (section 4.1),
 * which outside endpoints may send in through them (section 5), whether the NAT hairpins
 * (section 6) and whether it keeps the inside port (section 4.2.1). The mapping timeout
 * (section 4.3) is the router's {@link Router#mappingTimeout()}.
 *
 * <p>The classic names are presets ({@link #PORT_RESTRICTED_CONE}, {@link #RESTRICTED_CONE},
 * {@link #FULL_CONE}, {@link #SYMMETRIC}, and {@link #CGNAT} for the carrier NAT of NAT444);
 * every other combination is written with explicit fields (docs/topology-format.md). The
 * in-memory network (ntm-impl's {@code NatBehaviour}) uses the same terms with the same enum
 * constant names. Not every combination can be built with Linux in the lab image:
 * {@link #dockerLimitation()} says why, and the topology validator refuses those.
 *
 * @param hairpinning      a datagram from inside to one of the NAT's external endpoints is
 *                         translated and delivered to that mapping's inside endpoint, with
 *                         the sender's external endpoint as its source (RFC 4787 REQ-9)
 * @param portPreservation the NAT keeps the inside port as the external one when it can
 */
public record NatType(Mapping mapping, Filtering filtering, boolean hairpinning, boolean portPreservation) {

    /** RFC 4787 section 4.1: what a mapping depends on besides the inside endpoint. */
    public enum Mapping {
        ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT;

        /** The YAML spelling: {@code endpoint-independent}, {@code address-dependent}, ... */
        public String term() {
            return NatType.termOf(this);
        }

        public static Optional<Mapping> fromTerm(String s) {
            return byTerm(values(), s);
        }
    }

    /** RFC 4787 section 5: which outside endpoints may send in through a mapping. */
    public enum Filtering {
        ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT;

        /** The YAML spelling: {@code endpoint-independent}, {@code address-dependent}, ... */
        public String term() {
            return NatType.termOf(this);
        }

        public static Optional<Filtering> fromTerm(String s) {
            return byTerm(values(), s);
        }
    }

    /** Linux MASQUERADE: endpoint-independent mapping, address-and-port-dependent filtering, ports kept. */
    public static final NatType PORT_RESTRICTED_CONE = new NatType(Mapping.ENDPOINT_INDEPENDENT,
            Filtering.ADDRESS_AND_PORT_DEPENDENT, false, true);
    /** MASQUERADE --random-fully: a new random port per destination, address-and-port-dependent filtering. */
    public static final NatType SYMMETRIC = new NatType(Mapping.ADDRESS_AND_PORT_DEPENDENT,
            Filtering.ADDRESS_AND_PORT_DEPENDENT, false, false);
    /** 1:1 SNAT + DNAT: endpoint-independent mapping and filtering. */
    public static final NatType FULL_CONE = new NatType(Mapping.ENDPOINT_INDEPENDENT,
            Filtering.ENDPOINT_INDEPENDENT, false, true);
    /** Endpoint-independent mapping, address-dependent filtering. */
    public static final NatType RESTRICTED_CONE = new NatType(Mapping.ENDPOINT_INDEPENDENT,
            Filtering.ADDRESS_DEPENDENT, false, true);
    /**
     * The carrier NAT of NAT444 (its inside is 100.64.0.0/10, RFC 6598): what RFC 6888 asks of a
     * CGN through RFC 4787, i.e. endpoint-independent mapping (REQ-1), address-dependent
     * filtering (REQ-8's stricter choice) and hairpinning (REQ-9), ports kept.
     */
    public static final NatType CGNAT = new NatType(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT,
            true, true);

    private static final List<String> PRESET_NAMES = List.of("port-restricted-cone", "symmetric", "full-cone",
            "restricted-cone", "cgnat");
    private static final List<NatType> PRESETS = List.of(PORT_RESTRICTED_CONE, SYMMETRIC, FULL_CONE,
            RESTRICTED_CONE, CGNAT);

    public NatType {
        if (mapping == null || filtering == null) {
            throw new IllegalArgumentException("a NAT type needs a mapping and a filtering behaviour");
        }
    }

    /** Mapping and filtering with the default extras: no hairpinning, ports kept iff the mapping is endpoint-independent. */
    public static NatType of(Mapping mapping, Filtering filtering) {
        return new NatType(mapping, filtering, false, defaultPortPreservation(mapping));
    }

    /** What {@code portPreservation} is when a file does not say: true for an endpoint-independent mapping. */
    public static boolean defaultPortPreservation(Mapping mapping) {
        return mapping == Mapping.ENDPOINT_INDEPENDENT;
    }

    /** The named presets, in the order error messages list them. */
    public static List<NatType> presets() {
        return PRESETS;
    }

    /** The presets as an array: what {@code values()} gave when NatType was an enum of them. */
    public static NatType[] values() {
        return PRESETS.toArray(new NatType[0]);
    }

    /** Every combination of the vocabulary (3 mappings x 3 filterings x hairpinning x port preservation). */
    public static List<NatType> all() {
        List<NatType> out = new ArrayList<>();
        for (Mapping m : Mapping.values()) {
            for (Filtering f : Filtering.values()) {
                for (boolean h : new boolean[] {false, true}) {
                    for (boolean p : new boolean[] {true, false}) {
                        out.add(new NatType(m, f, h, p));
                    }
                }
            }
        }
        return out;
    }

    /** The combinations the Docker lab can build ({@link #dockerLimitation()} is empty). */
    public static List<NatType> dockerBuildable() {
        return all().stream().filter(t -> t.dockerLimitation().isEmpty()).toList();
    }

    /** The preset name when this is one of the presets. */
    public Optional<String> presetName() {
        int i = PRESETS.indexOf(this);
        return i < 0 ? Optional.empty() : Optional.of(PRESET_NAMES.get(i));
    }

    /**
     * How a topology file writes this behaviour: the preset name, or the explicit form
     * {@code { mapping: ..., filtering: ..., hairpinning: ..., portPreservation: ... }}.
     */
    public String yamlName() {
        return presetName().orElseGet(() -> "{ mapping: " + mapping.term() + ", filtering: " + filtering.term()
                + ", hairpinning: " + hairpinning + ", portPreservation: " + portPreservation + " }");
    }

    /**
     * The "Primary:" line Debian's stun-client (RFC 3489 tests) prints for this behaviour, e.g.
     * {@code Independent Mapping, Port Dependent Filter, preserves ports, no hairpin}. It tells
     * endpoint-independent from dependent mappings only (both dependent mappings print
     * {@code Dependent Mapping}) and reports filtering only for an endpoint-independent mapping.
     */
    public String stunClassification() {
        String head = mapping == Mapping.ENDPOINT_INDEPENDENT
                ? "Independent Mapping, " + switch (filtering) {
                    case ENDPOINT_INDEPENDENT -> "Independent Filter";
                    case ADDRESS_DEPENDENT -> "Address Dependent Filter";
                    case ADDRESS_AND_PORT_DEPENDENT -> "Port Dependent Filter";
                }
                : "Dependent Mapping";
        return head + (portPreservation ? ", preserves ports" : ", random port")
                + (hairpinning ? ", will hairpin" : ", no hairpin");
    }

    /** True when a mapping made towards one peer is reused towards others (RFC 4787 REQ-1). */
    public boolean endpointIndependentMapping() {
        return mapping == Mapping.ENDPOINT_INDEPENDENT;
    }

    /**
     * Whether the Docker lab builds this NAT as static 1:1 NAT (one outside address per inside
     * host, SNAT + DNAT) rather than MASQUERADE: needed to let new flows in (endpoint-independent
     * or address-dependent filtering) and to hairpin. Only for buildable types.
     */
    public boolean dockerOneToOne() {
        return endpointIndependentMapping()
                && (filtering != Filtering.ADDRESS_AND_PORT_DEPENDENT || hairpinning);
    }

    /**
     * Why the Docker lab (iptables and the kernel of the lab image) cannot build this behaviour;
     * empty when it can. See the catalogue in docs/topology-format.md.
     */
    public Optional<String> dockerLimitation() {
        List<String> why = new ArrayList<>();
        if (mapping == Mapping.ADDRESS_DEPENDENT) {
            why.add("an address-dependent mapping cannot be built: Linux NAT picks the external port per"
                    + " connection-tracking flow, keeping the inside port whenever it is free (endpoint-independent"
                    + " in effect) or drawing one per flow with --random-fully (address-and-port-dependent); a port"
                    + " that depends on the remote address alone needs an nftables hash expression, and the lab"
                    + " image has no nft");
        } else if (mapping == Mapping.ADDRESS_AND_PORT_DEPENDENT) {
            if (portPreservation) {
                why.add("an address-and-port-dependent mapping cannot keep ports: Linux keeps the inside port for"
                        + " every destination when it can, which is an endpoint-independent mapping; a new mapping"
                        + " per destination needs --random-fully, which draws a random port");
            }
            if (filtering != Filtering.ADDRESS_AND_PORT_DEPENDENT) {
                why.add(filtering.term() + " filtering with a dependent mapping cannot be built: new flows from"
                        + " other remote endpoints would have to be forwarded to a port drawn for one flow, and"
                        + " iptables can forward (DNAT) only by address, statically");
            }
            if (hairpinning) {
                why.add("hairpinning with a dependent mapping cannot be built: a datagram to one of the per-flow"
                        + " ports would have to reach that flow's inside port, and iptables DNAT forwards by"
                        + " address only, keeping the port");
            }
        } else if (!portPreservation) {
            why.add("an endpoint-independent mapping without port preservation cannot be built: MASQUERADE and"
                    + " SNAT keep the inside port when they can, and --random/--random-fully draw a new port per"
                    + " flow (a dependent mapping); a fixed translated port per inside endpoint needs a shifted"
                    + " port map, which Linux has for DNAT only");
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    public static Optional<NatType> fromYaml(String s) {
        int i = PRESET_NAMES.indexOf(s);
        return i < 0 ? Optional.empty() : Optional.of(PRESETS.get(i));
    }

    /** The preset names, comma-separated (for error messages). */
    public static String expected() {
        return String.join(", ", PRESET_NAMES);
    }

    /** The terms of a mapping or filtering enum, comma-separated (for error messages). */
    static String expectedTerms() {
        return Arrays.stream(Mapping.values()).map(Mapping::term).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return yamlName();
    }

    private static <E extends Enum<E>> Optional<E> byTerm(E[] values, String term) {
        return Arrays.stream(values).filter(v -> termOf(v).equals(term)).findFirst();
    }

    private static String termOf(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
