package org.ntmlab.ntm.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.ntmlab.ntm.as.AsClient;
import org.ntmlab.ntm.as.LabCa;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.dc.DcConfig;
import org.ntmlab.ntm.dc.DirectionCoordinator;
import org.ntmlab.ntm.dc.InterDcConfig;
import org.ntmlab.ntm.dc.RelayInfo;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.SelectorEventLoop;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ntm dc`: run a Direction Coordinator. */
@Command(name = "dc", mixinStandardHelpOptions = true,
        description = {"Run the Direction Coordinator (registration, virtual addresses, DNS, route directions).",
            "",
            "Several domains: with --peer, a node of this domain reaches the nodes of the",
            "peer domain. This DC finds the peer's DC through DNS (_ntm-dc._udp.<domain>",
            "SRV, asked of --resolver), asks it where the peer node is, decides the path",
            "and directs its own node; the peer's DC directs the peer. Both DCs need the",
            "same secret for each other's domain. Each DC's DNS publishes its own",
            "_ntm-dc._udp.<domain> SRV and ntm-dc.<domain> A/AAAA (see --advertise), so",
            "--resolver may simply be the other DC's --dns address. Example:",
            "  ntm dc --domain a.ntm.example --dns 192.0.2.1:53 ...",
            "         --peer b.ntm.example=@/etc/ntm/ab.secret --resolver 192.0.2.2:53",
            ""})
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

    @Option(names = "--dc-token", required = true,
            description = "credential for fetching node keys (or @file, env:NAME)")
    String dcToken;

    @Option(names = "--relay", description = "an RS: id,v4host:port,[v6]:port,secret (use - for a missing family; "
            + "secret = 64 hex digits, @file or env:NAME). Repeat for several RSs.")
    List<String> relays;

    @Option(names = "--suite", defaultValue = "gcm", description = "gcm (AES-128-GCM), cbc-hmac (paper-compatible) "
            + "or chacha20-poly1305 (RFC 8439, pure Java)")
    String suite;

    @Option(names = "--keepalive", defaultValue = "10", description = "keepalive interval asked of nodes, seconds")
    int keepalive;

    @Option(names = "--peer", paramLabel = "DOMAIN=SECRET", description = "another domain whose DC this DC works "
            + "with, and the 32-byte secret both DCs share: 64 hex digits, @file or env:NAME. Repeat per peer "
            + "domain. A name of a domain without a secret gets DIRECTION_FAILURE.")
    List<String> peers;

    @Option(names = "--resolver", split = ",", paramLabel = "HOST:PORT", description = "DNS servers asked for the DC "
            + "of a peer domain (_ntm-dc._udp.<domain> SRV, RFC 2782); REFUSED, SERVFAIL or silence moves on to "
            + "the next. Default with --peer: the nameservers of /etc/resolv.conf.")
    List<String> resolvers;

    @Option(names = "--advertise", split = ",", paramLabel = "HOST:PORT", description = "signalling address(es) "
            + "this DC publishes in its own DNS (_ntm-dc._udp.<domain> SRV -> ntm-dc.<domain> A/AAAA), all on one "
            + "port. Default: the --bind4/--bind6 addresses that are not wildcards.")
    List<String> advertise;

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
        InterDcConfig inter = interDc();
        DcConfig cfg = new DcConfig(domain, Args.hostPort("--bind4", bind4), Args.hostPort("--bind6", bind6), dnsBind,
                rs, suite(suite), keepalive, inter);
        for (int i = 0; i < waitSeconds * 10 && !java.nio.file.Files.exists(asCa); i++) {
            Thread.sleep(100); // the AS creates the lab CA when it starts; servers start together
        }
        AsClient client = new AsClient(LabCa.clientContext(asCa), Args.hostPort("--as", as));
        SelectorEventLoop loop = new SelectorEventLoop("dc");
        try (DirectionCoordinator dc = new DirectionCoordinator(cfg, new KernelNetwork(), loop,
                client.keyDirectory(Args.text(dcToken)))) {
            System.out.println("ntm dc domain=" + domain + " v4=" + dc.localAddress(org.ntmlab.ntm.transport.Family.V4)
                    + " v6=" + dc.localAddress(org.ntmlab.ntm.transport.Family.V6) + " dns=" + dc.dnsAddresses()
                    + " relays=" + rs.size() + " peers=" + inter.peerSecrets().keySet() + " resolvers="
                    + inter.resolvers() + " advertise=" + dc.advertisedAddresses());
            new CountDownLatch(1).await();
        }
        return 0;
    }

    /** --peer, --resolver and --advertise, checked: every mistake names its option. */
    InterDcConfig interDc() throws java.io.IOException {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        String own = normalise("--domain", domain);
        if (peers != null) {
            for (String p : peers) {
                int eq = p.indexOf('=');
                if (eq <= 0 || eq == p.length() - 1) {
                    throw bad("--peer: expected DOMAIN=SECRET (64 hex digits, @file or env:NAME), got '" + p + "'");
                }
                String d = normalise("--peer", p.substring(0, eq));
                if (d.equals(own)) {
                    throw bad("--peer: " + d + " is this DC's own domain (--domain)");
                }
                if (secrets.put(d, Args.secret("--peer " + d, p.substring(eq + 1))) != null) {
                    throw bad("--peer: " + d + " given twice");
                }
            }
        }
        List<InetSocketAddress> res = new ArrayList<>();
        if (resolvers != null) {
            for (String r : resolvers) {
                res.add(Args.hostPort("--resolver", r));
            }
        } else if (!secrets.isEmpty()) {
            res.addAll(org.xbill.DNS.ResolverConfig.getCurrentConfig().servers());
            if (res.isEmpty()) {
                throw bad("--peer given, but no --resolver and no nameserver in /etc/resolv.conf: how would this DC "
                        + "find the DC of " + secrets.keySet() + "?");
            }
        }
        List<InetSocketAddress> adv = new ArrayList<>();
        if (advertise != null) {
            for (String a : advertise) {
                InetSocketAddress sa = Args.hostPort("--advertise", a);
                if (sa.getAddress().isAnyLocalAddress() || sa.getPort() == 0) {
                    throw bad("--advertise: '" + a + "' is a wildcard or port 0; give the address and port other DCs "
                            + "should send to");
                }
                if (!adv.isEmpty() && adv.get(0).getPort() != sa.getPort()) {
                    throw bad("--advertise: all addresses must share one port (an SRV record names one), got " + adv
                            .get(0).getPort() + " and " + sa.getPort());
                }
                adv.add(sa);
            }
        }
        return new InterDcConfig(secrets, res, adv);
    }

    private static String normalise(String option, String d) {
        try {
            return InterDcConfig.normalise(d);
        } catch (IllegalArgumentException e) {
            throw bad(option + ": " + e.getMessage());
        }
    }

    private static CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(new CommandLine(new Ntm()), message);
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
