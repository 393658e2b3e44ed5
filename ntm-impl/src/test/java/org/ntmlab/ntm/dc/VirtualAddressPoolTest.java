package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Virtual addresses (paper section 3.2): RFC 6598 shared space for IPv4, the project's RFC 4193
 * ULA /48 for IPv6, one block per domain so that peers of different domains, held side by side
 * in one node's tunnel table, do not share an address (they did: the first node of every domain
 * was 100.64.1.1, and a node's TCP connection to one went into the other's tunnel).
 */
class VirtualAddressPoolTest {

    @Test
    void aNameKeepsItsAddressesAndNamesGetDistinctOnes() {
        VirtualAddressPool p = new VirtualAddressPool("ntm.example");
        InetAddress[] alice = p.addressesFor("alice.ntm.example");
        InetAddress[] bob = p.addressesFor("bob.ntm.example");
        assertThat(p.addressesFor("ALICE.ntm.example")).containsExactly(alice);
        assertThat(bob[0]).isNotEqualTo(alice[0]);
        assertThat(bob[1]).isNotEqualTo(alice[1]);
    }

    @Test
    void addressesComeFromSharedAddressSpaceAndTheNtmUlaPrefix() {
        for (String d : new String[] {"ntm.example", "a.ntm.example", "b.ntm.example", "example.org"}) {
            InetAddress[] a = new VirtualAddressPool(d).addressesFor("n." + d);
            byte[] v4 = a[0].getAddress();
            assertThat(v4[0] & 0xFF).as(d).isEqualTo(100);
            assertThat(v4[1] & 0xC0).as(d + ": inside 100.64.0.0/10").isEqualTo(64);
            assertThat(v4[2] & 0xFF).as(d + ": first host is .1.1 of the block").isEqualTo(1);
            assertThat(a[1].getHostAddress()).as(d).startsWith("fd00:6e74:6d00:");
        }
    }

    @Test
    void theTwoLabDomainsAndTheDefaultOneDrawFromDifferentBlocks() {
        InetAddress[] a = new VirtualAddressPool("a.ntm.example").addressesFor("mn.a.ntm.example");
        InetAddress[] b = new VirtualAddressPool("b.ntm.example").addressesFor("cn.b.ntm.example");
        InetAddress[] d = new VirtualAddressPool("ntm.example").addressesFor("bob.ntm.example");
        assertThat(a[0]).isNotEqualTo(b[0]).isNotEqualTo(d[0]);
        assertThat(b[0]).isNotEqualTo(d[0]);
        assertThat(a[1]).isNotEqualTo(b[1]).isNotEqualTo(d[1]);
        assertThat(b[1]).isNotEqualTo(d[1]);
    }

    @Test
    void theBlockOfADomainIsStableAcrossRestarts() {
        assertThat(new VirtualAddressPool("b.ntm.example").addressesFor("x.b.ntm.example"))
                .containsExactly(new VirtualAddressPool("B.ntm.example").addressesFor("x.b.ntm.example"));
        assertThat(new VirtualAddressPool("b.ntm.example").v4Block()).matches("100\\.(6[4-9]|[7-9]\\d|1[01]\\d|12[0-7])"
                + "\\.0\\.0/16");
    }
}
