package org.ntmlab.lab;

import java.util.Arrays;
import java.util.Optional;
import org.ntmlab.lab.topology.NatType;

/**
 * Classifies a router the RFC 3489/5780 way: Debian's {@code stun-client} in a host behind the
 * router talks to {@code stund} (two addresses, two ports) on the router's outside segment and
 * prints e.g. "Primary: Independent Mapping, Port Dependent Filter, preserves ports, no hairpin".
 */
public final class NatProbe {
    private NatProbe() {
    }

    /** Outcome for one router. */
    public record Result(String router, NatType declared, String primaryLine, Optional<NatType> observed) {
        public boolean matchesDeclared() {
            return observed.isPresent() && observed.get() == declared;
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

    /** Which lab NAT type a "Primary:" line describes. */
    static Optional<NatType> classify(String primary) {
        return Arrays.stream(NatType.values())
                .filter(t -> primary.startsWith(t.stunClassification()))
                .findFirst();
    }
}
