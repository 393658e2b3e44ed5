package org.ntmlab.ntm.dc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.SeedCorpus;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): the DC's DNS responder, fed one UDP payload as its
 * receive path gets it. It must answer or drop, never throw: a dropped query is counted as
 * {@code dnsMalformed}; an answer is one datagram of at most 512 bytes (RFC 1035 4.2.1) that
 * parses, with the query's id, QR set and the query's question.
 */
class DnsResponderFuzzTest {

    static final String DOMAIN = "ntm.example";
    static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53535);

    private final List<byte[]> sent = new ArrayList<>();
    private final DatagramEndpoint endpoint = new DatagramEndpoint() {
        @Override
        public boolean send(ByteBuffer payload, InetSocketAddress to) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            sent.add(b);
            return true;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
        }

        @Override
        public void close() {
        }
    };

    /**
     * A responder for one input: its replies are rate limited per source network on the wall
     * clock, so one kept across inputs would drop some by timing, not by content.
     */
    private static DnsResponder responder(Counters counters) throws IOException {
        InetAddress[] alice = {InetAddress.getByName("100.64.0.7"), InetAddress.getByName("fd00::7")};
        InetAddress[] bob = {InetAddress.getByName("100.64.0.8"), null};
        DnsResponder r = new DnsResponder(DOMAIN, name -> switch (name) {
            case "alice.ntm.example" -> alice;
            case "bob.ntm.example" -> bob;
            default -> null;
        }, counters);
        r.advertise(List.of(new InetSocketAddress("198.51.100.11", 7000),
                new InetSocketAddress("2001:db8::11", 7000)));
        return r;
    }

    @FuzzTest
    void query(byte[] input) throws IOException {
        sent.clear();
        Counters counters = new Counters();
        responder(counters).onDatagram(ByteBuffer.wrap(input), CLIENT, endpoint);
        if (sent.isEmpty()) {
            assertEquals(1, counters.get(DcCounter.DNS_MALFORMED), "a dropped query is counted");
            return;
        }
        assertEquals(1, sent.size(), "one answer per query");
        assertEquals(1, counters.get(DcCounter.DNS_QUERIES));
        byte[] wire = sent.get(0);
        assertTrue(wire.length <= Dc.DNS_UDP_REPLY_MAX_BYTES, "answer of " + wire.length + " bytes over UDP");
        Message query = new Message(input); // it parsed in the responder
        Message reply = new Message(wire);
        assertEquals(query.getHeader().getID(), reply.getHeader().getID());
        assertTrue(reply.getHeader().getFlag(Flags.QR));
        assertEquals(query.getQuestion(), reply.getQuestion());
    }

    static Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("a-registered", query("alice.ntm.example.", Type.A).toWire());
        seeds.put("aaaa-registered", query("alice.ntm.example.", Type.AAAA).toWire());
        seeds.put("any-registered", query("bob.ntm.example.", Type.ANY).toWire());
        seeds.put("a-unknown", query("carol.ntm.example.", Type.A).toWire());
        seeds.put("srv-dc", query("_ntm-dc._udp.ntm.example.", Type.SRV).toWire());
        seeds.put("aaaa-dc", query("ntm-dc.ntm.example.", Type.AAAA).toWire());
        seeds.put("a-other-domain", query("www.example.org.", Type.A).toWire());
        Message notify = query("ntm.example.", Type.SOA);
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        seeds.put("notify", notify.toWire());
        return seeds;
    }

    private static Message query(String name, int type) throws IOException {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        m.getHeader().setID(0x4e54);
        return m;
    }

    @Test
    void seedCorpusIsCommitted() throws IOException {
        SeedCorpus.check(DnsResponderFuzzTest.class, "query", seeds());
    }
}
