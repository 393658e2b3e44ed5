package org.ntmlab.ntm.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.ntmlab.ntm.as.AsClient;
import org.ntmlab.ntm.as.LabCa;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.dc.RelayInfo;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.SelectorEventLoop;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ntm dc`: run a Direction Coordinator. */
@Command(name = "dc", mixinStandardHelpOptions = true,
        description = "Run the Direction Coordinator (registration, virtual addresses, DNS, route directions).")
final class DcCommand implements Callable<Integer> {

    @Option(names = "--domain", required = true, description = "DNS domain of its nodes, e.g. ntm.example")
    String domain;

    @Option(names = "--bind4", description = "IPv4 signalling address, e.g. 0.0.0.0:7000")
    String bind4;

    @Option(names = "--bind6", description = "IPv6 signalling address, e.g. [::]:7000")
    String bind6;

    @Option(names = "--dns", split = ",", description = "DNS listen addresses, e.g. 0.0.0.0:53,[::]:53")
    List<String> dns;

    @Option(names = "--as", required = true, description = "Account Server host:port")
    String as;

    @Option(names = "--as-ca", required = true, description = "CA certificate the AS's certificate chains to")
    Path asCa;

    @Option(names = "--dc-token", required = true, description = "credential for fetching node keys (or @file)")
    String dcToken;

    @Option(names = "--relay", description = "an RS: id,v4host:port,[v6]:port,secret (use - for a missing family; "
            + "secret = 64 hex digits or @file). Repeat for several RSs.")
    List<String> relays;

    @Option(names = "--suite", defaultValue = "gcm", description = "gcm (AES-128-GCM), cbc-hmac (paper-compatible) "
            + "or chacha20-poly1305 (RFC 8439, pure Java)")
    String suite;

    @Option(names = "--keepalive", defaultValue = "10", description = "keepalive interval asked of nodes, seconds")
    int keepalive;

    @Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Option(names = "--wait", defaultValue = "30", description = "seconds to wait for the CA file to appear")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        Ntm.logLevel(verbose);
        List<RelayInfo> rs = new ArrayList<>();
        if (relays != null) {
            for (String r : relays) {
                String[] f = r.split(",");
                if (f.length != 4) {
                    throw new IllegalArgumentException("--relay: expected id,v4:port,[v6]:port,secret, got '" + r
                            + "'");
                }
                rs.add(new RelayInfo(Long.parseLong(f[0]), f[1].equals("-") ? null : Args.hostPort("--relay", f[1]),
                        f[2].equals("-") ? null : Args.hostPort("--relay", f[2]), Args.secret("--relay", f[3])));
            }
        }
        List<InetSocketAddress> dnsBind = new ArrayList<>();
        if (dns != null) {
            for (String d : dns) {
                dnsBind.add(Args.hostPort("--dns", d));
            }
        }
        DcConfig cfg = new DcConfig(domain, Args.hostPort("--bind4", bind4), Args.hostPort("--bind6", bind6), dnsBind,
                rs, suite(suite), keepalive);
        for (int i = 0; i < waitSeconds * 10 && !java.nio.file.Files.exists(asCa); i++) {
            Thread.sleep(100); // the AS creates the lab CA when it starts; servers start together
        }
        AsClient client = new AsClient(LabCa.clientContext(asCa), Args.hostPort("--as", as));
        SelectorEventLoop loop = new SelectorEventLoop("dc");
        try (DirectionCoordinator dc = new DirectionCoordinator(cfg, new KernelNetwork(), loop,
                client.keyDirectory(Args.text(dcToken)))) {
            System.out.println("ntm dc domain=" + domain + " v4=" + dc.localAddress(org.ntmlab.ntm.transport.Family.V4)
                    + " v6=" + dc.localAddress(org.ntmlab.ntm.transport.Family.V6) + " dns=" + dc.dnsAddresses()
                    + " relays=" + rs.size());
            new CountDownLatch(1).await();
        }
        return 0;
    }

    /** The suite named by {@code --suite} (same names for {@code ntm dc}, {@code rs} and {@code node}). */
    static CipherSuite suite(String s) {
        return switch (s) {
            case "gcm" -> CipherSuite.AES_128_GCM;
            case "cbc-hmac" -> CipherSuite.AES_128_CBC_HMAC_SHA256;
            case "chacha20-poly1305" -> CipherSuite.CHACHA20_POLY1305;
            default -> throw new IllegalArgumentException(
                    "--suite: expected gcm, cbc-hmac or chacha20-poly1305, got '" + s + "'");
        };
    }
}
