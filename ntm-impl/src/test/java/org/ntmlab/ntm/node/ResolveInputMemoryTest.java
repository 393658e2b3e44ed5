package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.memlab.MemoryLab;
import org.ntmlab.ntm.transport.memory.NatBehaviour;

/**
 * Issue 11 finding 15: resolving a name over 255 bytes threw inside the event loop; the request
 * hung for its 10 s and stayed pending. Names that no DC could know are refused at once now.
 */
class ResolveInputMemoryTest {

    @Test
    void aNameNoDcCouldKnowIsRefusedAtOnceAndLeavesNothingBehind() throws Exception {
        try (MemoryLab lab = new MemoryLab(NatBehaviour.PORT_RESTRICTED_CONE, CipherSuite.AES_128_GCM)) {
            NtmNode alice = lab.node("alice", lab.global4, "198.51.100.31");
            NtmNode bob = lab.node("bob", lab.global4, "198.51.100.32");
            for (String bad : new String[] {"x".repeat(300) + ".ntm.example", "a..ntm.example",
                    "y".repeat(64) + ".ntm.example", "",
                    "\u0130".repeat(60) + "." + "\u0130".repeat(60) + ".ntm.example", "bob .ntm.example"}) {
                assertThatThrownBy(() -> alice.resolve(bad).get(2, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
            }
            assertThat(Resolution.badName(bob.fqdn())).isNull();
            assertThat(Resolution.badName(bob.fqdn() + ".")).as("absolute names are fine").isNull();
            // 'İ' is 2 bytes in UTF-8 and 3 once lower-cased: 120 of them (in two labels) fit a message, not the DC's DC_QUERY
            assertThat(Resolution.badName("\u0130".repeat(60) + "." + "\u0130".repeat(60) + ".ntm.example")).startsWith("not a host name")
                    .endsWith("found U+0130");
            assertThat(alice.resolve(bob.fqdn()).get(5, TimeUnit.SECONDS).isUp()).isTrue();
        }
    }
}
