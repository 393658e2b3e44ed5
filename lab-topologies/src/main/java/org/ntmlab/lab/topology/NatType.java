package org.ntmlab.lab.topology;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * NAT behaviour of a router, named as in RFC 4787 / RFC 3489 and built from Linux rules.
 * Each constant also says how {@code stun-client} (RFC 3489/5780 style tests) classifies it,
 * which is how the lab checks a router really behaves as declared.
 */
public enum NatType {
    /** MASQUERADE: endpoint-independent mapping, port-dependent filtering, ports preserved. */
    PORT_RESTRICTED_CONE("port-restricted-cone", "Independent Mapping, Port Dependent Filter"),
    /** MASQUERADE --random-fully: address/port-dependent mapping, random ports. */
    SYMMETRIC("symmetric", "Dependent Mapping"),
    /** 1:1 SNAT + DNAT: endpoint-independent mapping and filtering. */
    FULL_CONE("full-cone", "Independent Mapping, Independent Filter");

    private final String yamlName;
    private final String stunClassification;

    NatType(String yamlName, String stunClassification) {
        this.yamlName = yamlName;
        this.stunClassification = stunClassification;
    }

    public String yamlName() {
        return yamlName;
    }

    /** The start of the "Primary:" line Debian's stun-client prints for this behaviour. */
    public String stunClassification() {
        return stunClassification;
    }

    /** RFC 4787 section 4.1: what a mapping depends on besides the inside endpoint. */
    public enum Mapping { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

    /** RFC 4787 section 5: which outside endpoints may send in through a mapping. */
    public enum Filtering { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

    /** True when a mapping made towards one peer is reused towards others (RFC 4787 REQ-1). */
    public boolean endpointIndependentMapping() {
        return mapping() == Mapping.ENDPOINT_INDEPENDENT;
    }

    /** This NAT's mapping behaviour (RFC 4787 section 4.1). */
    public Mapping mapping() {
        return this == SYMMETRIC ? Mapping.ADDRESS_AND_PORT_DEPENDENT : Mapping.ENDPOINT_INDEPENDENT;
    }

    /** This NAT's filtering behaviour (RFC 4787 section 5). */
    public Filtering filtering() {
        return this == FULL_CONE ? Filtering.ENDPOINT_INDEPENDENT : Filtering.ADDRESS_AND_PORT_DEPENDENT;
    }

    /**
     * Whether a host behind this NAT reaches another host behind it through the NAT's outside
     * address (RFC 4787 section 6, REQ-9). None of the Linux rule sets here does.
     */
    public boolean hairpinning() {
        return false;
    }

    public static Optional<NatType> fromYaml(String s) {
        return Arrays.stream(values()).filter(k -> k.yamlName.equals(s)).findFirst();
    }

    public static String expected() {
        return Arrays.stream(values()).map(NatType::yamlName).collect(Collectors.joining(", "));
    }
}
