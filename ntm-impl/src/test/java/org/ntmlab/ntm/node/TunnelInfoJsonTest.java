package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * {@link TunnelInfo#toJson}: the field names and value formats the lab's control-channel
 * readers match on (conformance-tests' {@code tunnelRow}/{@code json}, LoopbackProcessesIT),
 * and escaping, so that any peer name gives one valid line of JSON.
 */
class TunnelInfoJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TunnelInfo info(String peer, InetAddress v6, InetSocketAddress relay, double setupMs) throws Exception {
        return new TunnelInfo(peer, InetAddress.getByName("10.99.0.2"), v6, 0xabcdef0123L, "initiator", "up",
                "relay", new InetSocketAddress("2001:db8::30", 7200), relay, null, false, setupMs, 1, 2, 300, 400,
                5, 6);
    }

    @Test
    void fieldsAndFormatsAreTheOnesTheLabReads() throws Exception {
        TunnelInfo t = info("cn.ntm.example", InetAddress.getByName("fd00::2"),
                new InetSocketAddress("203.0.113.170", 7300), 12.5);
        assertThat(t.toJson()).isEqualTo("{\"peer\":\"cn.ntm.example\",\"v4\":\"10.99.0.2\","
                + "\"v6\":\"fd00:0:0:0:0:0:0:2\",\"tunnelId\":\"abcdef0123\",\"role\":\"initiator\",\"state\":\"up\","
                + "\"path\":\"relay\",\"peerEndpoint\":\"[2001:db8:0:0:0:0:0:30]:7200\","
                + "\"relay\":\"203.0.113.170:7300\",\"peerMapped\":null,\"optimised\":false,\"setupMs\":12.5,"
                + "\"txPackets\":1,\"rxPackets\":2,\"txBytes\":300,\"rxBytes\":400,\"rxDropped\":5,\"roams\":6}");
        assertThat(info("x", null, null, -1).toJson())
                .contains("\"v6\":null,").contains("\"relay\":null,").contains("\"setupMs\":-1.0,");
    }

    @Test
    void aPeerNameWithQuotesBackslashesAndControlCharactersRoundTrips() throws Exception {
        String name = "evil\"name\\with\u0001control\nand\ttabs";
        String json = info(name, null, null, 3.25).toJson();
        assertThat(json).doesNotContain("\n").doesNotContain("\u0001"); // the control channel is line-based
        JsonNode back = MAPPER.readTree(json);
        assertThat(back.get("peer").asText()).isEqualTo(name);
        assertThat(back.get("tunnelId").asText()).isEqualTo("abcdef0123");
        assertThat(back.get("setupMs").asDouble()).isEqualTo(3.25);
        assertThat(back.get("peerMapped").isNull()).isTrue();
    }

    @Test
    void theTunnelsReplyIsOneJsonArray() throws Exception {
        TunnelInfo a = info("a\"b", null, null, 1);
        TunnelInfo b = info("c.ntm.example", null, null, 2);
        String json = TunnelInfo.toJsonArray(List.of(a, b));
        assertThat(json).isEqualTo("[" + a.toJson() + "," + b.toJson() + "]");
        JsonNode back = MAPPER.readTree(json);
        assertThat(back.isArray()).isTrue();
        assertThat(back.get(0).get("peer").asText()).isEqualTo("a\"b");
        assertThat(back.get(1).get("peer").asText()).isEqualTo("c.ntm.example");
        assertThat(TunnelInfo.toJsonArray(List.of())).isEqualTo("[]");
    }
}
