package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.NatType.Filtering;
import org.ntmlab.lab.topology.NatType.Mapping;

class NatTypeTest {

    @Test
    void presetsAreTheirRfc4787Terms() {
        assertThat(NatType.presets()).extracting(NatType::yamlName)
                .containsExactly("port-restricted-cone", "symmetric", "full-cone", "restricted-cone", "cgnat");
        assertThat(NatType.expected()).isEqualTo("port-restricted-cone, symmetric, full-cone, restricted-cone, cgnat");
        assertThat(NatType.PORT_RESTRICTED_CONE).isEqualTo(new NatType(Mapping.ENDPOINT_INDEPENDENT,
                Filtering.ADDRESS_AND_PORT_DEPENDENT, false, true));
        assertThat(NatType.SYMMETRIC).isEqualTo(NatType.of(Mapping.ADDRESS_AND_PORT_DEPENDENT,
                Filtering.ADDRESS_AND_PORT_DEPENDENT));
        assertThat(NatType.FULL_CONE.filtering()).isEqualTo(Filtering.ENDPOINT_INDEPENDENT);
        assertThat(NatType.RESTRICTED_CONE.filtering()).isEqualTo(Filtering.ADDRESS_DEPENDENT);
        assertThat(NatType.CGNAT).isEqualTo(new NatType(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT,
                true, true));
        for (NatType t : NatType.presets()) {
            assertThat(NatType.fromYaml(t.yamlName())).contains(t);
            assertThat(t.toString()).isEqualTo(t.yamlName());
        }
        assertThat(NatType.fromYaml("cone")).isEmpty();
        assertThat(NatType.values()).containsExactlyElementsOf(NatType.presets());
        // the accessors other code reads
        assertThat(NatType.SYMMETRIC.endpointIndependentMapping()).isFalse();
        assertThat(NatType.PORT_RESTRICTED_CONE.endpointIndependentMapping()).isTrue();
        assertThat(NatType.presets()).filteredOn(NatType::hairpinning).containsExactly(NatType.CGNAT);
        assertThat(Mapping.fromTerm("address-and-port-dependent")).contains(Mapping.ADDRESS_AND_PORT_DEPENDENT);
        assertThat(Filtering.ENDPOINT_INDEPENDENT.term()).isEqualTo("endpoint-independent");
        assertThatThrownBy(() -> new NatType(null, Filtering.ADDRESS_DEPENDENT, false, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stunClientLines() {
        assertThat(NatType.PORT_RESTRICTED_CONE.stunClassification())
                .isEqualTo("Independent Mapping, Port Dependent Filter, preserves ports, no hairpin");
        assertThat(NatType.RESTRICTED_CONE.stunClassification())
                .isEqualTo("Independent Mapping, Address Dependent Filter, preserves ports, no hairpin");
        assertThat(NatType.FULL_CONE.stunClassification())
                .isEqualTo("Independent Mapping, Independent Filter, preserves ports, no hairpin");
        assertThat(NatType.SYMMETRIC.stunClassification()).isEqualTo("Dependent Mapping, random port, no hairpin");
        assertThat(NatType.CGNAT.stunClassification())
                .isEqualTo("Independent Mapping, Address Dependent Filter, preserves ports, will hairpin");
        // stun-client cannot tell the two dependent mappings apart, nor their filtering
        assertThat(NatType.of(Mapping.ADDRESS_DEPENDENT, Filtering.ENDPOINT_INDEPENDENT).stunClassification())
                .isEqualTo(NatType.SYMMETRIC.stunClassification());
    }

    @Test
    void theDockerCatalogue() {
        assertThat(NatType.all()).hasSize(36).doesNotHaveDuplicates();
        assertThat(NatType.dockerBuildable()).containsExactlyInAnyOrder(
                NatType.FULL_CONE,
                new NatType(Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT, true, true),
                NatType.RESTRICTED_CONE, NatType.CGNAT,
                NatType.PORT_RESTRICTED_CONE, new NatType(Mapping.ENDPOINT_INDEPENDENT,
                        Filtering.ADDRESS_AND_PORT_DEPENDENT, true, true),
                NatType.SYMMETRIC);
        assertThat(NatType.presets()).allMatch(t -> t.dockerLimitation().isEmpty());
        assertThat(NatType.all()).filteredOn(t -> t.mapping() == Mapping.ADDRESS_DEPENDENT)
                .allMatch(t -> t.dockerLimitation().orElseThrow().contains("no nft"));
        // MASQUERADE for the two that need no 1:1 addresses
        assertThat(NatType.dockerBuildable()).filteredOn(t -> !t.dockerOneToOne())
                .containsExactlyInAnyOrder(NatType.PORT_RESTRICTED_CONE, NatType.SYMMETRIC);
        String why = new NatType(Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_DEPENDENT, true, true)
                .dockerLimitation().orElseThrow();
        assertThat(why.split("cannot", -1)).as("three reasons").hasSize(4);
        assertThat(new NatType(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT, false, false)
                .dockerLimitation()).hasValueSatisfying(s -> s.contains("without port preservation"));
    }
}
