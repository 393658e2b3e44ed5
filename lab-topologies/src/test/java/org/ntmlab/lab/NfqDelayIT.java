package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.Impairment;
import org.ntmlab.lab.topology.NatType;
import org.ntmlab.lab.topology.Topology;

/**
 * Link delay and jitter through a router: netem where the kernel has it, otherwise NFQUEUE plus
 * the user-space {@link org.ntmlab.lab.nfq.NfqDelay} daemon in the router container.
 *
 * <p>Prefixes: 192.168.99.0/24 inside, 203.0.113.240/28 + 2001:db8:99::/64 outside; while a lab
 * that uses the whole of 203.0.113.0/24 runs (Docker refuses overlapping pools), this one moves
 * to a relocation slot instead of waiting.
 */
class NfqDelayIT {
    private static final Pattern RTT = Pattern.compile("time=([\\d.]+) ms");

    private static Topology routed(Duration delay, Duration jitter) {
        return Topology.builder("nfq-delay")
                .privateSegment("dly-in", "192.168.99.0/24", "dr")
                .dualStackSegment("dly-out", "203.0.113.240/28", "2001:db8:99::/64")
                .router("dr", NatType.PORT_RESTRICTED_CONE, "dly-in", "dly-out")
                .node("da", "da.ntm.example", "dly-in")
                .node("db", "db.ntm.example", "dly-out")
                // both directions of the routed path: request on dr's outside, reply on its inside
                .impairment(new Impairment("dr", "dly-out", delay, jitter, 0, 0))
                .impairment(new Impairment("dr", "dly-in", delay, jitter, 0, 0))
                .build();
    }

    /** Relocatable: the checks read db's addresses from its container (docs/lab.md "Parallel labs"). */
    private static Lab start(Topology t) {
        return Lab.start(t, LabOptions.defaults().withCapture(false).withVerifyNat(false).withRelocation(true));
    }

    private static List<Double> rtts(LabHost from, String cmd) {
        String out = from.execOk(cmd);
        List<Double> r = new ArrayList<>();
        Matcher m = RTT.matcher(out);
        while (m.find()) {
            r.add(Double.parseDouble(m.group(1)));
        }
        assertThat(r).as(out).isNotEmpty();
        return r;
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    private static String summary(List<Double> v) {
        return String.format(java.util.Locale.ROOT, "n=%d min=%.2f median=%.2f max=%.2f ms", v.size(),
                v.stream().mapToDouble(Double::doubleValue).min().orElse(0), median(v),
                v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    @Test
    void fixedDelayOnBothDirectionsAddsTwiceTheDelayToTheRtt() {
        try (Lab lab = start(routed(Duration.ofMillis(15), null))) {
            LabHost a = lab.host("da");
            String b4 = lab.host("db").execOk("ip -4 -o addr show dev " + lab.host("db").interfaceOn("dly-out")
                    + " | awk '{print $4}' | cut -d/ -f1").strip();
            a.execOk("ping -c 1 -W 3 " + b4); // warm up (ARP, conntrack, JIT)
            List<Double> delayed = rtts(a, "ping -c 20 -i 0.05 -W 2 " + b4);
            System.out.println("nfq-delay: delay 15 ms each way, da->db via dr: " + summary(delayed));
            assertThat(median(delayed)).isBetween(29.0, 40.0);
            assertThat(delayed.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isGreaterThan(29.0);

            // IPv6 from the router itself (locally sent, ip6tables): one impaired direction, ~15 ms.
            LabHost r = lab.host("dr");
            String b6 = lab.host("db").execOk("ip -6 -o addr show scope global dev "
                    + lab.host("db").interfaceOn("dly-out") + " | awk '{print $4}' | cut -d/ -f1").strip();
            r.execOk("ping -6 -c 1 -W 3 " + b6);
            List<Double> v6 = rtts(r, "ping -6 -c 10 -i 0.05 -W 2 " + b6);
            System.out.println("nfq-delay: delay 15 ms one way, dr->db IPv6: " + summary(v6));
            assertThat(median(v6)).isBetween(14.5, 25.0);

            // The same path without the impairment (rules removed; netem: qdiscs removed).
            r.execOk("iptables -t mangle -F POSTROUTING; ip6tables -t mangle -F POSTROUTING;"
                    + " for i in " + r.interfaceOn("dly-in") + " " + r.interfaceOn("dly-out")
                    + "; do tc qdisc del dev $i root 2>/dev/null; done; true");
            List<Double> plain = rtts(a, "ping -c 20 -i 0.05 -W 2 " + b4);
            System.out.println("nfq-delay: no impairment, da->db via dr: " + summary(plain));
            assertThat(median(plain)).isLessThan(5.0);
        }
    }

    @Test
    void jitterSpreadsTheRtt() {
        try (Lab lab = start(routed(Duration.ofMillis(15), Duration.ofMillis(10)))) {
            LabHost a = lab.host("da");
            String b4 = lab.host("db").execOk("ip -4 -o addr show dev " + lab.host("db").interfaceOn("dly-out")
                    + " | awk '{print $4}' | cut -d/ -f1").strip();
            a.execOk("ping -c 1 -W 3 " + b4);
            List<Double> v = rtts(a, "ping -c 40 -i 0.05 -W 2 " + b4);
            System.out.println("nfq-delay: delay 15 ms +/- 10 ms each way, da->db via dr: " + summary(v));
            double min = v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            // sum of two uniform(5, 25): 10..50 ms, mean 30; 40 samples spread far more than 10 ms
            assertThat(min).isGreaterThan(9.0);
            assertThat(max - min).isGreaterThan(10.0);
            assertThat(median(v)).isBetween(20.0, 42.0);
        }
    }
}
