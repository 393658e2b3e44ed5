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
import org.ntmlab.ntm.as.NodeKey;
import org.ntmlab.ntm.node.ControlServer;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.node.PollingAddressWatcher;
import org.ntmlab.ntm.transport.KernelNetwork;
import org.ntmlab.ntm.transport.SelectorEventLoop;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ntm node`: a long-lived application embedding the NTM library (paper section 4), driven
 * through its control channel. It keeps one process and one set of sockets across moves.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run an NTM node application: log in, register, serve the control channel.")
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--as", required = true, description = "Account Server host:port")
    String as;

    @Option(names = "--as-ca", required = true, description = "CA certificate of the AS")
    Path asCa;

    @Option(names = "--user", required = true)
    String user;

    @Option(names = "--password", required = true, description = "password (or @file)")
    String password;

    @Option(names = "--dc4", description = "the DC's IPv4 signalling address host:port")
    String dc4;

    @Option(names = "--dc6", description = "the DC's IPv6 signalling address [v6]:port")
    String dc6;

    @Option(names = "--port", defaultValue = "7200", description = "local UDP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--control", defaultValue = "127.0.0.1:7070", description = "control channel TCP address")
    String control;

    @Option(names = "--events", description = "append one key=value line per signalling event to this file")
    Path events;

    @Option(names = "--poll-ms", defaultValue = "100", description = "address polling period (0 = off)")
    int pollMs;

    @Option(names = "--suite", defaultValue = "gcm", description = "gcm or cbc-hmac")
    String suite;

    @Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Option(names = "--wait", defaultValue = "30", description = "seconds to keep trying while the AS is not up yet")
    int waitSeconds;

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
        PollingAddressWatcher watcher = pollMs > 0 ? new PollingAddressWatcher(node, net, pollMs) : null;
        try (ControlServer cs = new ControlServer(node, Args.hostPort("--control", control))) {
            System.out.println("ntm node " + node.fqdn() + " v4=" + node.virtualV4().getHostAddress() + " v6="
                    + node.virtualV6().getHostAddress() + " control=" + cs.localAddress());
            new CountDownLatch(1).await();
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            node.close();
        }
        return 0;
    }
}
