package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.InterDomainLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * A node routes packets to a tunnel by the peer's virtual address (docs/protocol.md "Virtual
 * addresses"), so two peers, or a peer and the node itself, must never share one. Domains draw
 * from blocks chosen by a hash of their names; {@code c87.ntm.example} lands in the same IPv4
 * /16 as {@code a.ntm.example} (1 chance in 64 for any two domains), and a host number is a hash
 * of the FQDN within the block (docs/protocol.md "Virtual addresses"), so {@code p55281.a} and
 * {@code mn.c87}, {@code x62977.a} and {@code q.c87} have the same virtual IPv4 address (names
 * found by trying: 1 chance in 65,278 for any two). The node must refuse such a tunnel with a clear error, not send
 * one peer's packets to the other (which is what happened with one shared pool: bob.ntm.example
 * and carol.b.ntm.example were both 100.64.1.1 and curl's SYN for bob went to carol).
 */
class VirtualAddressClashMemoryTest {
    static final String DOMAIN_C = "c87.ntm.example";

    @Test
    void aPeerWithTheNodesOwnOrAnotherPeersVirtualAddressIsRefused() throws Exception {
        byte[] secretAc = new byte[32];
        new java.security.SecureRandom().nextBytes(secretAc);
        try (InterDomainLab lab = new InterDomainLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM,
                Map.of(DOMAIN_C, secretAc))) {
            lab.dc(DOMAIN_C, "198.51.100.12", "2001:db8::12", Map.of(InterDomainLab.DOMAIN_A, secretAc),
                    List.of(InterDomainLab.dns("198.51.100.10")), false);
            // names whose hashes give the same host numbers in the same /16
            NtmNode mn = lab.node("mn", DOMAIN_C, lab.global4, "198.51.100.40");
            NtmNode p = lab.node("p55281", InterDomainLab.DOMAIN_A, lab.global4, "198.51.100.41");
            NtmNode q = lab.node("q", DOMAIN_C, lab.global4, "198.51.100.42");
            NtmNode x = lab.node("x62977", InterDomainLab.DOMAIN_A, lab.global4, "198.51.100.43");
            assertThat(p.virtualV4()).as("the blocks of a and c87 coincide").isEqualTo(mn.virtualV4());
            assertThat(x.virtualV4()).isEqualTo(q.virtualV4());

            // p has mn's own address: refused
            assertThatThrownBy(() -> mn.resolve(p.fqdn()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("is this node's own");
            // q (own domain) is fine; x has q's address: refused, and q's tunnel keeps working
            mn.resolve(q.fqdn()).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> mn.resolve(x.fqdn()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("virtual address " + x.virtualV4().getHostAddress())
                    .hasMessageContaining("is already " + q.fqdn() + "'s");
            assertThat(mn.counters().toString()).contains("virtualAddressClash");
            String echo = new ControlHandler(mn)
                    .handle("udp-echo " + q.virtualV4().getHostAddress() + " 7 5 100");
            assertThat(echo).startsWith("OK sent=5 received=5 corrupted=0");
        }
    }
}
