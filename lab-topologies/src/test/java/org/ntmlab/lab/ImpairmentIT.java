package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ntmlab.lab.topology.Impairment;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Topology;

/** Loss, rate and delay on a host's interface. Relocatable (docs/lab.md "Parallel labs"): b's address is read from the lab. */
class ImpairmentIT {

    /** Node b's IPv4 address in this run (a relocated lab gives it another than the builder's). */
    private static String b(Lab lab) {
        return IpLiteral.format(lab.topology().addresses().of("b").get(0).ipv4());
    }

    private static Topology twoNodes(Impairment im) {
        return Topology.builder("impaired")
                .globalSegment("g4", "198.51.100.0/24")
                .node("a", "a.ntm.example", "g4")
                .node("b", "b.ntm.example", "g4")
                .impairment(im)
                .build();
    }

    @Test
    void randomLossDropsAboutTheDeclaredShare() {
        Topology t = twoNodes(new Impairment("a", "g4", null, null, 50, 0));
        try (Lab lab = Lab.start(t, LabOptions.defaults().withCapture(false).withRelocation(true))) {
            String out = lab.host("a").exec("ping -c 200 -i 0.01 -W 1 " + b(lab)).getStdout();
            Matcher m = Pattern.compile("(\\d+) received").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            int received = Integer.parseInt(m.group(1));
            // Binomial(200, 0.5): mean 100, sd ~7; the bounds are ~6 sd wide.
            assertThat(received).isBetween(55, 145);
        }
    }

    @Test
    void rateLimitInstallsATokenBucket() {
        Topology t = twoNodes(new Impairment("a", "g4", null, null, 0, 1_000_000));
        try (Lab lab = Lab.start(t, LabOptions.defaults().withCapture(false).withRelocation(true))) {
            assertThat(lab.host("a").execOk("tc qdisc show dev " + lab.host("a").interfaceOn("g4")))
                    .contains("tbf").contains("rate 1Mbit");
            // 1 Mbit/s: 250 KB take at least ~2 s, timed from the sender's start to the receiver's end.
            LabHost b = lab.host("b");
            b.startBackground("sink", "exec socat -u TCP-LISTEN:9001,reuseaddr SYSTEM:'cat >/dev/null; date +%s%N >/tmp/done'");
            b.execOk("for i in $(seq 50); do ss -Htln | grep -q ':9001 ' && exit 0; sleep 0.1; done; exit 1");
            long start = Long.parseLong(lab.host("a").execOk("date +%s%N; head -c 250000 /dev/zero | socat -u - TCP:" + b(lab) + ":9001")
                    .strip());
            long end = Long.parseLong(b.execOk("for i in $(seq 100); do [ -s /tmp/done ] && cat /tmp/done && exit 0; sleep 0.1;"
                    + " done; exit 1").strip());
            long ms = (end - start) / 1_000_000;
            assertThat(ms).isGreaterThan(1500);
        }
    }

    @Test
    void delayIsAppliedWithNetemOrInUserSpace() {
        // netem where the kernel has it, else NFQUEUE + NfqDelay (NfqDelayIT measures it closely)
        Topology t = twoNodes(new Impairment("a", "g4", Duration.ofMillis(100), null, 0, 0));
        try (Lab lab = Lab.start(t, LabOptions.defaults().withCapture(false).withRelocation(true))) {
            String out = lab.host("a").execOk("ping -c 3 -W 2 " + b(lab));
            Matcher m = Pattern.compile("= [\\d.]+/([\\d.]+)/").matcher(out);
            assertThat(m.find()).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isGreaterThan(90);
        }
    }
}
