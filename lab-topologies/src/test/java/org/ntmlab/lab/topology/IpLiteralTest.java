package org.ntmlab.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

    @ParameterizedTest
    @CsvSource({
        "198.51.100.7, 198.51.100.7",
        "2001:db8::7, 2001:db8::7",
        "2001:0db8:0:0:0:0:0:1, 2001:db8::1",
        "::1, ::1",
        "::, ::",
        "2001:db8:6::ffff:198.51.100.1, 2001:db8:6::ffff:c633:6401",
        "2001:db8:0:1:0:0:0:0, 2001:db8:0:1::",
    })
    void parsesAndFormatsLiterals(String in, String formatted) {
        assertThat(IpLiteral.parse(in)).map(IpLiteral::format).contains(formatted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "2001:db8::zz", "1.2.3", "1.2.3.256", "01.2.3.4", "1:2:3:4:5:6:7:8:9",
        "2001::db8::1", "", "1.2.3.4.5", ":::"})
    void rejectsAnythingElseWithoutLookingItUp(String in) {
        assertThat(IpLiteral.parse(in)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "198.51.100.0/24, 198.51.100.254, true",
        "198.51.100.0/24, 198.51.101.1, false",
        "2001:db8:6::/64, 2001:db8:6::40, true",
        "2001:db8:6::/64, 2001:db8:7::40, false",
    })
    void prefixContainment(String prefix, String address, boolean inside) {
        assertThat(Cidr.of(prefix).contains(IpLiteral.of(address))).isEqualTo(inside);
    }
}
