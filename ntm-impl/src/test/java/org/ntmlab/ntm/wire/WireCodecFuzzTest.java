package org.ntmlab.ntm.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.SeedCorpus;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): every NTM message body codec. The first input byte
 * picks the codec, the rest is the body. The contract the callers rely on (they catch only
 * {@link MalformedMessageException}, count and drop): a body decodes or is refused with that
 * exception, nothing else. A body that decodes must encode, and its encoding must decode to
 * the same message and encode to the same bytes. The input as a whole also goes through the
 * clear header's pre-check.
 */
class WireCodecFuzzTest {

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(ByteBuffer b) throws MalformedMessageException;
    }

    private record Codec<T>(String name, Class<T> type, Decoder<T> decoder, BiConsumer<T, ByteBuffer> encoder,
                            boolean holdsArrays) {

        Object decode(ByteBuffer b) throws MalformedMessageException {
            return decoder.decode(b);
        }

        byte[] encode(Object m) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            encoder.accept(type.cast(m), b);
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    private static <T> Codec<T> codec(String name, Class<T> type, Decoder<T> d, BiConsumer<T, ByteBuffer> e) {
        return new Codec<>(name, type, d, e, false);
    }

    /** One entry per body layout; several message types share IdBody and DcAck. */
    static final List<Codec<?>> CODECS = List.of(
            codec("register", Register.class, Register::decode, Register::encode),
            codec("register-ack", RegisterAck.class, RegisterAck::decode, RegisterAck::encode),
            codec("keepalive-ack", KeepaliveAck.class, KeepaliveAck::decode, KeepaliveAck::encode),
            codec("direction-request", DirectionRequest.class, DirectionRequest::decode, DirectionRequest::encode),
            new Codec<>("route-direction", RouteDirection.class, RouteDirection::decode, RouteDirection::encode, true),
            codec("direction-ack", DirectionAck.class, DirectionAck::decode, DirectionAck::encode),
            codec("direction-failure", DirectionFailure.class, DirectionFailure::decode, DirectionFailure::encode),
            codec("reregister", Reregister.class, Reregister::decode, Reregister::encode),
            new Codec<>("relay-authorise", RelayAuthorise.class, RelayAuthorise::decode, RelayAuthorise::encode, true),
            codec("id-body", IdBody.class, b -> IdBody.decode(b, "PROBE"), IdBody::encode),
            codec("tunnel-hello", TunnelHello.class, TunnelHello::decode, TunnelHello::encode),
            codec("dc-query", DcQuery.class, DcQuery::decode, DcQuery::encode),
            codec("dc-answer", DcAnswer.class, DcAnswer::decode, DcAnswer::encode),
            new Codec<>("dc-direction", DcDirection.class, DcDirection::decode, DcDirection::encode, true),
            codec("dc-ack", DcAck.class, b -> DcAck.decode(b, "DC_DIRECTION_ACK"), DcAck::encode),
            codec("dc-position", DcPosition.class, DcPosition::decode, DcPosition::encode),
            codec("dc-failure", DcFailure.class, DcFailure::decode, DcFailure::encode));

    @FuzzTest
    void body(byte[] input) {
        headerPrecheck(input);
        if (input.length == 0) {
            return;
        }
        Codec<?> c = CODECS.get((input[0] & 0xFF) % CODECS.size());
        Object m;
        try {
            m = c.decode(ByteBuffer.wrap(input, 1, input.length - 1).slice());
        } catch (MalformedMessageException refused) {
            return; // the documented rejection
        }
        byte[] once = c.encode(m);
        Object again;
        try {
            again = c.decode(ByteBuffer.wrap(once));
        } catch (MalformedMessageException e) {
            throw new AssertionError(c.name + ": re-encoded " + m + " does not decode: " + e.getMessage(), e);
        }
        assertArrayEquals(once, c.encode(again), c.name + ": encoding is not stable");
        if (!c.holdsArrays) { // records holding byte[] compare by identity: their bytes are compared above
            assertEquals(m, again, c.name + ": round trip changed the message");
        }
    }

    private static void headerPrecheck(byte[] input) {
        ByteBuffer b = ByteBuffer.wrap(input);
        MessageDrop drop = NtmHeader.precheck(b, 0, input.length);
        if (drop == null) {
            assertTrue(input.length >= NtmHeader.LENGTH);
            assertEquals(NtmHeader.VERSION, NtmHeader.version(b, 0));
            NtmHeader.type(b, 0);
            NtmHeader.suite(b, 0);
            NtmHeader.id(b, 0);
            NtmHeader.counter(b, 0);
        }
    }

    /** One valid body per codec, made by the codecs: the corpus Jazzer starts from. */
    static Map<String, byte[]> seeds() throws Exception {
        InetAddress v4 = InetAddress.getByName("100.64.0.7");
        InetAddress v6 = InetAddress.getByName("fd00::7");
        InetSocketAddress mapped4 = new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 40001);
        InetSocketAddress mapped6 = new InetSocketAddress(InetAddress.getByName("2001:db8::9"), 7000);
        byte[] secret = new byte[RouteDirection.SECRET_LENGTH];
        Arrays.fill(secret, (byte) 0x5a);
        RouteDirection rd = new RouteDirection(3, 0x1122334455667788L, 2, RouteDirection.INITIATOR, true,
                RouteDirection.RELAY, "bob.ntm.example", v4, v6, mapped4, mapped6,
                List.of(new InetSocketAddress(InetAddress.getByName("192.168.1.21"), 7200)), secret, secret);
        List<DcReach> position = List.of(new DcReach(mapped4, true), new DcReach(mapped6, false));
        List<Object> messages = List.of(
                new Register("alice.ntm.example", List.of(InetAddress.getByName("192.168.1.20"),
                        InetAddress.getByName("2001:db8::20")),
                        List.of(new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 7201),
                                new InetSocketAddress(InetAddress.getByName("2001:db8::20"), 7201)),
                        1_796_000_000_000L),
                new RegisterAck(v4, v6, mapped4, 10),
                new KeepaliveAck(mapped6),
                new DirectionRequest(3, "bob.ntm.example"),
                rd,
                new DirectionAck(0x1122334455667788L, 2),
                new DirectionFailure(3, "no relay for this pair"),
                new Reregister(Reregister.FAMILY_UNREGISTERED, MessageType.KEEPALIVE),
                new RelayAuthorise(0x1122334455667788L, secret, 3600),
                new IdBody(0x0102030405060708L),
                new TunnelHello("alice.ntm.example", v4, v6),
                new DcQuery(9, 0x1122334455667788L, "alice.a.example", "bob.b.example"),
                new DcAnswer(9, v4, v6, position),
                new DcDirection(6, "bob.b.example", rd),
                new DcAck(0x1122334455667788L, 4),
                new DcPosition(0x1122334455667788L, 5, position),
                new DcFailure(MessageType.DC_QUERY, 9, "unknown name"));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (int i = 0; i < CODECS.size(); i++) {
            Codec<?> c = CODECS.get(i);
            byte[] body = c.encode(messages.get(i));
            byte[] seed = new byte[1 + body.length];
            seed[0] = (byte) i;
            System.arraycopy(body, 0, seed, 1, body.length);
            seeds.put(c.name, seed);
        }
        // a whole DATA header, for the pre-check
        ByteBuffer h = ByteBuffer.allocate(NtmHeader.LENGTH + 4);
        NtmHeader.write(h, 0, MessageType.DATA, 1, NtmHeader.FLAG_INITIATOR, 0x1122334455667788L, 1);
        seeds.put("header-data", h.array());
        return seeds;
    }

    @Test
    void seedCorpusIsCommitted() throws Exception {
        Map<String, byte[]> seeds = seeds();
        for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
            if (s.getKey().startsWith("header")) {
                continue;
            }
            byte[] in = s.getValue();
            CODECS.get(in[0]).decode(ByteBuffer.wrap(in, 1, in.length - 1).slice()); // throws if not
        }
        SeedCorpus.check(WireCodecFuzzTest.class, "body", seeds);
    }
}
