package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UdpProbeStreamTest {

    @Test
    void echoOfTheRightBytesGivesItsSequenceNumber() {
        byte[] b = new byte[UdpProbeStream.SIZE];
        UdpProbeStream.fill(b, 4711);
        assertThat(UdpProbeStream.check(b, b.length)).isEqualTo(4711);
        b[40] ^= 1;
        assertThat(UdpProbeStream.check(b, b.length)).isEqualTo(-1);
        UdpProbeStream.fill(b, 4711);
        assertThat(UdpProbeStream.check(b, b.length - 1)).isEqualTo(-1);
    }
}
