package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.xbill.DNS.Type;

/**
 * Issue 11 finding 11: the DC's DNS answered every query, each reply about 3 times its query,
 * to any (forged) source: an amplifier. Now one source network gets its burst and then its
 * rate; the victim's neighbours in the same /24 count with it, other networks are served.
 */
class DnsRateLimitTest {

    @Test
    void aFloodTowardOneNetworkGetsItsShareAndOthersAreStillServed() throws Exception {
        Counters counters = new Counters();
        DnsResponder dns = new DnsResponder("b.ntm.example", n -> null, counters);
        dns.advertise(DcDiscoveryTest.DC_B);
        DcChannelTest.Capture out = new DcChannelTest.Capture();
        byte[] query = DcDiscoveryTest.query("_ntm-dc._udp.b.ntm.example.", Type.SRV).toWire();
        int sent = 0;
        int answered = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            out.last = null;
            // "spoofed" sources spread over the victim's /24
            dns.onDatagram(ByteBuffer.wrap(query), new InetSocketAddress("203.0.113." + (i % 250 + 1), 53), out);
            sent++;
            if (out.last != null) {
                answered++;
                assertThat(out.last.length).as("the amplification the cap bounds").isLessThan(4 * query.length);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(answered).isBetween(Dc.DNS_REPLY_BURST_PER_NETWORK,
                Dc.DNS_REPLY_BURST_PER_NETWORK + (int) Math.ceil(seconds * Dc.DNS_REPLIES_PER_NETWORK_PER_SECOND));
        assertThat(counters.get("dnsRateLimited")).isEqualTo(sent - answered);

        out.last = null;
        dns.onDatagram(ByteBuffer.wrap(query), new InetSocketAddress("198.51.100.7", 5353), out);
        assertThat(out.last).as("another network is served").isNotNull();
        for (String v6 : List.of("2001:db8:1:2a00::1", "2001:db8:1:2aff::9")) {
            assertThat(DnsResponder.network(InetAddress.getByName(v6)))
                    .isEqualTo(InetAddress.getByName("2001:db8:1:2a00::"));
        }
        assertThat(DnsResponder.network(InetAddress.getByName("203.0.113.77")))
                .isEqualTo(InetAddress.getByName("203.0.113.0"));
    }
}
