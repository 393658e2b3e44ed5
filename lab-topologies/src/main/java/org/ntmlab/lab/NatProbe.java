package org.ntmlab.lab;

import java.util.Optional;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.NatType.Filtering;
import org.ntmlab.lab.topology.NatType.Mapping;

/**
 * Classifies a router the RFC 3489/5780 way: Debian's {@code stun-client} in a host behind the
 * router talks to {@code stund} (two addresses, two ports) on the router's outside segment and
 * prints e.g. "Primary: Independent Mapping, Port Dependent Filter, preserves ports, no hairpin".
 *
 * <p>What the line can tell: endpoint-independent or dependent mapping (not which dependent
 * one), the filtering of an endpoint-independent mapping (none for a dependent one), port
 * preservation, and hairpinning (a datagram from the client's socket to its own mapping). A
 * router matches its declared type when its line is {@link NatType#stunClassification()}.
 */
public final class NatProbe {
    private NatProbe() {
    }

    /**
     * Outcome for one router.
     *
     * @param observed the behaviour the line describes; where the line cannot tell, the one the lab
     *                 builds (a dependent mapping reads as address-and-port-dependent mapping and filtering)
     */
    public record Result(String router, NatType declared, String primaryLine, Optional<NatType> observed) {
        public boolean matchesDeclared() {
            return observed.isPresent() && observed.get().stunClassification().equals(declared.stunClassification());
        }

        @Override
        public String toString() {
            return router + ": declared " + declared.yamlName() + ", stun-client says '" + primaryLine + "'"
                    + observed.map(o -> " (" + o.yamlName() + ")").orElse(" (no NAT type of the lab)");
        }
    }

    /** The "Primary:" line of stun-client's output, without the prefix; "" if absent. */
    static String primaryLine(String stunOutput) {
        return stunOutput.lines().filter(l -> l.startsWith("Primary:")).findFirst()
                .map(l -> l.substring("Primary:".length()).strip()).orElse("");
    }

    /** Which NAT behaviour a "Primary:" line describes (see {@link Result#observed()}). */
    static Optional<NatType> classify(String primary) {
        String[] parts = primary.split(",\\s*");
        Mapping mapping;
        Filtering filtering;
        int next;
        if (parts.length >= 2 && parts[0].equals("Independent Mapping")) {
            filtering = switch (parts[1]) {
                case "Independent Filter" -> Filtering.ENDPOINT_INDEPENDENT;
                case "Address Dependent Filter" -> Filtering.ADDRESS_DEPENDENT;
                case "Port Dependent Filter" -> Filtering.ADDRESS_AND_PORT_DEPENDENT;
                default -> null;
            };
            mapping = Mapping.ENDPOINT_INDEPENDENT;
            next = 2;
        } else if (parts.length >= 1 && parts[0].equals("Dependent Mapping")) {
            mapping = Mapping.ADDRESS_AND_PORT_DEPENDENT;
            filtering = Filtering.ADDRESS_AND_PORT_DEPENDENT;
            next = 1;
        } else {
            return Optional.empty();
        }
        if (filtering == null || parts.length < next + 2) {
            return Optional.empty();
        }
        Boolean ports = parts[next].equals("preserves ports") ? Boolean.TRUE
                : parts[next].equals("random port") ? Boolean.FALSE : null;
        Boolean hairpin = parts[next + 1].equals("will hairpin") ? Boolean.TRUE
                : parts[next + 1].equals("no hairpin") ? Boolean.FALSE : null;
        if (ports == null || hairpin == null) {
            return Optional.empty();
        }
        return Optional.of(new NatType(mapping, filtering, hairpin, ports));
    }
}
