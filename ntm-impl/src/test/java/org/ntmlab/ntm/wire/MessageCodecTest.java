package org.ntmlab.ntm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Every body codec: round trip, golden bytes, and rejection of malformed input. */
class MessageCodecTest {

    static final HexFormat HEX = HexFormat.of();

    static byte[] encode(java.util.function.Consumer<ByteBuffer> enc) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        enc.accept(b);
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void headerGoldenBytes() {
        ByteBuffer b = ByteBuffer.allocate(20);
        NtmHeader.write(b, 0, MessageType.DATA, 1, NtmHeader.FLAG_INITIATOR | NtmHeader.FLAG_RELAYED,
                0x0102030405060708L, 0x1122334455667788L);
        assertThat(HEX.formatHex(b.array())).isEqualTo("012f01030102030405060708" + "1122334455667788");
        assertThat(NtmHeader.precheck(b, 0, 20)).isNull();
        b.put(0, (byte) 2);
        assertThat(NtmHeader.precheck(b, 0, 20)).isEqualTo(MessageDrop.BAD_VERSION);
        assertThat(NtmHeader.precheck(b, 0, 20).key()).isEqualTo("badVersion");
        b.put(0, (byte) 1).put(3, (byte) 0x80);
        assertThat(NtmHeader.precheck(b, 0, 20)).isEqualTo(MessageDrop.BAD_FLAGS);
        assertThat(NtmHeader.precheck(b, 0, 20).key()).isEqualTo("badFlags");
        assertThat(NtmHeader.precheck(b, 0, 19)).isEqualTo(MessageDrop.HEADER_TOO_SHORT);
        assertThat(NtmHeader.precheck(b, 0, 19).key()).isEqualTo("tooShort");
    }

    @Test
    void registerGoldenBytesAndRoundTrip() throws Exception {
        Register r = new Register("a.ex", List.of(InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("2001:db8::1")), List.of(new InetSocketAddress("10.0.0.1", 7200)),
                1_796_000_000_000L);
        byte[] wire = encode(r::encode);
        assertThat(HEX.formatHex(wire)).isEqualTo("04612e6578" + "02" + "040a000001" + "06"
                + "20010db8000000000000000000000001" + "01" + "040a0000011c20" + "000001a229f12800");
        assertThat(Register.decode(ByteBuffer.wrap(wire))).isEqualTo(r);
    }

    @Test
    void hostEndpointsArePrivateAddressesOnly() throws Exception {
        for (String a : List.of("10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1",
                "100.127.255.254", "fd00::1", "fc00::1")) {
            assertThat(HostEndpoints.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
        }
        for (String a : List.of("11.0.0.1", "172.32.0.1", "172.15.0.1", "192.169.0.1", "100.128.0.1", "100.63.0.1",
                "127.0.0.1", "169.254.0.1", "224.0.0.1", "0.0.0.0", "8.8.8.8", "2001:db8::1", "fe80::1", "::1",
                "ff02::1", "::")) {
            assertThat(HostEndpoints.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
        }
    }

    /** Host endpoints (issue 12, same NAT): at most 4 per family, never family 0 or port 0. */
    @Test
    void hostEndpointListsAreBounded() throws Exception {
        List<InetSocketAddress> five = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            five.add(new InetSocketAddress("10.0.0." + i, 7200));
        }
        List<InetAddress> real = List.of(InetAddress.getByName("10.0.0.1"));
        assertThatThrownBy(() -> new Register("a.ex", real, five, 1)).isInstanceOf(IllegalArgumentException.class);
        // four of each family pass
        List<InetSocketAddress> eight = new java.util.ArrayList<>(five.subList(0, 4));
        for (int i = 1; i <= 4; i++) {
            eight.add(new InetSocketAddress("2001:db8::" + i, 7200));
        }
        Register r = new Register("a.ex", real, eight, 1);
        assertThat(Register.decode(ByteBuffer.wrap(encode(r::encode)))).isEqualTo(r);
        // the wire refuses what the constructor would: a fifth IPv4, port 0, family 0, a count over 8
        byte[] head = HEX.parseHex("04612e6578" + "01" + "040a000001");
        byte[] sentAt = HEX.parseHex("0000000000000001");
        String v4 = "040a0000011c20";
        for (String hosts : List.of("05" + v4.repeat(5), "01" + "040a0000010000", "01" + "00", "09" + v4.repeat(9))) {
            ByteBuffer b = ByteBuffer.allocate(256).put(head).put(HEX.parseHex(hosts)).put(sentAt).flip();
            assertThatThrownBy(() -> Register.decode(b)).as(hosts).isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void reregisterRoundTripAndTrailingBytesAreRefused() throws Exception {
        Reregister r = new Reregister(Reregister.UNKNOWN_NODE, MessageType.KEEPALIVE);
        byte[] wire = encode(r::encode);
        assertThat(HEX.formatHex(wire)).isEqualTo("0103");
        assertThat(Reregister.decode(ByteBuffer.wrap(wire))).isEqualTo(r);
        assertThat(r.reasonName()).isEqualTo("unknown-node");
        assertThatThrownBy(() -> Reregister.decode(ByteBuffer.wrap(new byte[] {1, 3, 0})))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> Reregister.decode(ByteBuffer.wrap(new byte[] {1})))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void registerAckRoundTrip() throws Exception {
        RegisterAck a = new RegisterAck(InetAddress.getByName("100.64.1.1"), InetAddress.getByName("fd00::101"),
                new InetSocketAddress("203.0.113.1", 40000), 10);
        byte[] wire = encode(a::encode);
        assertThat(HEX.formatHex(wire)).isEqualTo("0464400101" + "06fd000000000000000000000000000101"
                + "04cb0071019c40" + "000a");
        assertThat(RegisterAck.decode(ByteBuffer.wrap(wire))).isEqualTo(a);
    }

    @Test
    void directionMessagesRoundTrip() throws Exception {
        DirectionRequest d = new DirectionRequest(9, "cn.ntm.example");
        assertThat(DirectionRequest.decode(ByteBuffer.wrap(encode(d::encode)))).isEqualTo(d);
        DirectionFailure f = new DirectionFailure(9, "no node registered");
        assertThat(DirectionFailure.decode(ByteBuffer.wrap(encode(f::encode)))).isEqualTo(f);
        KeepaliveAck k = new KeepaliveAck(new InetSocketAddress("2001:db8::5", 1));
        assertThat(KeepaliveAck.decode(ByteBuffer.wrap(encode(k::encode)))).isEqualTo(k);
        TunnelHello h = new TunnelHello("mn.ntm.example", InetAddress.getByName("100.64.1.2"), null);
        assertThat(TunnelHello.decode(ByteBuffer.wrap(encode(h::encode)))).isEqualTo(h);
        IdBody i = new IdBody(-5);
        assertThat(IdBody.decode(ByteBuffer.wrap(encode(i::encode)), "PROBE")).isEqualTo(i);
    }

    @Test
    void routeDirectionRoundTrip() throws Exception {
        byte[] ts = new byte[32];
        byte[] rs = new byte[32];
        ts[0] = 1;
        rs[31] = 2;
        RouteDirection r = new RouteDirection(3, 0xabcdefL, 4, RouteDirection.RESPONDER, true, RouteDirection.RELAY,
                "mn.ntm.example", InetAddress.getByName("100.64.1.1"), InetAddress.getByName("fd00::1"),
                new InetSocketAddress("198.51.100.20", 7100), new InetSocketAddress("203.0.113.2", 7200),
                List.of(new InetSocketAddress("10.2.0.10", 7200)), ts, rs);
        RouteDirection back = RouteDirection.decode(ByteBuffer.wrap(encode(r::encode)));
        assertThat(back.peerHosts()).containsExactly(new InetSocketAddress("10.2.0.10", 7200));
        assertThat(back.tunnelId()).isEqualTo(0xabcdefL);
        assertThat(back.peerEndpoint()).isEqualTo(r.peerEndpoint());
        assertThat(back.peerMapped()).isEqualTo(r.peerMapped());
        assertThat(back.tunnelSecret()).isEqualTo(ts);
        assertThat(back.relaySecret()).isEqualTo(rs);
        assertThat(back.peerFqdn()).isEqualTo("mn.ntm.example");
        assertThat(back.opener()).isTrue();
        assertThat(back.generation()).isEqualTo(4);
        DirectionAck ack = new DirectionAck(0xabcdefL, 4);
        assertThat(DirectionAck.decode(ByteBuffer.wrap(encode(ack::encode)))).isEqualTo(ack);
        assertThat(back.role()).isEqualTo(RouteDirection.RESPONDER);
    }

    @Test
    void relayAuthoriseRoundTrip() throws Exception {
        byte[] s = new byte[32];
        s[5] = 9;
        RelayAuthorise a = new RelayAuthorise(77, s, 3600);
        RelayAuthorise back = RelayAuthorise.decode(ByteBuffer.wrap(encode(a::encode)));
        assertThat(back.tunnelId()).isEqualTo(77);
        assertThat(back.lifetimeSeconds()).isEqualTo(3600);
        assertThat(back.relaySecret()).isEqualTo(s);
    }

    @Test
    void malformedBodiesAreRejectedWithTheFieldNamed() {
        assertThatThrownBy(() -> Register.decode(ByteBuffer.wrap(HEX.parseHex("05612e6578"))))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("fqdn");
        assertThatThrownBy(() -> Register.decode(ByteBuffer.wrap(HEX.parseHex("01610109"))))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("unknown address family 9");
        assertThatThrownBy(() -> DirectionRequest.decode(ByteBuffer.wrap(HEX.parseHex("0000000000000001" + "0161ff"))))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> DirectionRequest.decode(ByteBuffer.wrap(HEX.parseHex("0000000000000001" + "020a0d"))))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("control character");
    }

    /** Random bytes never make a decoder throw anything but MalformedMessageException. */
    @Test
    void randomInputOnlyEverYieldsMalformedMessage() {
        Random rnd = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(120)];
            rnd.nextBytes(junk);
            for (int which = 0; which < 7; which++) {
                try {
                    switch (which) {
                        case 0 -> Register.decode(ByteBuffer.wrap(junk));
                        case 1 -> RegisterAck.decode(ByteBuffer.wrap(junk));
                        case 2 -> RouteDirection.decode(ByteBuffer.wrap(junk));
                        case 3 -> DirectionRequest.decode(ByteBuffer.wrap(junk));
                        case 4 -> RelayAuthorise.decode(ByteBuffer.wrap(junk));
                        case 5 -> TunnelHello.decode(ByteBuffer.wrap(junk));
                        default -> KeepaliveAck.decode(ByteBuffer.wrap(junk));
                    }
                } catch (MalformedMessageException expected) {
                    // fine
                }
            }
        }
    }
}
