package org.ntmlab.lab;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ntmlab.lab.topology.Cidr;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.NatType;

/**
 * iptables rules that make a two-interface container behave as a NAT of a given type
 * (RFC 4787 terms; verified by {@link NatProbe} with stun-client). The catalogue, and why the
 * combinations not built here cannot be, is in docs/topology-format.md.
 *
 * <ul>
 *   <li>Endpoint-independent mapping, address-and-port-dependent filtering, no hairpinning:
 *       {@code MASQUERADE} (keeps the inside port when it can; conntrack lets in replies only).</li>
 *   <li>Address-and-port-dependent mapping: {@code MASQUERADE --random-fully} (a random port
 *       per flow).</li>
 *   <li>Every other buildable type ({@link NatType#dockerOneToOne()}): static 1:1 NAT, one
 *       outside address per inside host ({@code SNAT} out, {@code DNAT} in), and a filter on
 *       the new flows DNAT lets in: all of them (endpoint-independent), those from addresses
 *       the inside endpoint has sent to (address-dependent: an ipset {@code hash:ip,port,ip} of
 *       (inside address, inside port, remote address) filled by outbound packets, entries
 *       expiring after the mapping timeout), or none (address-and-port-dependent). Hairpinning
 *       adds DNAT on the inside interface and SNAT of the hairpinned flow to the sender's
 *       outside address.</li>
 * </ul>
 */
final class NatRules {
    /** The ipset of (inside address, inside port, remote address) an address-dependent filter lets in. */
    static final String ADF_SET = "ntm-adf";
    /** ipset type of {@link #ADF_SET}. */
    static final String ADF_SET_TYPE = "hash:ip,port,ip";
    /**
     * Lifetime of an address-dependent filter entry when the router sets no mapping timeout:
     * the kernel's UDP timeout for a flow that has seen replies (nf_conntrack_udp_timeout_stream).
     */
    static final Duration DEFAULT_FILTER_TIMEOUT = Duration.ofSeconds(120);

    private NatRules() {
    }

    /** Whether the type needs {@link #ADF_SET} to exist before {@link #commands} run. */
    static boolean needsAdfSet(NatType type) {
        return type.dockerOneToOne() && type.filtering() == NatType.Filtering.ADDRESS_DEPENDENT;
    }

    /** Seconds an address-dependent filter entry lives: the mapping timeout, else {@link #DEFAULT_FILTER_TIMEOUT}. */
    static long filterTimeoutSeconds(Duration mappingTimeout) {
        return Math.max(1, (mappingTimeout != null ? mappingTimeout : DEFAULT_FILTER_TIMEOUT).toSeconds());
    }

    /**
     * @param oneToOne for 1:1 types ({@link NatType#dockerOneToOne()}): inside address -> outside
     *                 address (see AddressPlan)
     */
    static List<String> commands(NatType type, Cidr inside, String inIf, String outIf,
                                 Map<InetAddress, InetAddress> oneToOne) {
        type.dockerLimitation().ifPresent(why -> {
            throw new IllegalArgumentException(type + ": " + why);
        });
        List<String> c = new ArrayList<>();
        boolean adf = needsAdfSet(type);
        // Stateful filter common to all types: from outside, only replies (and the new flows the
        // type's filtering lets in, below) are forwarded inside.
        if (adf) {
            // Every outbound packet (re)adds (inside address, inside port, remote address), with
            // the set's timeout: the permission an address-dependent filter keeps per mapping.
            c.add("iptables -A FORWARD -i " + inIf + " -o " + outIf + " -j SET --add-set " + ADF_SET
                    + " src,src,dst --exist");
        }
        c.add("iptables -A FORWARD -i " + inIf + " -o " + outIf + " -j ACCEPT");
        c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf
                + " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
        if (type.dockerOneToOne()) {
            switch (type.filtering()) {
                case ENDPOINT_INDEPENDENT -> c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf
                        + " -m conntrack --ctstate DNAT -j ACCEPT");
                case ADDRESS_DEPENDENT -> c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf
                        + " -m conntrack --ctstate DNAT -m set --match-set " + ADF_SET + " dst,dst,src -j ACCEPT");
                case ADDRESS_AND_PORT_DEPENDENT -> {
                    // conntrack alone: replies to the inside endpoint's own flows
                }
            }
        }
        c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf + " -j DROP");
        // Unsolicited packets to the router itself are dropped before conntrack confirms them,
        // as a home router's firewall does. Otherwise a peer's hole-punching probe that arrives
        // first leaves a conntrack entry, and MASQUERADE then gives the inside host's own
        // outgoing flow to that peer a different port (a "clash"), i.e. a new mapping.
        c.add("iptables -A INPUT -i " + outIf + " -m conntrack --ctstate NEW,INVALID -j DROP");
        if (!type.dockerOneToOne()) {
            // MASQUERADE keeps the source port when free and reuses the mapping for every
            // destination (endpoint-independent mapping); --random-fully picks a random port per
            // new flow: a new mapping per destination.
            c.add("iptables -t nat -A POSTROUTING -o " + outIf + " -s " + inside + " -j MASQUERADE"
                    + (type.endpointIndependentMapping() ? "" : " --random-fully"));
            return c;
        }
        if (type.hairpinning()) {
            // Hairpinned flows (inside -> an outside address of this router -> inside) pass
            // unfiltered; the filtering behaviour is about what arrives from outside.
            c.add("iptables -A FORWARD -i " + inIf + " -o " + inIf + " -m conntrack --ctstate DNAT -j ACCEPT");
        }
        // Static 1:1 NAT: each inside host has its own outside address; anything sent to it goes
        // to that host, on the same port (the mapping keeps ports: the address is the host's alone).
        for (var e : oneToOne.entrySet()) {
            String in = IpLiteral.format(e.getKey());
            String out = IpLiteral.format(e.getValue());
            c.add("ip addr show dev " + outIf + " | grep -q ' " + out + "/' || ip addr add " + out + "/"
                    + "32 dev " + outIf);
            c.add("iptables -t nat -A PREROUTING -i " + outIf + " -d " + out + " -j DNAT --to-destination " + in);
            c.add("iptables -t nat -A POSTROUTING -o " + outIf + " -s " + in + " -j SNAT --to-source " + out);
            if (type.hairpinning()) {
                // RFC 4787 REQ-9: the receiver sees the sender's outside address and port.
                c.add("iptables -t nat -A PREROUTING -i " + inIf + " -d " + out + " -j DNAT --to-destination " + in);
                c.add("iptables -t nat -A POSTROUTING -o " + inIf + " -s " + in
                        + " -m conntrack --ctstate DNAT -j SNAT --to-source " + out);
            }
        }
        return c;
    }
}
