package org.ntmlab.ntm.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Long-lived associations (the DC's RS secret, the AS-issued node key a restarted DC fetches
 * again) must never seal two messages under one key with one nonce, even across a restart of
 * the sender (RFC 5116 section 5.1.1: AES-GCM nonce reuse reveals the authentication key), and
 * the receiver must take the restarted sender's messages rather than drop them as replays.
 */
class AssociationTest {
    private static final byte[] SECRET = new byte[32];

    @Test
    void aRestartedLongLivedSenderNeverReusesACounterAndIsNotTakenForAReplay() throws Exception {
        for (CipherSuite suite : CipherSuite.values()) {
            Association receiver = Association.of(suite, SECRET, "b", "a");
            Set<Long> counters = new HashSet<>();
            for (int run = 0; run < 3; run++) { // three "process starts" of the sender
                Association sender = Association.longLived(suite, SECRET, "a", "b");
                for (int i = 0; i < 5; i++) {
                    ByteBuffer msg = seal(sender, "run " + run + " message " + i);
                    assertThat(counters.add(NtmHeader.counter(msg, 0))).as(suite + ": counter reused").isTrue();
                    ByteBuffer plain = ByteBuffer.allocate(256);
                    assertThat(receiver.receive().open(msg, plain)).as(suite + " run " + run + " message " + i)
                            .isEqualTo(TrafficKey.Result.OK);
                }
                Thread.sleep(2); // a restart takes far longer than the microseconds the counters advanced
            }
        }
    }

    @Test
    void aShortLivedAssociationCountsFromOne() {
        Association a = Association.of(CipherSuite.AES_128_GCM, SECRET, "a", "b");
        assertThat(NtmHeader.counter(seal(a, "x"), 0)).isEqualTo(1);
    }

    private static ByteBuffer seal(Association a, String text) {
        ByteBuffer out = ByteBuffer.allocate(512);
        a.send().seal(out, org.ntmlab.ntm.wire.MessageType.DATA, 0, 7, ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        out.flip();
        return out;
    }
}
