package org.ntmlab.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Topology;
import org.ntmlab.lab.topology.TopologyParser;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * The NAT vocabulary is one: the topology model's {@link NatType} (Docker lab) and ntm-impl's
 * {@link NatBehaviour} (in-memory network) have the same terms and presets, and every topology
 * NAT becomes the in-memory NAT of the same behaviour. This module sees both.
 */
class NatVocabularyTest {

    static NatBehaviour inMemory(NatType t, Duration timeout) {
        return NatBehaviour.of(t.mapping(), t.filtering(), t.hairpinning(), t.portPreservation(), timeout);
    }

    @Test
    void bothModulesHaveTheSameTerms() {
        assertThat(Arrays.stream(NatType.Mapping.values()).map(NatType.Mapping::term))
                .containsExactlyElementsOf(Arrays.stream(NatBehaviour.Mapping.values()).map(NatBehaviour.Mapping::term)
                        .toList());
        assertThat(Arrays.stream(NatType.Filtering.values()).map(NatType.Filtering::term))
                .containsExactlyElementsOf(Arrays.stream(NatBehaviour.Filtering.values())
                        .map(NatBehaviour.Filtering::term).toList());
    }

    @Test
    void everyCombinationMapsToTheSameInMemoryBehaviour() {
        for (NatType t : NatType.all()) {
            NatBehaviour b = inMemory(t, Duration.ofSeconds(9));
            assertThat(b.mapping().term()).isEqualTo(t.mapping().term());
            assertThat(b.filtering().term()).isEqualTo(t.filtering().term());
            assertThat(b.hairpinning()).isEqualTo(t.hairpinning());
            assertThat(b.portPreservation()).isEqualTo(t.portPreservation());
            assertThat(b.mappingTimeout()).isEqualTo(Duration.ofSeconds(9));
        }
        assertThat(NatType.all().stream().map(t -> inMemory(t, null)).distinct()).hasSize(36);
    }

    @Test
    void presetsHaveTheSameNamesAndBehaviourInBoth() {
        for (NatType t : NatType.presets()) {
            String name = t.presetName().orElseThrow();
            assertThat(NatBehaviour.preset(name)).as(name).contains(inMemory(t, null));
        }
        assertThat(NatBehaviour.PORT_RESTRICTED_CONE).isEqualTo(inMemory(NatType.PORT_RESTRICTED_CONE, null));
        assertThat(NatBehaviour.RESTRICTED_CONE).isEqualTo(inMemory(NatType.RESTRICTED_CONE, null));
        assertThat(NatBehaviour.FULL_CONE).isEqualTo(inMemory(NatType.FULL_CONE, null));
        assertThat(NatBehaviour.SYMMETRIC).isEqualTo(inMemory(NatType.SYMMETRIC, null));
        assertThat(NatBehaviour.CGNAT).isEqualTo(inMemory(NatType.CGNAT, null));
    }

    /** A topology file's routers, as in-memory NATs (mapping timeout from the router). */
    @Test
    void aTopologysNatsBecomeInMemoryNats() {
        Topology t = TopologyParser.parse(java.nio.file.Path.of("../topologies/table1.yaml"));
        for (Router r : t.routers()) {
            NatBehaviour b = inMemory(r.nat(), r.mappingTimeout());
            assertThat(b).isEqualTo(NatBehaviour.PORT_RESTRICTED_CONE.withMappingTimeout(Duration.ofSeconds(120)));
        }
    }
}
