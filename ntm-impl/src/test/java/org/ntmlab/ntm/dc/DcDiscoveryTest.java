package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.Segment;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Discovery of another domain's DC through DNS (docs/protocol.md, "Discovery through DNS"):
 * what a DC's responder publishes ({@code _ntm-dc._udp.<domain>} SRV per RFC 2782 with the
 * target's A/AAAA), and how {@link DcLocator} asks resolvers, moves on after REFUSED, follows
 * RFC 2782 target choice, queries addresses itself, caches with the TTL, and fails clearly.
 */
class DcDiscoveryTest {

    static final String B = "b.ntm.example";
    final MemoryNetwork net = new MemoryNetwork(7);
    final Segment g4 = net.segment("g4", true);
    final Segment g6 = net.segment("g6", true);
    final List<AutoCloseable> closing = new ArrayList<>();
    final Counters counters = new Counters();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        net.close();
    }

    static Message query(String name, int type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    static DnsResponder responder(List<InetSocketAddress> advertise) {
        DnsResponder r = new DnsResponder(B, n -> null, new Counters());
        r.advertise(advertise);
        return r;
    }

    static final List<InetSocketAddress> DC_B = List.of(new InetSocketAddress("198.51.100.11", 7000),
            new InetSocketAddress("2001:db8::11", 7000));

    @Test
    void dcResponderPublishesSrvWithTargetAddresses() throws Exception {
        DnsResponder r = responder(DC_B);
        Message srv = r.answer(query("_ntm-dc._udp.b.ntm.example.", Type.SRV));
        assertThat(srv.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(srv.getRcode()).isEqualTo(Rcode.NOERROR);
        List<Record> ans = srv.getSection(Section.ANSWER);
        assertThat(ans).hasSize(1);
        SRVRecord s = (SRVRecord) ans.get(0);
        assertThat(s.getTarget()).isEqualTo(Name.fromString("ntm-dc.b.ntm.example."));
        assertThat(s.getPort()).isEqualTo(7000);
        assertThat(s.getTTL()).isEqualTo(Dc.DNS_DC_TTL_SECONDS);
        assertThat(srv.getSection(Section.ADDITIONAL)).extracting(Record::getType)
                .containsExactlyInAnyOrder(Type.A, Type.AAAA);

        Message a = r.answer(query("ntm-dc.b.ntm.example.", Type.A));
        assertThat(((ARecord) a.getSection(Section.ANSWER).get(0)).getAddress())
                .isEqualTo(InetAddress.getByName("198.51.100.11"));
        Message aaaa = r.answer(query("NTM-DC.B.ntm.example.", Type.AAAA)); // names are case-insensitive
        assertThat(((AAAARecord) aaaa.getSection(Section.ANSWER).get(0)).getAddress())
                .isEqualTo(InetAddress.getByName("2001:db8::11"));
        Message txt = r.answer(query("_ntm-dc._udp.b.ntm.example.", Type.TXT));
        assertThat(txt.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(txt.getSection(Section.ANSWER)).as("NODATA").isEmpty();
        assertThat(r.answer(query("_ntm-dc._udp.x.b.ntm.example.", Type.SRV)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(responder(List.of()).answer(query("_ntm-dc._udp.b.ntm.example.", Type.SRV)).getRcode())
                .as("nothing published without an address").isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.answer(query("_ntm-dc._udp.c.ntm.example.", Type.SRV)).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void locatorMovesOnAfterRefusedAndUsesAdditionalAddresses() throws Exception {
        InetSocketAddress refusing = server("198.51.100.52", q -> rcode(q, Rcode.REFUSED));
        DnsResponder dcB = responder(DC_B);
        InetSocketAddress good = server("198.51.100.53", dcB::answer);
        DcLocator loc = locator(List.of(refusing, good));
        assertThat(locate(loc, B).get(5, TimeUnit.SECONDS)).containsExactlyElementsOf(DC_B);
        assertThat(counters.get("dnsQueriesSent")).isEqualTo(2);
        assertThat(counters.get("dcLocated")).isEqualTo(1);
        // cached with the TTL: no new query
        assertThat(locate(loc, B).get(5, TimeUnit.SECONDS)).containsExactlyElementsOf(DC_B);
        assertThat(counters.get("dnsQueriesSent")).isEqualTo(2);
        assertThat(counters.get("dnsCacheHits")).isEqualTo(1);
        loc.forget(B);
        locate(loc, B).get(5, TimeUnit.SECONDS);
        assertThat(counters.get("dnsQueriesSent")).as("forgotten: asked again").isGreaterThan(2);
    }

    @Test
    void locatorAsksForAddressesWhenTheReplyHasNoneAndHonoursTtlZero() throws Exception {
        Name target = Name.fromString("dc1.elsewhere.example.");
        long[] ttl = {0};
        InetSocketAddress dns = server("198.51.100.53", q -> {
            Message m = rcode(q, Rcode.NOERROR);
            Record question = q.getQuestion();
            if (question.getType() == Type.SRV) {
                m.addRecord(new SRVRecord(question.getName(), DClass.IN, 300, 0, 0, 7007, target), Section.ANSWER);
            } else if (question.getType() == Type.A) {
                m.addRecord(new ARecord(target, DClass.IN, ttl[0], addr("198.51.100.77")), Section.ANSWER);
            }
            return m; // AAAA: NODATA
        });
        DcLocator loc = locator(List.of(dns));
        assertThat(locate(loc, B).get(5, TimeUnit.SECONDS)).containsExactly(new InetSocketAddress("198.51.100.77", 7007));
        assertThat(counters.get("dnsQueriesSent")).as("SRV, A, AAAA").isEqualTo(3);
        locate(loc, B).get(5, TimeUnit.SECONDS);
        assertThat(counters.get("dnsQueriesSent")).as("TTL 0: not cached").isEqualTo(6);
    }

    @Test
    void srvChoiceFollowsPriority() throws Exception {
        InetSocketAddress dns = server("198.51.100.53", q -> {
            Message m = rcode(q, Rcode.NOERROR);
            Name n = q.getQuestion().getName();
            try {
                Name low = Name.fromString("backup.b.ntm.example.");
                Name high = Name.fromString("main.b.ntm.example.");
                m.addRecord(new SRVRecord(n, DClass.IN, 60, 20, 100, 7000, low), Section.ANSWER);
                m.addRecord(new SRVRecord(n, DClass.IN, 60, 10, 0, 7001, high), Section.ANSWER);
                m.addRecord(new ARecord(low, DClass.IN, 60, addr("198.51.100.80")), Section.ADDITIONAL);
                m.addRecord(new ARecord(high, DClass.IN, 60, addr("198.51.100.81")), Section.ADDITIONAL);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return m;
        });
        assertThat(locate(locator(List.of(dns)), B).get(5, TimeUnit.SECONDS))
                .containsExactly(new InetSocketAddress("198.51.100.81", 7001));
    }

    @Test
    void failuresNameTheirCause() throws Exception {
        DcLocator nx = locator(List.of(server("198.51.100.53", q -> rcode(q, Rcode.NXDOMAIN))));
        assertThat(error(nx, B)).isEqualTo("DNS: no NTM DC for domain b.ntm.example (NXDOMAIN for "
                + "_ntm-dc._udp.b.ntm.example.)");

        DcLocator dot = locator(List.of(server("198.51.100.54", q -> {
            Message m = rcode(q, Rcode.NOERROR);
            m.addRecord(new SRVRecord(q.getQuestion().getName(), DClass.IN, 60, 0, 0, 0, Name.root), Section.ANSWER);
            return m;
        })));
        assertThat(error(dot, B)).contains("says it has no NTM DC");

        DcLocator none = locator(List.of(server("198.51.100.55", q -> rcode(q, Rcode.NOERROR))));
        assertThat(error(none, B)).contains("has no SRV record");

        DcLocator silent = locator(List.of(server("198.51.100.56", q -> null)));
        assertThat(error(silent, B)).contains("DNS: no answer for _ntm-dc._udp.b.ntm.example. SRV (no reply)");

        DcLocator noResolver = locator(List.of());
        assertThat(error(noResolver, B)).contains("no DNS resolver configured");
    }

    /** A reply from anyone but the server asked is ignored (RFC 5452): an off-path forger cannot steer a DC. */
    @Test
    void replyFromAnotherAddressIsIgnored() throws Exception {
        List<Message> seen = new CopyOnWriteArrayList<>();
        List<InetSocketAddress> from = new CopyOnWriteArrayList<>();
        silentServer(seen, from);
        DcLocator loc = locator(List.of(new InetSocketAddress("198.51.100.53", 53)));
        CompletableFuture<List<InetSocketAddress>> f = locate(loc, B);
        for (int i = 0; i < 100 && seen.isEmpty(); i++) {
            Thread.sleep(10);
        }
        Message forged = responder(List.of(new InetSocketAddress("198.51.100.66", 7000))).answer(seen.get(0));
        MemoryHost evil = net.host("evil").attach(g4, "198.51.100.66");
        SelectorEventLoop el = loop("evil");
        DatagramEndpoint ep = evil.open(new InetSocketAddress("198.51.100.66", 53), el, (p, x, v) -> { });
        el.execute(() -> ep.send(ByteBuffer.wrap(forged.toWire()), from.get(0)));
        assertThat(f).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("no reply");
        assertThat(counters.get("dnsUnexpectedReply")).isEqualTo(1);
    }

    /**
     * Issue 11 finding 12: the locator asked every question from one port for the DC's life, so a
     * forger had only the 16-bit id to guess. Each question now has a socket of its own,
     * closed when the question is over: an answer to an earlier try's port reaches nobody.
     */
    @Test
    void eachQuestionGoesOutFromItsOwnPortClosedWhenItIsOver() throws Exception {
        List<Message> seen = new CopyOnWriteArrayList<>();
        List<InetSocketAddress> from = new CopyOnWriteArrayList<>();
        SelectorEventLoop l = loop("dns");
        DatagramEndpoint dns = silentServer(seen, from, l);
        DcLocator loc = locator(List.of(new InetSocketAddress("198.51.100.53", 53)));
        CompletableFuture<List<InetSocketAddress>> f = locate(loc, B);
        for (int i = 0; i < 300 && seen.size() < 2; i++) {
            Thread.sleep(10);
        }
        assertThat(seen).as("the first try went unanswered, a second came").hasSizeGreaterThanOrEqualTo(2);
        assertThat(from.get(1).getPort()).as("another try, another port").isNotEqualTo(from.get(0).getPort());
        // the genuine answer to the first try, too late: its socket is closed
        Message late = responder(DC_B).answer(seen.get(0));
        l.execute(() -> dns.send(ByteBuffer.wrap(late.toWire()), from.get(0)));
        Thread.sleep(100);
        assertThat(f).as("nobody listens on the first try's port").isNotDone();
        // the answer to the question now open is taken
        Message current = responder(DC_B).answer(seen.get(seen.size() - 1));
        l.execute(() -> dns.send(ByteBuffer.wrap(current.toWire()), from.get(from.size() - 1)));
        assertThat(f.get(5, TimeUnit.SECONDS)).containsExactlyElementsOf(DC_B);
    }

    // ---------------------------------------------------------------- helpers

    /** A DNS server at 198.51.100.53:53 that never answers; it records each query and where it came from. */
    DatagramEndpoint silentServer(List<Message> seen, List<InetSocketAddress> from) {
        return silentServer(seen, from, loop("dns"));
    }

    DatagramEndpoint silentServer(List<Message> seen, List<InetSocketAddress> from, SelectorEventLoop l) {
        MemoryHost h = net.host("dns").attach(g4, "198.51.100.53");
        return h.open(new InetSocketAddress("198.51.100.53", 53), l, (p, f, v) -> {
            byte[] b = new byte[p.remaining()];
            p.get(b);
            try {
                seen.add(new Message(b));
                from.add(f);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static Message rcode(Message q, int rcode) {
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(q.getQuestion(), Section.QUESTION);
        return m;
    }

    static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    SelectorEventLoop loop(String name) {
        SelectorEventLoop l = new SelectorEventLoop(name);
        closing.add(l);
        return l;
    }

    /** A DNS server at {@code address}:53 answering with {@code answer} (null: stays silent). */
    InetSocketAddress server(String address, Function<Message, Message> answer) throws Exception {
        MemoryHost h = net.host("dns-" + address).attach(g4, address);
        InetSocketAddress at = new InetSocketAddress(address, 53);
        h.open(at, loop("dns-" + address), (p, from, via) -> {
            byte[] b = new byte[p.remaining()];
            p.get(b);
            try {
                Message reply = answer.apply(new Message(b));
                if (reply != null) {
                    via.send(ByteBuffer.wrap(reply.toWire()), from);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return at;
    }

    DcLocator locator(List<InetSocketAddress> resolvers) throws Exception {
        String name = "dc" + closing.size();
        MemoryHost h = net.host(name).attach(g4, "198.51.100." + (100 + closing.size())).attach(g6,
                "2001:db8::" + (100 + closing.size()));
        SelectorEventLoop l = loop(name);
        DcLocator loc = new DcLocator(h, l, resolvers, Set.of(Family.V4, Family.V6), counters, new SecureRandom());
        closing.add(0, loc);
        locLoops.put(loc, l);
        return loc;
    }

    final java.util.Map<DcLocator, SelectorEventLoop> locLoops = new java.util.HashMap<>();

    CompletableFuture<List<InetSocketAddress>> locate(DcLocator loc, String domain) {
        CompletableFuture<List<InetSocketAddress>> f = new CompletableFuture<>();
        locLoops.get(loc).execute(() -> loc.locate(domain, (addrs, err) -> {
            if (err != null) {
                f.completeExceptionally(new Exception(err));
            } else {
                f.complete(addrs);
            }
        }));
        return f;
    }

    String error(DcLocator loc, String domain) throws Exception {
        CompletableFuture<List<InetSocketAddress>> f = locate(loc, domain);
        try {
            f.get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getMessage();
        }
    }
}
