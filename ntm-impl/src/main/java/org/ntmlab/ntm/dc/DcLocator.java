package org.ntmlab.ntm.dc;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.ntmlab.ntm.transport.EventLoop;
import org.ntmlab.ntm.transport.Family;
import org.ntmlab.ntm.transport.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds the DC of another domain through DNS (paper section 3.2: "DCmn looks for DCcn with its
 * DNS function"; docs/protocol.md, "Discovery through DNS"): {@code _ntm-dc._udp.<domain>} SRV
 * (RFC 2782), then the target's A/AAAA (RFC 1035 section 3.4.1, RFC 3596) from the additional
 * section or from queries of their own. A stub resolver over the DC's {@link Network}, so the
 * same code runs on kernel sockets and on the in-memory network. Answers are cached for their
 * TTL. Runs on the DC's event loop; never throws on input (bad replies are counted).
 *
 * <p>Each question goes out from a socket of its own, on an ephemeral port the kernel draws
 * at random, closed when the question is answered or given up (RFC 5452 section 9.2, issue 11
 * finding 12): a forged answer must guess the port as well as the 16-bit query id, and only
 * for the moment the question is open.
 */
final class DcLocator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DcLocator.class);
    /** RFC 2782 service name: {@code _Service._Proto.Name}. */
    static final String SERVICE_PREFIX = "_ntm-dc._udp.";
    /** The target name a DC publishes for itself: {@code ntm-dc.<domain>}. */
    static final String TARGET_LABEL = "ntm-dc";

    /** Where the DC of a domain listens, or why it could not be found (exactly one is non-null). */
    @FunctionalInterface
    interface Callback {
        void located(List<InetSocketAddress> dcAddresses, String error);
    }

    private record Cached(List<InetSocketAddress> addresses, long expiresNanos) {
    }

    private final EventLoop loop;
    private final List<InetSocketAddress> resolvers;
    private final Set<Family> usable;
    private final Counters counters;
    private final SecureRandom random;
    private final Network net;
    private final Map<String, Cached> cache = new HashMap<>();
    private final Map<String, Lookup> running = new LinkedHashMap<>();
    private int nextResolver;

    /**
     * @param usable families the DC has signalling sockets for: only their addresses are useful
     */
    DcLocator(Network net, EventLoop loop, List<InetSocketAddress> resolvers, Set<Family> usable, Counters counters,
              SecureRandom random) throws IOException {
        this.loop = loop;
        this.resolvers = List.copyOf(resolvers);
        this.usable = Set.copyOf(usable);
        this.counters = counters;
        this.random = random;
        this.net = net;
    }

    /** Finds the DC of {@code domain}; {@code cb} runs on the loop, maybe before this returns. */
    void locate(String domain, Callback cb) {
        Cached c = cache.get(domain);
        if (c != null) {
            if (c.expiresNanos - loop.nanoTime() > 0) {
                counters.count(DcCounter.DNS_CACHE_HITS);
                cb.located(c.addresses, null);
                return;
            }
            cache.remove(domain);
        }
        Lookup l = running.get(domain);
        if (l != null) {
            l.waiters.add(cb);
            return;
        }
        if (resolvers.isEmpty()) {
            cb.located(null, "no DNS resolver configured (ntm dc --resolver) to find the DC of " + domain);
            return;
        }
        Name srv;
        try {
            srv = Name.fromString(SERVICE_PREFIX + domain + ".");
        } catch (TextParseException e) {
            cb.located(null, "'" + domain + "' is not a DNS name: " + e.getMessage());
            return;
        }
        l = new Lookup(domain);
        l.waiters.add(cb);
        running.put(domain, l);
        l.ask(srv, Type.SRV);
    }

    /** Drops the cached answer for {@code domain} (its DC stopped answering: ask DNS again next time). */
    void forget(String domain) {
        cache.remove(domain);
    }

    @Override
    public void close() {
        running.values().forEach(Lookup::cancel);
        running.clear();
    }

    /** A datagram on {@code l}'s socket: its answer, or something to count and drop. */
    private void onReply(Lookup l, ByteBuffer p, InetSocketAddress from) {
        byte[] wire = new byte[p.remaining()];
        p.get(wire);
        Message reply;
        try {
            reply = new Message(wire);
        } catch (IOException | RuntimeException e) {
            counters.count(DcCounter.DNS_MALFORMED_REPLY);
            return;
        }
        if (running.get(l.domain) != l || !l.matches(reply, from)) {
            counters.count(DcCounter.DNS_UNEXPECTED_REPLY);
            return;
        }
        try {
            l.onReply(reply, from);
        } catch (RuntimeException e) { // a reply dnsjava parsed but we cannot use: never kill the loop
            counters.count(DcCounter.DNS_MALFORMED_REPLY);
            l.fail("DNS: unusable reply for " + l.qname + " from " + from + ": " + e);
        }
    }

    /** One domain being located: the SRV question, then address questions if needed. */
    private final class Lookup {
        final String domain;
        final List<Callback> waiters = new ArrayList<>();
        final Map<Integer, InetSocketAddress> asked = new HashMap<>();
        Name qname;
        int qtype;
        int tries;
        String problem;
        EventLoop.Timer timer;
        /** The socket of the question now open; null between questions. */
        DatagramEndpoint socket;
        Name target;
        int port;
        long ttl = Dc.DNS_MAX_CACHE_SECONDS;
        final List<InetSocketAddress> found = new ArrayList<>();
        final Deque<Integer> addressTypes = new ArrayDeque<>();

        Lookup(String domain) {
            this.domain = domain;
        }

        void ask(Name name, int type) {
            qname = name;
            qtype = type;
            tries = 0;
            problem = "no reply";
            asked.clear();
            send();
        }

        void send() {
            cancel();
            if (tries++ >= Math.max(Dc.DNS_TRIES, resolvers.size())) {
                if (qtype == Type.SRV) {
                    fail("DNS: no answer for " + qname + " SRV (" + problem + ") from " + resolvers);
                } else {
                    nextAddressQuestion(); // the other family may still answer
                }
                return;
            }
            InetSocketAddress server = resolvers.get(Math.floorMod(nextResolver++, resolvers.size()));
            int id = random.nextInt(0x10000); // RFC 5452 section 9.2: unpredictable query id
            Message q = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
            q.getHeader().setID(id);
            asked.put(id, server);
            try { // a fresh socket per question: a random port (RFC 5452 section 9.2)
                socket = net.open(new InetSocketAddress(Family.of(server.getAddress()) == Family.V4 ? "0.0.0.0"
                        : "::", 0), loop, (p, from, via) -> DcLocator.this.onReply(this, p, from));
                socket.send(ByteBuffer.wrap(q.toWire()), server);
                counters.count(DcCounter.DNS_QUERIES_SENT);
            } catch (IOException | RuntimeException e) {
                problem = "cannot open a socket: " + e.getMessage();
            }
            timer = loop.schedule(Dc.DNS_TRY_NANOS, this::send);
        }

        void cancel() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }

        boolean matches(Message reply, InetSocketAddress from) {
            InetSocketAddress server = asked.get(reply.getHeader().getID());
            Record q = reply.getQuestion();
            return server != null && server.equals(from) && reply.getHeader().getFlag(Flags.QR) && q != null
                    && q.getName().equals(qname) && q.getType() == qtype;
        }

        void onReply(Message reply, InetSocketAddress from) {
            int rcode = reply.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                if (qtype == Type.SRV) {
                    fail("DNS: no NTM DC for domain " + domain + " (NXDOMAIN for " + qname + ")");
                } else {
                    cancel();
                    nextAddressQuestion();
                }
                return;
            }
            if (rcode != Rcode.NOERROR) { // REFUSED, SERVFAIL, NOTIMP...: another resolver may know
                problem = Rcode.string(rcode) + " from " + from;
                send();
                return;
            }
            cancel();
            boolean truncated = reply.getHeader().getFlag(Flags.TC);
            if (qtype == Type.SRV) {
                onSrv(reply, truncated);
            } else {
                takeAddresses(reply.getSection(Section.ANSWER), null);
                nextAddressQuestion();
            }
        }

        void onSrv(Message reply, boolean truncated) {
            List<SRVRecord> srvs = new ArrayList<>();
            for (Record r : reply.getSection(Section.ANSWER)) {
                if (r instanceof SRVRecord s && s.getName().equals(qname)) {
                    srvs.add(s);
                }
            }
            if (srvs.isEmpty()) {
                fail("DNS: " + qname + " has no SRV record" + (truncated ? " (reply truncated)" : ""));
                return;
            }
            if (srvs.size() == 1 && srvs.get(0).getTarget().equals(Name.root)) {
                fail("DNS: domain " + domain + " says it has no NTM DC (SRV target \".\")");
                return;
            }
            srvs.removeIf(s -> s.getTarget().equals(Name.root));
            SRVRecord chosen = choose(srvs);
            target = chosen.getTarget();
            port = chosen.getPort();
            ttl = Math.min(ttl, chosen.getTTL());
            takeAddresses(reply.getSection(Section.ADDITIONAL), target);
            if (!found.isEmpty()) {
                done();
                return;
            }
            if (usable.contains(Family.V4)) {
                addressTypes.add(Type.A);
            }
            if (usable.contains(Family.V6)) {
                addressTypes.add(Type.AAAA);
            }
            nextAddressQuestion();
        }

        /** RFC 2782 "Usage rules": lowest priority, then a weighted random choice among those. */
        SRVRecord choose(List<SRVRecord> srvs) {
            int best = srvs.stream().mapToInt(SRVRecord::getPriority).min().orElseThrow();
            List<SRVRecord> top = new ArrayList<>(srvs.stream().filter(s -> s.getPriority() == best).toList());
            top.sort(Comparator.comparingInt(SRVRecord::getWeight)); // weight 0 first, as the RFC asks
            int sum = top.stream().mapToInt(SRVRecord::getWeight).sum();
            int pick = sum == 0 ? 0 : random.nextInt(sum + 1);
            int running = 0;
            for (SRVRecord s : top) {
                running += s.getWeight();
                if (running >= pick) {
                    return s;
                }
            }
            return top.get(top.size() - 1);
        }

        /** Adds the A/AAAA records of {@code owner} (any owner when null) of usable families. */
        void takeAddresses(List<Record> records, Name owner) {
            for (Record r : records) {
                if (owner != null && !r.getName().equals(owner)) {
                    continue;
                }
                InetAddress a = r instanceof ARecord ar ? ar.getAddress()
                        : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                if (a == null || !usable.contains(Family.of(a))) {
                    continue;
                }
                if (a instanceof Inet6Address && a.getAddress().length != 16 || a instanceof Inet4Address
                        && a.getAddress().length != 4) {
                    continue;
                }
                InetSocketAddress sa;
                try { // without the owner name dnsjava attaches: logs and failure reasons stay short
                    sa = new InetSocketAddress(InetAddress.getByAddress(a.getAddress()), port);
                } catch (java.net.UnknownHostException e) {
                    continue;
                }
                if (!found.contains(sa)) {
                    found.add(sa);
                    ttl = Math.min(ttl, r.getTTL());
                }
            }
        }

        void nextAddressQuestion() {
            Integer t = addressTypes.poll();
            if (t == null) {
                if (found.isEmpty()) {
                    fail("DNS: no address for " + target + " (the DC of " + domain + ")");
                } else {
                    done();
                }
                return;
            }
            ask(target, t);
        }

        void done() {
            cancel();
            running.remove(domain);
            // IPv4 first: every lab network has it; retries rotate through the rest
            found.sort(Comparator.comparingInt(a -> a.getAddress() instanceof Inet4Address ? 0 : 1));
            List<InetSocketAddress> out = List.copyOf(found);
            long ttlSeconds = Math.max(0, Math.min(ttl, Dc.DNS_MAX_CACHE_SECONDS));
            if (ttlSeconds > 0) {
                cache.put(domain, new Cached(out, loop.nanoTime() + TimeUnit.SECONDS.toNanos(ttlSeconds)));
            }
            counters.count(DcCounter.DC_LOCATED);
            LOG.info("event=dc-located domain={} target={} addresses={} ttl={}", domain, target, out, ttlSeconds);
            waiters.forEach(w -> w.located(out, null));
        }

        void fail(String reason) {
            cancel();
            running.remove(domain);
            counters.count(DcCounter.DC_LOCATE_FAILURES);
            LOG.info("event=dc-locate-failed domain={} reason=\"{}\"", domain, reason);
            waiters.forEach(w -> w.located(null, reason));
        }
    }
}
