package org.ntmlab.ntm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;

/** The {@code --suite} names of {@code ntm dc}, {@code rs} and {@code node}. */
class SuiteOptionTest {

    @Test
    void everySuiteHasAName() {
        assertThat(DcCommand.suite("gcm")).isEqualTo(CipherSuite.AES_128_GCM);
        assertThat(DcCommand.suite("cbc-hmac")).isEqualTo(CipherSuite.AES_128_CBC_HMAC_SHA256);
        assertThat(DcCommand.suite("chacha20-poly1305")).isEqualTo(CipherSuite.CHACHA20_POLY1305);
    }

    @Test
    void anUnknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> DcCommand.suite("aes-256"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gcm, cbc-hmac or chacha20-poly1305");
    }
}
