package org.ntmlab.ntm.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.as.AsClient;
import org.ntmlab.ntm.as.LabCa;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.gateway.Exposer;
import org.ntmlab.ntm.gateway.NtmConnector;
import org.ntmlab.ntm.gateway.PortForwarder;
import org.ntmlab.ntm.gateway.Socks5Server;
import org.ntmlab.ntm.node.ControlAddress;
import org.ntmlab.ntm.node.ControlServer;
import org.ntmlab.ntm.node.NetlinkAddressWatcher;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.PollingAddressWatcher;
import org.ntmlab.ntm.stack.tcp.NtmServerSocket;
import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.SelectorEventLoop;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ntm node`: a long-lived application embedding the NTM library (paper section 4), driven
 * through its control channel. It keeps one process and one set of sockets across moves.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run an NTM node application: log in, register, serve the control channel and gateways.")
class NodeCommand implements Callable<Integer> {

    @Option(names = "--as", required = true, description = "Account Server host:port")
    String as;

    @Option(names = "--as-ca", required = true, description = "CA certificate of the AS")
    Path asCa;

    @Option(names = "--user", required = true)
    String user;

    @Option(names = "--password", required = true, description = "password (or @file, env:NAME)")
    String password;

    @Option(names = "--dc4", description = "the DC's IPv4 signalling address host:port")
    String dc4;

    @Option(names = "--dc6", description = "the DC's IPv6 signalling address [v6]:port")
    String dc6;

    @Option(names = "--port", defaultValue = "7200", description = "local UDP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--control", description = "control channel: unix:PATH (default $XDG_RUNTIME_DIR/ntm/node.sock,"
            + " else ~/.ntm/node.sock; mode 0600) or HOST:PORT for TCP, which needs --control-token")
    String control;

    @Option(names = "--control-token", description = "a TCP control channel's token (16 bytes or more): @file or"
            + " env:NAME; every client sends 'auth <token>' first")
    String controlToken;

    @Option(names = "--events", description = "append one key=value line per signalling event to this file"
            + " (the format pcap-analysis reads: docs/pcap-analysis.md, 'Node event log')")
    Path events;

    @Option(names = "--watch", defaultValue = "netlink", description = "how to notice address changes: netlink "
            + "(Linux, immediate), poll, or off (default ${DEFAULT-VALUE}; falls back to poll)")
    String watch;

    @Option(names = "--poll-ms", defaultValue = "100", description = "address polling period for --watch poll")
    int pollMs;

    @Option(names = "--suite", defaultValue = "gcm", description = "gcm, cbc-hmac or chacha20-poly1305 (as the DC's)")
    String suite;

    @Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Option(names = "--socks", description = "run a SOCKS5 server (RFC 1928) here, e.g. 127.0.0.1:1080: unmodified "
            + "programs reach NTM peers by FQDN (curl --socks5-hostname, -DsocksProxyHost)")
    String socks;

    @Option(names = "--forward", description = "LOCAL=PEER:PORT, e.g. 127.0.0.1:8080=bob.ntm.example:80: a local TCP "
            + "port forwarded to a peer's virtual port (repeatable)")
    java.util.List<String> forwards;

    @Option(names = "--expose", description = "VPORT=HOST:PORT[@FQDN+FQDN...], e.g. 80=127.0.0.1:8000@alice.ntm.example:"
            + " peers reaching our virtual TCP port VPORT get a local kernel TCP service; after @ only those peers"
            + " (default: every peer; the service sees the node's host as the client) (repeatable)")
    java.util.List<String> exposes;

    @Option(names = "--wait", defaultValue = "30", description = "seconds to keep trying while the AS is not up yet")
    int waitSeconds;

    /** Netlink where it works (paper section 4.2: the address change is seen at once), else polling. */
    private AutoCloseable watcher(NtmNode node, KernelNetwork net) {
        switch (watch) {
            case "off":
                return null;
            case "netlink":
                if (NetlinkAddressWatcher.available()) {
                    try {
                        return new NetlinkAddressWatcher(node::addressesChanged, node::routesChanged);
                    } catch (java.io.IOException e) {
                        System.err.println("netlink unavailable (" + e.getMessage() + "), polling every " + pollMs
                                + " ms");
                    }
                }
                return new PollingAddressWatcher(node, net, pollMs);
            case "poll":
                return new PollingAddressWatcher(node, net, pollMs);
            default:
                throw new IllegalArgumentException("--watch: expected netlink, poll or off, got '" + watch + "'");
        }
    }

    /** SOCKS5, port forwards and exposed services: existing applications without code changes. */
    private void startGateways(NtmNode node, java.util.List<AutoCloseable> out) throws Exception {
        NtmConnector connector = (host, p) -> new NtmSocket(node.tcp(), node.resolver(), host, p);
        if (socks != null) {
            Socks5Server s = new Socks5Server(Args.hostPort("--socks", socks), connector);
            out.add(s);
            System.out.println("socks5 on " + s.address());
        }
        if (forwards != null) {
            for (String f : forwards) {
                String[] lr = f.split("=", 2);
                int colon = lr.length == 2 ? lr[1].lastIndexOf(':') : -1;
                if (colon < 0) {
                    throw new IllegalArgumentException("--forward: expected LOCAL=PEER:PORT, got '" + f + "'");
                }
                PortForwarder pf = new PortForwarder(Args.hostPort("--forward", lr[0]), lr[1].substring(0, colon),
                        Integer.parseInt(lr[1].substring(colon + 1)), connector);
                out.add(pf);
                System.out.println("forward " + lr[0] + " -> " + lr[1]);
            }
        }
        if (exposes != null) {
            for (String e : exposes) {
                String[] vt = e.split("=", 2);
                if (vt.length != 2) {
                    throw new IllegalArgumentException("--expose: expected VPORT=HOST:PORT[@FQDN+...], got '" + e + "'");
                }
                String[] ta = vt[1].split("@", 2);
                java.util.Set<String> allowed = ta.length == 2
                        ? java.util.Set.of(ta[1].toLowerCase(java.util.Locale.ROOT).split("\\+")) : java.util.Set.of();
                Exposer x = new Exposer(new NtmServerSocket(node.tcp(), Integer.parseInt(vt[0])),
                        Args.hostPort("--expose", ta[0]), Exposer.namesOf(node), allowed,
                        Exposer.DEFAULT_MAX_CONNECTIONS);
                out.add(x);
                System.out.println("expose virtual tcp/" + vt[0] + " -> " + ta[0]
                        + (allowed.isEmpty() ? " (every peer)" : " (only " + String.join(", ", allowed) + ")"));
            }
        }
    }

    /** Logs in, retrying while the AS is unreachable (servers and nodes start together in the lab). */
    private NodeKey login() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (true) {
            try {
                AsClient client = new AsClient(LabCa.clientContext(asCa), Args.hostPort("--as", as));
                return client.login(user, Args.text(password).toCharArray());
            } catch (AsClient.LoginRefusedException e) {
                throw e; // a wrong password does not get better by waiting
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Ntm.logLevel(verbose);
        // the control channel's settings are checked before anything starts: a usage error costs no login
        ControlAddress controlAt = Args.control("--control", control);
        byte[] token = Args.controlToken("--control-token", controlToken);
        if (!controlAt.isUnix() && token == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--control " + control
                    + ": a TCP control channel needs --control-token (@file or env:NAME): any local user, or a web"
                    + " page, could drive the node otherwise; or use unix:PATH");
        }
        NodeKey key = login();
        KernelNetwork net = new KernelNetwork();
        SelectorEventLoop loop = new SelectorEventLoop("node-" + user);
        NtmNode node = new NtmNode(new NodeConfig(Args.hostPort("--dc4", dc4), Args.hostPort("--dc6", dc6), port,
                DcCommand.suite(suite)), key, net, loop);
        if (events != null) {
            PrintStream out = new PrintStream(Files.newOutputStream(events, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
            node.onEvent(out::println);
        }
        if (verbose) {
            node.onEvent(System.out::println);
        }
        node.start().get(10, TimeUnit.SECONDS);
        AutoCloseable watcher = watcher(node, net);
        java.util.List<AutoCloseable> gateways = new java.util.ArrayList<>();
        try (ControlServer cs = new ControlServer(node, controlAt, token)) {
            System.out.println("ntm node " + node.fqdn() + " v4=" + node.virtualV4().getHostAddress() + " v6="
                    + node.virtualV6().getHostAddress() + " control=" + cs.localAddress());
            startGateways(node, gateways);
            new CountDownLatch(1).await();
        } finally {
            for (AutoCloseable g : gateways) {
                g.close();
            }
            if (watcher != null) {
                watcher.close();
            }
            node.close();
        }
        return 0;
    }
}

/** `ntm socks`: a node whose job is a SOCKS5 gateway (same options as `ntm node`; --socks required). */
@Command(name = "socks", mixinStandardHelpOptions = true,
        description = "Run a node with a SOCKS5 server: unmodified programs reach NTM peers by FQDN.")
final class SocksCommand extends NodeCommand {
    @Override
    public Integer call() throws Exception {
        if (socks == null) {
            socks = "127.0.0.1:1080";
        }
        return super.call();
    }
}

/** `ntm forward`: a node forwarding local ports to peers (same options as `ntm node`). */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run a node forwarding local TCP ports to peers: --forward LOCAL=PEER:PORT.")
final class ForwardCommand extends NodeCommand {
    @Override
    public Integer call() throws Exception {
        if (forwards == null || forwards.isEmpty()) {
            throw new IllegalArgumentException("ntm forward needs at least one --forward LOCAL=PEER:PORT");
        }
        return super.call();
    }
}

/** `ntm expose`: a node letting peers reach local kernel TCP services (same options as `ntm node`). */
@Command(name = "expose", mixinStandardHelpOptions = true,
        description = "Run a node exposing local TCP services to peers: --expose VPORT=HOST:PORT.")
final class ExposeCommand extends NodeCommand {
    @Override
    public Integer call() throws Exception {
        if (exposes == null || exposes.isEmpty()) {
            throw new IllegalArgumentException("ntm expose needs at least one --expose VPORT=HOST:PORT");
        }
        return super.call();
    }
}
