package org.ntmlab.lab.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.SeedCorpus;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the topology parser, fed a file's bytes read as
 * UTF-8. A file gives a topology or a {@link TopologyException} whose every problem reads
 * {@code file:line: field.path: message} with a line inside the file; no other exception.
 */
class TopologyParserFuzzTest {

    static final String SOURCE = "fuzz.yaml";

    @FuzzTest
    void parse(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            Topology t = TopologyParser.parse(SOURCE, yaml);
            assertNotNull(t);
            assertEquals(SOURCE, t.source());
        } catch (TopologyException e) {
            assertFalse(e.problems().isEmpty(), "a TopologyException names its problems");
            long lines = yaml.lines().count();
            for (TopologyException.Problem p : e.problems()) {
                assertEquals(SOURCE, p.source());
                assertTrue(p.line() >= 0 && p.line() <= lines + 1, "line " + p.line() + " of a " + lines + "-line file");
                assertNotNull(p.path(), "problem without a field: " + p); // "" for a YAML key that is ''
                assertFalse(p.message() == null || p.message().isBlank(), "problem without a message: " + p);
                assertTrue(p.toString().startsWith(SOURCE + (p.line() > 0 ? ":" + p.line() : "") + ": " + p.path()
                        + ": "), p.toString());
            }
        }
    }

    /** Small files made here; the corpus also holds copies of topologies/*.yaml. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("minimal.yaml", """
                name: mini
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 198.51.100.0/24 }
                  - { name: p1, kind: ipv4-private, ipv4: 10.1.0.0/24, behind: r1 }
                  - { name: v6, kind: ipv6-only, ipv6: "2001:db8:6::/64" }
                routers:
                  - { name: r1, nat: symmetric, mappingTimeout: 30s, inside: p1, outside: g4 }
                servers:
                  - name: dc
                    role: dc
                    domain: ntm.example
                    attach:
                      - { segment: g4, ipv4: 198.51.100.20 }
                      - { segment: v6, ipv6: "2001:db8:6::20" }
                nodes:
                  - { name: n1, fqdn: n1.ntm.example, segment: p1 }
                impairments:
                  - { host: n1, segment: p1, delay: 15ms, jitter: 1ms, loss: 0.5%, rate: 10mbit }
                """.getBytes(StandardCharsets.UTF_8));
        seeds.put("nat-catalogue.yaml", """
                name: nats
                segments:
                  - { name: g4, kind: ipv4-global, ipv4: 203.0.113.0/24 }
                  - { name: carrier, kind: ipv4-private, ipv4: 100.64.0.0/24, behind: cgn }
                  - { name: home, kind: ipv4-private, ipv4: 192.168.90.0/24, behind: hr }
                routers:
                  - { name: cgn, nat: cgnat, inside: carrier, outside: g4 }
                  - name: hr
                    nat: { mapping: endpoint-independent, filtering: address-dependent, hairpinning: false }
                    inside: home
                    outside: carrier
                nodes:
                  - { name: sub, fqdn: sub.ntm.example, segment: carrier }
                  - { name: h1, fqdn: h1.ntm.example, segment: home }
                """.getBytes(StandardCharsets.UTF_8));
        seeds.put("problems.yaml", """
                name: broken
                segments:
                  - { name: g4, kind: ipv5, ipv4: 198.51.100.0/33 }
                routers:
                  - { name: r1, nat: foo, inside: nowhere, outside: g4, colour: red }
                  - { name: r2, nat: { mapping: address-dependent, filtering: any, hairpinning: 2 }, inside: g4 }
                nodes: oops
                """.getBytes(StandardCharsets.UTF_8));
        return seeds;
    }

    @Test
    void seedCorpusIsCommitted() {
        SeedCorpus.check(TopologyParserFuzzTest.class, "parse", seeds());
    }
}
