package org.ntmlab.lab;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ntmlab.lab.topology.Cidr;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.NatType;

/**
 * iptables rules that make a two-interface container behave as a NAT of a given type
 * (RFC 4787 terms; verified by {@link NatProbe} with stun-client).
 */
final class NatRules {
    private NatRules() {
    }

    /**
     * @param oneToOne for full cone: inside address -> outside address (see AddressPlan)
     */
    static List<String> commands(NatType type, Cidr inside, String inIf, String outIf,
                                 Map<InetAddress, InetAddress> oneToOne) {
        List<String> c = new ArrayList<>();
        // Stateful filter common to all types: from outside, only replies (and DNATed
        // flows for the 1:1 case) are forwarded inside.
        c.add("iptables -A FORWARD -i " + inIf + " -o " + outIf + " -j ACCEPT");
        c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf
                + " -m conntrack --ctstate ESTABLISHED,RELATED,DNAT -j ACCEPT");
        c.add("iptables -A FORWARD -i " + outIf + " -o " + inIf + " -j DROP");
        // Unsolicited packets to the router itself are dropped before conntrack confirms them,
        // as a home router's firewall does. Otherwise a peer's hole-punching probe that arrives
        // first leaves a conntrack entry, and MASQUERADE then gives the inside host's own
        // outgoing flow to that peer a different port (a "clash"), i.e. a new mapping.
        c.add("iptables -A INPUT -i " + outIf + " -m conntrack --ctstate NEW,INVALID -j DROP");
        switch (type) {
            // MASQUERADE keeps the source port when free and reuses the mapping for every
            // destination (endpoint-independent mapping); conntrack filters by address and port.
            case PORT_RESTRICTED_CONE -> c.add("iptables -t nat -A POSTROUTING -o " + outIf + " -s " + inside
                    + " -j MASQUERADE");
            // --random-fully picks a random port per new flow: a new mapping per destination.
            case SYMMETRIC -> c.add("iptables -t nat -A POSTROUTING -o " + outIf + " -s " + inside
                    + " -j MASQUERADE --random-fully");
            // Static 1:1 NAT: anything sent to the outside address goes to the inside host.
            case FULL_CONE -> {
                for (var e : oneToOne.entrySet()) {
                    String in = IpLiteral.format(e.getKey());
                    String out = IpLiteral.format(e.getValue());
                    c.add("ip addr show dev " + outIf + " | grep -q ' " + out + "/' || ip addr add " + out + "/"
                            + "32 dev " + outIf);
                    c.add("iptables -t nat -A PREROUTING -i " + outIf + " -d " + out + " -j DNAT --to-destination "
                            + in);
                    c.add("iptables -t nat -A POSTROUTING -o " + outIf + " -s " + in + " -j SNAT --to-source " + out);
                }
            }
        }
        return c;
    }
}
