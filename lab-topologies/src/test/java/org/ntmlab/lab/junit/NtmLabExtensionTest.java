package org.ntmlab.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.memory.InMemoryLab;
import org.ntmlab.lab.topology.Topology;

/** The extension as a user's test class sees it, on the memory backend (examples/lab-extension does the same from outside). */
@NtmLabTest(topology = "../topologies/table1.yaml")
class NtmLabExtensionTest {

    @Test
    void theLabItsTopologyAndItsNodesAreParameters(NtmLab lab, InMemoryLab memory, Topology t,
                                                   @Host("p2") NodeControl p2, @Host("p1") NodeControl p1) {
        assertThat(lab).isSameAs(memory);
        assertThat(lab.backend()).isEqualTo("memory");
        assertThat(t.name()).isEqualTo("table1");
        NodeControl.Resolve r = p2.resolve("p1.ntm.example");
        assertThat(r.ok()).as(r.reply().line()).isTrue();
        assertThat(p1.node()).isEqualTo("p1");
    }

    /** One lab per class: a second test sees the same one (the tunnel of the first is still there). */
    @Test
    void theLabIsSharedByTheClassesTests(@Host("g4") NodeControl g4) {
        assertThat(g4.resolve("g4b.ntm.example").path()).isEqualTo("direct");
        assertThat(g4.tunnel("g4b.ntm.example")).isPresent();
    }

    @Nested
    class Inner {
        @Test
        void nestedClassesUseTheOuterLab(@Host("v6") NodeControl v6) {
            assertThat(v6.resolve("v6b.ntm.example").path()).isEqualTo("direct");
        }
    }

    @Test
    void aTopologyIsAPathOrATestResource() throws Exception {
        Path res = NtmLabExtension.topologyFile("classpath:topologies-memory/full-cone.yaml");
        assertThat(res.getFileName().toString()).isEqualTo("full-cone.yaml");
        assertThat(Files.readString(res)).contains("full-cone");
        assertThatThrownBy(() -> NtmLabExtension.topologyFile("classpath:nope.yaml"))
                .isInstanceOf(ExtensionConfigurationException.class).hasMessageContaining("no such resource");
        assertThatThrownBy(() -> NtmLabExtension.topologyFile("nope.yaml"))
                .isInstanceOf(ExtensionConfigurationException.class).hasMessageContaining("no such file");
    }
}
