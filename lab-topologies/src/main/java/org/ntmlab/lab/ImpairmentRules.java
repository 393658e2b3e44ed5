package org.ntmlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ntmlab.lab.topology.Impairment;

/**
 * Link impairments on the egress of one interface.
 *
 * <p>Loss uses {@code iptables -m statistic --mode random} (available on every kernel the lab
 * met), rate a TBF qdisc. Delay and jitter use {@code sch_netem} where the kernel has it (probed
 * at run time); without it (this project's CI VMs) an NFQUEUE rule in mangle POSTROUTING hands
 * the interface's egress packets to {@link org.ntmlab.lab.nfq.NfqDelay}, which accepts each one
 * after the delay (docs/lab.md). The caller starts that daemon before running these commands.
 */
final class ImpairmentRules {
    private ImpairmentRules() {
    }

    /** Probe for netem without touching the interface being impaired (a dummy qdisc on lo). */
    static final String NETEM_PROBE = "tc qdisc add dev lo root netem delay 0ms 2>/dev/null"
            + " && tc qdisc del dev lo root && echo yes || echo no";

    /**
     * @param queue the NFQUEUE number for user-space delay (used only when {@code netem} is false
     *              and the impairment has delay or jitter)
     */
    static List<String> commands(Impairment im, String ifname, boolean ipv6, boolean netem, int queue) {
        List<String> c = new ArrayList<>();
        if (im.lossPercent() > 0) {
            String p = String.format(Locale.ROOT, "%.6f", im.lossPercent() / 100.0);
            for (String ipt : ipv6 ? List.of("iptables", "ip6tables") : List.of("iptables")) {
                for (String chain : List.of("OUTPUT", "FORWARD")) {
                    c.add(ipt + " -A " + chain + " -o " + ifname + " -m statistic --mode random --probability " + p
                            + " -j DROP");
                }
            }
        }
        String tbf = im.rateBitsPerSecond() > 0
                ? "tbf rate " + im.rateBitsPerSecond() + "bit burst " + Math.max(3200, im.rateBitsPerSecond() / 8 / 50)
                + " latency 200ms" : null;
        if (im.needsDelay() && !netem) {
            // POSTROUTING sees both forwarded and locally sent packets leaving ifname: the same
            // egress the loss rules (OUTPUT + FORWARD) and the qdiscs act on.
            for (String ipt : ipv6 ? List.of("iptables", "ip6tables") : List.of("iptables")) {
                c.add(ipt + " -t mangle -A POSTROUTING -o " + ifname + " -j NFQUEUE --queue-num " + queue);
            }
            if (tbf != null) {
                c.add("tc qdisc add dev " + ifname + " root handle 1: " + tbf);
            }
        } else if (im.needsDelay()) {
            long d = im.delay() == null ? 0 : im.delay().toNanos() / 1000;
            long j = im.jitter() == null ? 0 : im.jitter().toNanos() / 1000;
            c.add("tc qdisc add dev " + ifname + " root handle 1: netem delay " + d + "us" + (j > 0 ? " " + j + "us" : ""));
            if (tbf != null) {
                c.add("tc qdisc add dev " + ifname + " parent 1: handle 2: " + tbf);
            }
        } else if (tbf != null) {
            c.add("tc qdisc add dev " + ifname + " root handle 1: " + tbf);
        }
        return c;
    }
}
