package org.ntmlab.ntm.dc;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.function.Function;

import org.ntmlab.ntm.metrics.Counters;
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
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DC's DNS responder (paper section 3.2: the DC has a DNS server function; DCmn finds
 * DCcn through DNS). Authoritative for the DC's domain over UDP (RFC 1035): A and AAAA of a
 * registered FQDN are its virtual addresses. Other domains are REFUSED; malformed queries
 * are counted and get no answer.
 */
final class DnsResponder {

    /** Short TTL: virtual addresses are stable, but registrations come and go. */
    static final long TTL_SECONDS = 10;

    private final Name origin;
    private final Function<String, InetAddress[]> lookup;
    private final Counters counters;

    DnsResponder(String domain, Function<String, InetAddress[]> lookup, Counters counters) {
        try {
            this.origin = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
        } catch (IOException e) {
            throw new IllegalArgumentException("bad DNS domain '" + domain + "': " + e.getMessage(), e);
        }
        this.lookup = lookup;
        this.counters = counters;
    }

    void onDatagram(ByteBuffer p, InetSocketAddress from, DatagramEndpoint via) {
        byte[] wire = new byte[p.remaining()];
        p.get(wire);
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            counters.count("dnsMalformed");
            return;
        }
        if (query.getHeader().getFlag(Flags.QR) || query.getQuestion() == null) {
            counters.count("dnsMalformed");
            return;
        }
        Message reply = answer(query);
        byte[] out = reply.toWire(512); // RFC 1035 4.2.1: UDP replies fit 512 bytes (truncated otherwise)
        via.send(ByteBuffer.wrap(out), from);
        counters.count("dnsQueries");
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
        String fqdn = name.toString(true).toLowerCase(Locale.ROOT);
        InetAddress[] v = lookup.apply(fqdn);
        if (v == null) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
            return reply;
        }
        int type = q.getType();
        if ((type == Type.A || type == Type.ANY) && v[0] instanceof Inet4Address a) {
            reply.addRecord(new ARecord(name, DClass.IN, TTL_SECONDS, a), Section.ANSWER);
        }
        if ((type == Type.AAAA || type == Type.ANY) && v[1] instanceof Inet6Address a6) {
            reply.addRecord(new AAAARecord(name, DClass.IN, TTL_SECONDS, a6), Section.ANSWER);
        }
        return reply; // NOERROR with no answer (NODATA) for other types
    }
}
