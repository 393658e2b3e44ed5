package org.ntmlab.ntm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** `ntm dc` options for several domains: documented in --help, and every mistake named clearly. */
class DcCommandTest {

    static final String HEX = "5a".repeat(32);

    record Run(int exit, String out) {
    }

    static Run run(String... extra) {
        List<String> args = new ArrayList<>(List.of("dc", "--domain", "a.ntm.example", "--bind4", "127.0.0.1:0",
                "--as", "127.0.0.1:1", "--as-ca", "/nonexistent/ca.pem", "--dc-token", "t", "--wait", "0"));
        args.addAll(List.of(extra));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int exit = Ntm.run(args.toArray(String[]::new));
            capture.flush();
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpDescribesPeerResolverAndAdvertise() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--peer=DOMAIN=SECRET", "--resolver=HOST:PORT", "--advertise=HOST:PORT",
                "_ntm-dc._udp.<domain> SRV", "/etc/resolv.conf");
    }

    @Test
    void peerWithoutSecretIsAUsageError() {
        Run r = run("--peer", "b.ntm.example", "--resolver", "127.0.0.1:53");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("--peer: expected DOMAIN=SECRET (64 hex digits, @file or env:NAME), got 'b.ntm.example'");
    }

    @Test
    void peerSecretMustBe32Bytes() {
        Run r = run("--peer", "b.ntm.example=abcd", "--resolver", "127.0.0.1:53");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("--peer b.ntm.example: expected 64 hex digits");
    }

    @Test
    void ownDomainBadDomainAndDuplicatesAreRefused() {
        assertThat(run("--peer", "A.ntm.example.=" + HEX, "--resolver", "127.0.0.1:53").out())
                .contains("--peer: a.ntm.example is this DC's own domain");
        assertThat(run("--peer", "b..example=" + HEX, "--resolver", "127.0.0.1:53").out())
                .contains("--peer: 'b..example' is not a domain name");
        assertThat(run("--peer", "b.ntm.example=" + HEX, "--peer", "B.ntm.example=" + HEX, "--resolver",
                "127.0.0.1:53").out()).contains("--peer: b.ntm.example given twice");
    }

    @Test
    void advertiseMustBeConcreteAndOnOnePort() {
        assertThat(run("--advertise", "0.0.0.0:7000").out()).contains("--advertise: '0.0.0.0:7000' is a wildcard");
        assertThat(run("--advertise", "127.0.0.1:7000,[::1]:7001").out())
                .contains("--advertise: all addresses must share one port");
    }
}
