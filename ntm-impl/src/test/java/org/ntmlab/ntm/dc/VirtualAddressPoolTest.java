package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
            assertThat(v4[2] & 0xFF).as(d + ": hosts start at .1.1 of the block").isBetween(1, 255);
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

    /**
     * Issue 10: a restarted DC gives every name the addresses it had, whatever order the nodes
     * register again in (bob moved from .1.1 to .1.3 when the order changed).
     */
    @Test
    void addressesDependOnTheNameNotOnTheOrderOfRegistration() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            names.add("node" + i + ".ntm.example");
        }
        VirtualAddressPool first = new VirtualAddressPool("ntm.example");
        Map<String, List<InetAddress>> before = new HashMap<>();
        names.forEach(n -> before.put(n, List.of(first.addressesFor(n))));
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, new Random(7));
        VirtualAddressPool restarted = new VirtualAddressPool("ntm.example");
        shuffled.forEach(n -> assertThat(List.of(restarted.addressesFor(n))).as(n).isEqualTo(before.get(n)));
        assertThat(new HashSet<>(before.values())).as("distinct addresses").hasSize(names.size());
    }

    /**
     * n106 and n184 hash to one host number: the first to register takes it, the other the next
     * one (linear probing); in the other order they swap, and only they.
     */
    @Test
    void twoNamesOfOneHostNumberTakeItAndTheNextInOrderOfRegistration() throws Exception {
        String a = "n106.ntm.example";
        String b = "n184.ntm.example";
        assertThat(VirtualAddressPool.slotOf(a)).isEqualTo(VirtualAddressPool.slotOf(b));
        String c = "bob.ntm.example";
        VirtualAddressPool p = new VirtualAddressPool("ntm.example");
        InetAddress[] pa = p.addressesFor(a);
        InetAddress[] pb = p.addressesFor(b);
        InetAddress[] pc = p.addressesFor(c);
        int slot = VirtualAddressPool.slotOf(a);
        assertThat(pa[0].getAddress()[2] & 0xFF).isEqualTo(slot >> 8);
        assertThat(pa[0].getAddress()[3] & 0xFF).isEqualTo(slot & 0xFF);
        assertThat(toInt(pb[0])).isEqualTo(toInt(pa[0]) + 1);
        assertThat(toInt(pb[1])).isEqualTo(toInt(pa[1]) + 1);

        VirtualAddressPool q = new VirtualAddressPool("ntm.example");
        assertThat(q.addressesFor(c)).containsExactly(pc);
        assertThat(q.addressesFor(b)).containsExactly(pa);
        assertThat(q.addressesFor(a)).containsExactly(pb);
    }

    @Test
    void hostNumbersStayInsideTheBlockAndNeverRepeat() {
        VirtualAddressPool p = new VirtualAddressPool("ntm.example");
        Set<InetAddress> seen = new HashSet<>();
        // 20,000 names in 65,278 numbers: thousands of collisions, each probed to a free number
        for (int i = 0; i < 20000; i++) {
            int s = VirtualAddressPool.slotOf("w" + i + ".ntm.example");
            assertThat(s).isBetween(257, 257 + VirtualAddressPool.SLOTS - 1);
            assertThat(seen.add(p.addressesFor("w" + i + ".ntm.example")[0])).isTrue();
        }
    }

    /**
     * Issue 11 finding 14: a peer DC's answers and directions named virtual addresses nobody
     * checked, so a DC of one domain could hand out the addresses of another's nodes. Each
     * must lie in the blocks of the domain the DC speaks for.
     */
    @Test
    void aPeerDcMayOnlyGiveAddressesOfItsOwnBlocks() throws Exception {
        VirtualAddressPool a = new VirtualAddressPool("a.ntm.example");
        VirtualAddressPool b = new VirtualAddressPool("b.ntm.example");
        InetAddress[] alice = a.addressesFor("alice.a.ntm.example");
        InetAddress[] bob = b.addressesFor("bob.b.ntm.example");
        assertThat(a.inBlock(alice[0])).isTrue();
        assertThat(a.inBlock(alice[1])).isTrue();
        assertThat(b.inBlock(alice[1])).isFalse();
        assertThat(a.inBlock(null)).as("an address a node does not have").isTrue();
        assertThat(InterDomainLink.outsideBlock("b.ntm.example", bob[0], bob[1])).isNull();
        assertThat(InterDomainLink.outsideBlock("b.ntm.example", bob[0], alice[1]))
                .isEqualTo("virtual address " + alice[1].getHostAddress() + " is outside b.ntm.example's blocks ("
                        + b.v4Block() + ", " + b.v6Block() + ")");
        assertThat(InterDomainLink.outsideBlock("b.ntm.example", InetAddress.getByName("198.51.100.7"), null))
                .contains("198.51.100.7 is outside");
        assertThat(b.v6Block()).matches("fd00:6e74:6d00:[0-9a-f]{4}::/64");
        assertThat(bob[1].getHostAddress()).startsWith(b.v6Block().replace("::/64", ":").replaceAll(":0+([0-9a-f])", ":$1"));
    }

    private static long toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[b.length - 2] & 0xFFL) << 8) | (b[b.length - 1] & 0xFFL);
    }
}
