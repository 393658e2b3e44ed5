package org.ntmlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ntmlab.lab.topology.Impairment;

/**
 * Link impairments on the egress of one interface.
 *
 * <p>Loss uses {@code iptables -m statistic --mode random} (available on every kernel the lab
 * met), rate a TBF qdisc. Delay and jitter need {@code sch_netem}; the lab detects it at run
 * time, and on kernels without it (this project's CI VMs) refuses the topology with a clear
 * message, since user-space delay is not implemented yet (docs/lab.md).
 */
final class ImpairmentRules {
    private ImpairmentRules() {
    }

    /** Probe for netem without touching the interface being impaired (a dummy qdisc on lo). */
    static final String NETEM_PROBE = "tc qdisc add dev lo root netem delay 0ms 2>/dev/null"
            + " && tc qdisc del dev lo root && echo yes || echo no";

    static List<String> commands(Impairment im, String ifname, boolean ipv6, boolean netem, String where) {
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
        if (im.needsDelay()) {
            if (!netem) {
                throw new LabException(where + ": delay/jitter need the sch_netem qdisc, which this kernel lacks;"
                        + " user-space delay is not implemented yet (see docs/lab.md). Remove delay/jitter or run"
                        + " on a kernel with netem.");
            }
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
