package org.ntmlab.ntm.dc;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.signalling.ProtocolConstants.Dc;
import org.ntmlab.ntm.transport.DatagramEndpoint;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DC's DNS responder (paper section 3.2: the DC has a DNS server function; DCmn finds
 * DCcn through DNS). Authoritative for the DC's domain over UDP (RFC 1035): A and AAAA of a
 * registered FQDN are its virtual addresses. Other domains are REFUSED; malformed queries
 * are counted and get no answer.
 *
 * <p>It also publishes where this DC listens, so the DCs of other domains find it
 * (docs/protocol.md, "Discovery through DNS"): {@code _ntm-dc._udp.<domain>} SRV (RFC 2782)
 * naming {@code ntm-dc.<domain>} and the signalling port, with the target's A/AAAA in the
 * additional section (RFC 2782: "the additional data section ... may contain" them), and the
 * A/AAAA of {@code ntm-dc.<domain>} on their own.
 *
 * <p>Replies are rate limited per source network (an IPv4 /24, an IPv6 /56), as the response
 * rate limiting of authoritative servers does: UDP sources can be forged, and a reply is about
 * three times its query, so without a limit the DC would amplify floods at a victim. Names are
 * answered one by one: there is no zone transfer and no wildcard, so listing the domain means
 * guessing its names. Runs on the DC's event loop.
 */
final class DnsResponder {

    private final Name origin;
    private final Name service;
    private final Name target;
    private final Function<String, InetAddress[]> lookup;
    private final Counters counters;
    private volatile List<InetSocketAddress> advertised = List.of();
    private final SourceRateLimit replies = new SourceRateLimit(Dc.DNS_REPLIES_PER_NETWORK_PER_SECOND,
            Dc.DNS_REPLY_BURST_PER_NETWORK, Dc.RATE_LIMIT_SOURCES);

    DnsResponder(String domain, Function<String, InetAddress[]> lookup, Counters counters) {
        try {
            this.origin = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
            this.service = Name.fromString(DcLocator.SERVICE_PREFIX.replaceAll("\\.$", ""), origin);
            this.target = Name.fromString(DcLocator.TARGET_LABEL, origin);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad DNS domain '" + domain + "': " + e.getMessage(), e);
        }
        this.lookup = lookup;
        this.counters = counters;
    }

    /** The DC's signalling addresses to publish (one port); empty: publish nothing. */
    void advertise(List<InetSocketAddress> addresses) {
        advertised = List.copyOf(addresses);
    }

    List<InetSocketAddress> advertised() {
        return advertised;
    }

    /** The SRV owner name, e.g. {@code _ntm-dc._udp.b.ntm.example.}. */
    Name serviceName() {
        return service;
    }

    void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        byte[] wire = new byte[p.remaining()];
        p.get(wire);
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            counters.count(DcCounter.DNS_MALFORMED);
            return;
        }
        if (query.getHeader().getFlag(Flags.QR) || query.getQuestion() == null) {
            counters.count(DcCounter.DNS_MALFORMED);
            return;
        }
        if (!replies.allow(network(from.getAddress()), System.nanoTime())) {
            counters.count(DcCounter.DNS_RATE_LIMITED);
            return;
        }
        Message reply = answer(query);
        byte[] out = reply.toWire(Dc.DNS_UDP_REPLY_MAX_BYTES); // RFC 1035 4.2.1 (truncated otherwise)
        via.send(ByteBuffer.wrap(out), from);
        counters.count(DcCounter.DNS_QUERIES);
    }

    /** The network a source counts in for rate limiting: its IPv4 /24 or IPv6 /56. */
    static InetAddress network(InetAddress a) {
        byte[] b = a.getAddress();
        int keep = b.length == 4 ? 3 : 7;
        for (int i = keep; i < b.length; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            return a; // cannot happen: 4 or 16 bytes
        }
    }

    Message answer(Message query) {
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        Record q = query.getQuestion();
        reply.addRecord(q, Section.QUESTION);
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            reply.getHeader().setRcode(Rcode.NOTIMP);
            return reply;
        }
        Name name = q.getName();
        if (!name.subdomain(origin)) {
            reply.getHeader().setRcode(Rcode.REFUSED);
            return reply;
        }
        reply.getHeader().setFlag(Flags.AA);
        int type = q.getType();
        List<InetSocketAddress> dc = advertised;
        if (!dc.isEmpty() && name.equals(service)) {
            if (type == Type.SRV || type == Type.ANY) {
                reply.addRecord(new SRVRecord(service, DClass.IN, Dc.DNS_DC_TTL_SECONDS, 0, 0, dc.get(0).getPort(),
                        target), Section.ANSWER);
                addDcAddresses(reply, dc, Type.ANY, Section.ADDITIONAL);
            }
            return reply; // NODATA for other types
        }
        if (!dc.isEmpty() && name.equals(target)) {
            addDcAddresses(reply, dc, type, Section.ANSWER);
            return reply;
        }
        String fqdn = name.toString(true).toLowerCase(Locale.ROOT);
        InetAddress[] v = lookup.apply(fqdn);
        if (v == null) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
            return reply;
        }
        if ((type == Type.A || type == Type.ANY) && v[0] instanceof Inet4Address a) {
            reply.addRecord(new ARecord(name, DClass.IN, Dc.DNS_NODE_TTL_SECONDS, a), Section.ANSWER);
        }
        if ((type == Type.AAAA || type == Type.ANY) && v[1] instanceof Inet6Address a6) {
            reply.addRecord(new AAAARecord(name, DClass.IN, Dc.DNS_NODE_TTL_SECONDS, a6), Section.ANSWER);
        }
        return reply; // NOERROR with no answer (NODATA) for other types
    }

    private void addDcAddresses(Message reply, List<InetSocketAddress> dc, int type, int section) {
        for (InetSocketAddress a : dc) {
            if (a.getAddress() instanceof Inet4Address v4 && (type == Type.A || type == Type.ANY)) {
                reply.addRecord(new ARecord(target, DClass.IN, Dc.DNS_DC_TTL_SECONDS, v4), section);
            } else if (a.getAddress() instanceof Inet6Address v6 && (type == Type.AAAA || type == Type.ANY)) {
                reply.addRecord(new AAAARecord(target, DClass.IN, Dc.DNS_DC_TTL_SECONDS, v6), section);
            }
        }
    }
}
