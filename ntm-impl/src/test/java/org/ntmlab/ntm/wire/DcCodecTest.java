package org.ntmlab.ntm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ntmlab.ntm.wire.MessageCodecTest.HEX;
import static org.ntmlab.ntm.wire.MessageCodecTest.encode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The DC <-> DC bodies (docs/protocol.md, "Several domains"): golden bytes, round trips, rejections. */
class DcCodecTest {

    static final List<DcReach> POSITION = List.of(new DcReach(new InetSocketAddress("203.0.113.1", 40000), true),
            new DcReach(new InetSocketAddress("2001:db8::41", 7200), false));

    @Test
    void dcQueryGoldenBytes() throws Exception {
        DcQuery q = new DcQuery(1, 0x0a0b, "m.a", "c.b");
        byte[] wire = encode(q::encode);
        assertThat(HEX.formatHex(wire)).isEqualTo("0000000000000001" + "0000000000000a0b" + "036d2e61" + "03632e62");
        assertThat(DcQuery.decode(ByteBuffer.wrap(wire))).isEqualTo(q);
    }

    @Test
    void dcAnswerAndPositionGoldenBytes() throws Exception {
        DcAnswer a = new DcAnswer(2, InetAddress.getByName("100.64.1.1"), InetAddress.getByName("fd00::101"),
                POSITION.subList(0, 1));
        byte[] wire = encode(a::encode);
        assertThat(HEX.formatHex(wire)).isEqualTo("0000000000000002" + "0464400101"
                + "06fd000000000000000000000000000101" + "01" + "04cb0071019c40" + "01");
        assertThat(DcAnswer.decode(ByteBuffer.wrap(wire))).isEqualTo(a);
        DcPosition p = new DcPosition(7, 3, POSITION);
        assertThat(DcPosition.decode(ByteBuffer.wrap(encode(p::encode)))).isEqualTo(p);
    }

    @Test
    void dcDirectionCarriesTheCnsRouteDirection() throws Exception {
        byte[] ts = new byte[32];
        ts[0] = 7;
        RouteDirection rd = new RouteDirection(0, 99, 2, RouteDirection.RESPONDER, false, RouteDirection.DIRECT,
                "mn.a.ntm.example", InetAddress.getByName("100.64.1.2"), InetAddress.getByName("fd00::102"),
                new InetSocketAddress("198.51.100.31", 7200), null, List.of(), ts, new byte[32]);
        DcDirection d = new DcDirection(4, "cn.b.ntm.example", rd);
        byte[] wire = encode(d::encode);
        assertThat(wire[0]).isEqualTo((byte) 4);
        DcDirection back = DcDirection.decode(ByteBuffer.wrap(wire));
        assertThat(back.cnFamily()).isEqualTo(4);
        assertThat(back.cnFqdn()).isEqualTo("cn.b.ntm.example");
        assertThat(back.direction().tunnelId()).isEqualTo(99);
        assertThat(back.direction().generation()).isEqualTo(2);
        assertThat(back.direction().tunnelSecret()).isEqualTo(ts);
        assertThat(back.direction().peerEndpoint()).isEqualTo(rd.peerEndpoint());
    }

    @Test
    void acksAndFailures() throws Exception {
        DcAck k = new DcAck(5, 6);
        assertThat(HEX.formatHex(encode(k::encode))).isEqualTo("0000000000000005" + "0000000000000006");
        assertThat(DcAck.decode(ByteBuffer.wrap(encode(k::encode)), "DC_POSITION_ACK")).isEqualTo(k);
        DcFailure f = new DcFailure(MessageType.DC_QUERY, 8, "no node registered as x.b");
        assertThat(DcFailure.decode(ByteBuffer.wrap(encode(f::encode)))).isEqualTo(f);
    }

    @Test
    void longReasonsAreCutOnACharacterBoundary() throws Exception {
        String reason = "é".repeat(150); // 300 bytes of UTF-8
        DcFailure f = new DcFailure(MessageType.DC_DIRECTION, 1, reason);
        DcFailure back = DcFailure.decode(ByteBuffer.wrap(encode(f::encode)));
        assertThat(back.reason()).isEqualTo("é".repeat(100));
        DirectionFailure d = new DirectionFailure(1, "x" + reason);
        assertThat(DirectionFailure.decode(ByteBuffer.wrap(encode(d::encode))).reason().getBytes(
                StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
    }

    @Test
    void malformedDcBodiesAreRejected() {
        String q = "0000000000000001";
        assertThatThrownBy(() -> DcPosition.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "03"))))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("1 or 2");
        assertThatThrownBy(() -> DcPosition.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "00"))))
                .hasMessageContaining("1 or 2");
        assertThatThrownBy(() -> DcPosition.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "02" + "04cb0071019c4000"
                + "04cb0071029c4000")))).hasMessageContaining("one IP family twice");
        assertThatThrownBy(() -> DcPosition.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "01" + "04cb0071019c4002"))))
                .hasMessageContaining("natted is 2");
        assertThatThrownBy(() -> DcPosition.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "01" + "00"))))
                .hasMessageContaining("family 0 not allowed");
        assertThatThrownBy(() -> DcFailure.decode(ByteBuffer.wrap(HEX.parseHex("31" + q + "00"))))
                .hasMessageContaining("about type 49");
        assertThatThrownBy(() -> DcDirection.decode(ByteBuffer.wrap(HEX.parseHex("05" + "00"))))
                .hasMessageContaining("cnFamily 5");
        assertThatThrownBy(() -> DcAnswer.decode(ByteBuffer.wrap(HEX.parseHex(q + "06fd000000000000000000000000000101"
                + "00" + "01" + "04cb0071019c4000")))).hasMessageContaining("wrong family");
        assertThatThrownBy(() -> DcAck.decode(ByteBuffer.wrap(HEX.parseHex(q + q + "00")), "DC_DIRECTION_ACK"))
                .hasMessageContaining("trailing");
    }

    /** Random bytes never make a DC <-> DC decoder throw anything but MalformedMessageException. */
    @Test
    void randomInputOnlyEverYieldsMalformedMessage() {
        Random rnd = new Random(2);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(160)];
            rnd.nextBytes(junk);
            for (int which = 0; which < 6; which++) {
                try {
                    switch (which) {
                        case 0 -> DcQuery.decode(ByteBuffer.wrap(junk));
                        case 1 -> DcAnswer.decode(ByteBuffer.wrap(junk));
                        case 2 -> DcDirection.decode(ByteBuffer.wrap(junk));
                        case 3 -> DcPosition.decode(ByteBuffer.wrap(junk));
                        case 4 -> DcFailure.decode(ByteBuffer.wrap(junk));
                        default -> DcAck.decode(ByteBuffer.wrap(junk), "DC_POSITION_ACK");
                    }
                } catch (MalformedMessageException expected) {
                    // fine
                }
            }
        }
    }
}
