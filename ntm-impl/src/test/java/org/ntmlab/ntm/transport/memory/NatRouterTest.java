package org.ntmlab.ntm.transport.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ntmlab.ntm.transport.memory.NatBehaviour.Filtering;
import org.ntmlab.ntm.transport.memory.NatBehaviour.Mapping;

/**
 * Every entry of the NAT vocabulary (RFC 4787 mapping x filtering x hairpinning x port
 * preservation, and the mapping timeout) as the in-memory NAT realises it. Times are given to
 * the router explicitly, so expiry needs no sleeping.
 */
class NatRouterTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final InetSocketAddress A = ep("10.0.0.10", 5000);
    static final InetSocketAddress B = ep("10.0.0.11", 6000);
    static final InetSocketAddress X = ep("198.51.100.1", 7000);
    static final InetSocketAddress X_OTHER_PORT = ep("198.51.100.1", 7001);
    static final InetSocketAddress Y = ep("198.51.100.2", 7000);
    static final String OUTSIDE = "203.0.113.1";

    static InetSocketAddress ep(String address, int port) {
        return new InetSocketAddress(MemoryNetwork.parse(address), port);
    }

    static Stream<NatBehaviour> everyBehaviour() {
        return NatBehaviour.all(TIMEOUT).stream();
    }

    static NatRouter router(NatBehaviour b) {
        return new NatRouter("r", new Segment("p", false), new Segment("g", true), MemoryNetwork.parse(OUTSIDE), b, 1);
    }

    static Datagram dg(InetSocketAddress src, InetSocketAddress dst) {
        return new Datagram(src, dst, new byte[] {1});
    }

    /** The external port of A's datagram to {@code to}, sent at {@code now}. */
    static int send(NatRouter r, InetSocketAddress from, InetSocketAddress to, long now) {
        Datagram out = r.outbound(dg(from, to), now);
        assertThat(out.src().getAddress().getHostAddress()).isEqualTo(OUTSIDE);
        assertThat(out.dst()).isEqualTo(to);
        return out.src().getPort();
    }

    /** Whether a datagram from {@code from} to the NAT's port {@code port} reaches A (and with what destination). */
    static boolean inboundReachesA(NatRouter r, InetSocketAddress from, int port, long now) {
        Datagram in = r.inbound(dg(from, ep(OUTSIDE, port)), now);
        if (in != null) {
            assertThat(in.dst()).isEqualTo(A);
            assertThat(in.src()).isEqualTo(from);
        }
        return in != null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBehaviour")
    void mappingAndPortPreservation(NatBehaviour b) {
        NatRouter r = router(b);
        int toX = send(r, A, X, 0);
        int toXOtherPort = send(r, A, X_OTHER_PORT, 1);
        int toY = send(r, A, Y, 2);
        // RFC 4787 section 4.1: what decides whether a mapping is reused
        switch (b.mapping()) {
            case ENDPOINT_INDEPENDENT -> assertThat(List.of(toXOtherPort, toY)).containsOnly(toX);
            case ADDRESS_DEPENDENT -> {
                assertThat(toXOtherPort).isEqualTo(toX);
                assertThat(toY).isNotEqualTo(toX);
            }
            case ADDRESS_AND_PORT_DEPENDENT -> assertThat(List.of(toX, toXOtherPort, toY)).doesNotHaveDuplicates();
        }
        // section 4.2.1: the first mapping keeps the inside port, or gets another one
        if (b.portPreservation()) {
            assertThat(toX).isEqualTo(A.getPort());
        } else {
            assertThat(toX).isNotEqualTo(A.getPort());
        }
        // the same inside port on another host cannot have the preserved port twice
        int fromB = send(r, new InetSocketAddress(B.getAddress(), A.getPort()), X, 3);
        assertThat(fromB).isNotEqualTo(toX);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBehaviour")
    void filtering(NatBehaviour b) {
        NatRouter r = router(b);
        int port = send(r, A, X, 0);
        // section 5: who may send in through the mapping A made towards X
        assertThat(inboundReachesA(r, X, port, 1)).as("the endpoint A sent to").isTrue();
        assertThat(inboundReachesA(r, X_OTHER_PORT, port, 2)).as("another port of that address")
                .isEqualTo(b.filtering() != Filtering.ADDRESS_AND_PORT_DEPENDENT);
        assertThat(inboundReachesA(r, Y, port, 3)).as("another address")
                .isEqualTo(b.filtering() == Filtering.ENDPOINT_INDEPENDENT);
        assertThat(inboundReachesA(r, X, port + 1, 4)).as("a port with no mapping").isFalse();
        long refused = (b.filtering() == Filtering.ADDRESS_AND_PORT_DEPENDENT ? 1 : 0)
                + (b.filtering() != Filtering.ENDPOINT_INDEPENDENT ? 1 : 0) + 1;
        assertThat(r.filteredInbound()).isEqualTo(refused);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBehaviour")
    void hairpinning(NatBehaviour b) {
        NatRouter r = router(b);
        InetSocketAddress bOutside = ep(OUTSIDE, send(r, B, X, 0));
        Datagram in = r.hairpin(dg(A, bOutside), 1);
        if (b.hairpinning()) {
            // section 6, REQ-9: delivered to B, from A's external address and port (its mapping
            // towards B's external endpoint), unfiltered
            assertThat(in).isNotNull();
            assertThat(in.dst()).isEqualTo(B);
            assertThat(in.src()).isEqualTo(ep(OUTSIDE, r.externalPort(A, bOutside, 1).orElseThrow()));
            assertThat(r.hairpinDropped()).isZero();
            // and to a port no mapping has, nothing
            assertThat(r.hairpin(dg(A, ep(OUTSIDE, 1)), 2)).isNull();
            assertThat(r.hairpinDropped()).isEqualTo(1);
        } else {
            assertThat(in).isNull();
            assertThat(r.hairpinDropped()).isEqualTo(1);
            assertThat(r.externalPort(A, bOutside, 1)).as("no mapping made for it").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBehaviour")
    void mappingsExpireAfterTheTimeoutAndOutboundTrafficKeepsThem(NatBehaviour b) {
        NatRouter r = router(b.withMappingTimeout(Duration.ofSeconds(10)));
        int port = send(r, A, X, 0);
        // REQ-6: outbound refreshes; inbound does not
        assertThat(send(r, A, X, 8_000)).isEqualTo(port);
        assertThat(inboundReachesA(r, X, port, 17_000)).as("9 s after the last outbound").isTrue();
        assertThat(inboundReachesA(r, X, port, 18_001)).as("10.001 s after the last outbound").isFalse();
        assertThat(r.externalPort(A, X, 18_001)).isEmpty();
        // the next outbound datagram makes a new mapping (REQ-5: the old one is gone)
        int again = send(r, A, X, 18_002);
        assertThat(r.expiredMappings()).isEqualTo(1);
        assertThat(r.externalPort(A, X, 18_002)).hasValue(again);
        assertThat(inboundReachesA(r, X, again, 18_003)).isTrue();
        if (b.hairpinning()) {
            // a hairpinned datagram to an expired mapping goes nowhere either
            assertThat(r.hairpin(dg(B, ep(OUTSIDE, again)), 40_000)).isNull();
        }
    }

    @Test
    void presetsAreTheirRfc4787Terms() {
        assertThat(NatBehaviour.preset("port-restricted-cone")).contains(NatBehaviour.PORT_RESTRICTED_CONE);
        assertThat(NatBehaviour.PORT_RESTRICTED_CONE.toString()).isEqualTo("endpoint-independent mapping,"
                + " address-and-port-dependent filtering, port preservation, timeout 30s");
        assertThat(NatBehaviour.SYMMETRIC).isEqualTo(new NatBehaviour(Mapping.ADDRESS_AND_PORT_DEPENDENT,
                Filtering.ADDRESS_AND_PORT_DEPENDENT, false, false, NatBehaviour.DEFAULT_MAPPING_TIMEOUT));
        assertThat(NatBehaviour.CGNAT.hairpinning()).isTrue();
        assertThat(NatBehaviour.CGNAT.filtering()).isEqualTo(Filtering.ADDRESS_DEPENDENT);
        assertThat(List.of(NatBehaviour.PORT_RESTRICTED_CONE, NatBehaviour.RESTRICTED_CONE, NatBehaviour.FULL_CONE,
                NatBehaviour.SYMMETRIC)).noneMatch(NatBehaviour::hairpinning);
        assertThat(NatBehaviour.preset("cone")).isEmpty();
        assertThat(NatBehaviour.all(TIMEOUT)).hasSize(36).doesNotHaveDuplicates();
    }

    /** Another module's enums with the same constant names (the topology model's) map by name. */
    enum OtherMapping { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

    enum OtherFiltering { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT, OPEN }

    @Test
    void ofTakesAnotherVocabularyWithTheSameNames() {
        assertThat(NatBehaviour.of(OtherMapping.ENDPOINT_INDEPENDENT, OtherFiltering.ADDRESS_DEPENDENT, true, true,
                null)).isEqualTo(NatBehaviour.CGNAT);
        assertThat(NatBehaviour.of(OtherMapping.ADDRESS_DEPENDENT, OtherFiltering.ENDPOINT_INDEPENDENT, false, false,
                Duration.ofSeconds(5))).isEqualTo(new NatBehaviour(Mapping.ADDRESS_DEPENDENT,
                Filtering.ENDPOINT_INDEPENDENT, false, false, Duration.ofSeconds(5)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NatBehaviour.of(OtherMapping.ENDPOINT_INDEPENDENT,
                OtherFiltering.OPEN, false, true, null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Through the network: hairpinning on a home NAT, and on the carrier NAT of NAT444 (two levels). */
    @Test
    void hairpinnedDatagramsAreRoutedInsideAndDroppedWithoutHairpinning() throws Exception {
        for (boolean hairpin : new boolean[] {false, true}) {
            try (MemoryNetwork net = new MemoryNetwork(3)) {
                List<String> seen = new ArrayList<>();
                net.tap((host, src, dst, payload) -> seen.add(host + " " + src + " > " + dst));
                Segment g = net.segment("g", true);
                Segment carrier = net.segment("carrier", false);
                Segment home = net.segment("home", false);
                NatRouter cgn = net.natRouter("cgn", carrier, g, OUTSIDE, NatBehaviour.CGNAT.withHairpinning(hairpin));
                NatRouter hr = net.natRouter("home", home, carrier, "100.64.0.10", NatBehaviour.PORT_RESTRICTED_CONE);
                net.host("x").attach(g, "198.51.100.1");
                net.host("sub").attach(carrier, "100.64.0.11");
                net.host("h1").attach(home, "192.168.90.10");
                // the subscriber's mapping at the CGN, made by a datagram to x
                net.send(carrier, dg(ep("100.64.0.11", 6000), X));
                assertThat(seen).containsExactly("x /" + OUTSIDE + ":6000 > /198.51.100.1:7000");
                // h1, behind the home NAT, sends to the subscriber's outside endpoint at the CGN
                net.send(home, dg(ep("192.168.90.10", 5000), ep(OUTSIDE, 6000)));
                if (hairpin) {
                    assertThat(seen).hasSize(2).last().isEqualTo("sub /" + OUTSIDE + ":5000 > /100.64.0.11:6000");
                    assertThat(cgn.hairpinDropped()).isZero();
                } else {
                    assertThat(seen).hasSize(1);
                    assertThat(cgn.hairpinDropped()).isEqualTo(1);
                }
                assertThat(hr.hairpinDropped()).isZero();
                // to the home NAT's own outside address from behind it: never hairpinned
                net.send(home, dg(ep("192.168.90.10", 5000), ep("100.64.0.10", 5000)));
                assertThat(hr.hairpinDropped()).isEqualTo(1);
            }
        }
    }
}
