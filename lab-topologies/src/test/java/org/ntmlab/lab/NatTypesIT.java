package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Topology;

/** Each NAT type the format offers is classified as itself by a third-party STUN client. */
class NatTypesIT {

    @ParameterizedTest
    @EnumSource(NatType.class)
    void routerBehavesAsDeclared(NatType type) {
        Topology t = Topology.builder("nat-" + type.yamlName())
                .globalSegment("g4", "203.0.113.0/24")
                .privateSegment("p1", "192.168.77.0/24", "r1")
                .router("r1", type, "p1", "g4")
                .node("p1", "p1.ntm.example", "p1")
                .build();
        try (Lab lab = Lab.start(t, LabOptions.defaults().withVerifyNat(false).withCapture(false))) {
            NatProbe.Result r = lab.probeNat(t.routers().get(0));
            assertThat(r.primaryLine()).startsWith(type.stunClassification());
            assertThat(r.matchesDeclared()).as(r.toString()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = NatType.class, names = {"SYMMETRIC", "FULL_CONE"})
    void aMislabelledRouterIsCaught(NatType actual) {
        // Declared cone, but rewired below to another behaviour: verification must say so.
        Topology t = Topology.builder("mislabelled")
                .globalSegment("g4", "203.0.113.0/24")
                .privateSegment("p1", "192.168.78.0/24", "r1")
                .router("r1", NatType.PORT_RESTRICTED_CONE, "p1", "g4")
                .node("p1", "p1.ntm.example", "p1")
                .build();
        try (Lab lab = Lab.start(t, LabOptions.defaults().withVerifyNat(false).withCapture(false))) {
            LabHost r1 = lab.host("r1");
            r1.execOk("iptables -t nat -F POSTROUTING");
            String in = r1.interfaceOn("p1");
            String out = r1.interfaceOn("g4");
            for (String c : NatRules.commands(actual, t.segment("p1").orElseThrow().ipv4(), in, out,
                    t.addresses().oneToOne("r1").isEmpty()
                            ? java.util.Map.of(t.addresses().on("p1", "p1").ipv4(), t.addresses().on("r1", "g4").ipv4())
                            : t.addresses().oneToOne("r1"))) {
                r1.execOk(c);
            }
            NatProbe.Result r = lab.probeNat(t.routers().get(0));
            assertThat(r.matchesDeclared()).as(r.toString()).isFalse();
            assertThat(r.observed()).contains(actual);
        }
    }
}
