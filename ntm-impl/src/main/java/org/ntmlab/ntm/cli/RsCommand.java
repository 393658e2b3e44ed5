package org.ntmlab.ntm.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.ntmlab.ntm.rs.RelayServer;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.SelectorEventLoop;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ntm rs`: run a Relay Server. */
@Command(name = "rs", mixinStandardHelpOptions = true,
        description = "Run a Relay Server (dual-stack relay of DC-authorised tunnels only).")
final class RsCommand implements Callable<Integer> {

    @Option(names = "--id", required = true, description = "this RS's id, as configured at the DC")
    long id;

    @Option(names = "--bind4", description = "IPv4 address, e.g. 0.0.0.0:7100")
    String bind4;

    @Option(names = "--bind6", description = "IPv6 address, e.g. [::]:7100")
    String bind6;

    @Option(names = "--secret", required = true, description = "secret shared with the DC: 64 hex digits, @file or env:NAME")
    String secret;

    @Option(names = "--suite", defaultValue = "gcm", description = "gcm, cbc-hmac or chacha20-poly1305 (as the DC's)")
    String suite;

    @Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Ntm.logLevel(verbose);
        SelectorEventLoop loop = new SelectorEventLoop("rs");
        try (RelayServer rs = new RelayServer(id, Args.secret("--secret", secret), DcCommand.suite(suite),
                Args.hostPort("--bind4", bind4), Args.hostPort("--bind6", bind6), new KernelNetwork(), loop)) {
            System.out.println("ntm rs id=" + id + " v4=" + rs.localAddressV4() + " v6=" + rs.localAddressV6());
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
