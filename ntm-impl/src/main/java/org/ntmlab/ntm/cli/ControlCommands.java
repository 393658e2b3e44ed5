package org.ntmlab.ntm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import org.ntmlab.ntm.node.ControlAddress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Client commands that ask a running `ntm node` through its control channel. */
final class ControlCommands {

    private ControlCommands() {
    }

    /** Sends one control line and prints the reply; exit 1 on ERR. */
    abstract static class Base implements Callable<Integer> {
        @Option(names = "--control", description = "the node's control channel: unix:PATH (default as `ntm node`)"
                + " or HOST:PORT")
        String control;

        @Option(names = "--control-token", description = "token of a TCP control channel: @file or env:NAME")
        String controlToken;

        abstract String line();

        @Override
        public Integer call() throws IOException {
            ControlAddress addr = Args.control("--control", control);
            byte[] token = Args.controlToken("--control-token", controlToken);
            try (SocketChannel s = SocketChannel.open(addr.socketAddress())) {
                Writer w = new OutputStreamWriter(Channels.newOutputStream(s), StandardCharsets.UTF_8);
                BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(s),
                        StandardCharsets.UTF_8));
                if (token != null) {
                    w.write("auth " + new String(token, StandardCharsets.UTF_8) + "\n");
                    w.flush();
                    String auth = r.readLine();
                    if (auth == null || !auth.startsWith("OK")) {
                        System.out.println(auth == null ? "ERR the node closed the connection" : auth);
                        return Ntm.EXIT_FAILURE;
                    }
                }
                w.write(line() + "\n");
                w.flush();
                String reply = r.readLine();
                System.out.println(reply);
                return reply != null && reply.startsWith("OK") ? 0 : Ntm.EXIT_FAILURE;
            } catch (java.net.SocketException e) { // refused, or no such socket file
                System.out.println("ERR no node serves a control channel at " + addr + " (" + e.getMessage() + ")");
                return Ntm.EXIT_FAILURE;
            }
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true, description = "Resolve a peer FQDN the NTM way.")
    static final class Resolve extends Base {
        @Parameters(index = "0", description = "peer FQDN")
        String fqdn;

        @Override
        String line() {
            return "resolve " + fqdn;
        }
    }

    @Command(name = "ping", mixinStandardHelpOptions = true, description = "ICMP echo to a virtual address or FQDN.")
    static final class Ping extends Base {
        @Parameters(index = "0", description = "virtual address, FQDN, or FQDN/6 for its IPv6 address")
        String target;
        @Option(names = "-c", defaultValue = "3")
        int count;

        @Override
        String line() {
            return "ping " + target + " " + count;
        }
    }

    @Command(name = "echo", mixinStandardHelpOptions = true,
            description = "UDP echo over the tunnel (to the peer's echo service, port 7).")
    static final class Echo extends Base {
        @Parameters(index = "0", description = "virtual address, FQDN, or FQDN/6")
        String target;
        @Option(names = "--port", defaultValue = "7")
        int port;
        @Option(names = "-c", defaultValue = "5")
        int count;
        @Option(names = "-s", defaultValue = "64")
        int size;
        @Option(names = "--pps", defaultValue = "0",
                description = "paced stream instead of stop-and-wait: datagrams per second (with --ms);"
                        + " the reply gives loss and the longest gap between echoes")
        int pps;
        @Option(names = "--ms", defaultValue = "3000", description = "length of a --pps stream in milliseconds")
        int ms;

        @Override
        String line() {
            return pps > 0 ? "udp-stream " + target + " " + port + " " + pps + " " + ms + " " + size
                    : "udp-echo " + target + " " + port + " " + count + " " + size;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send one UDP datagram to a peer.")
    static final class Send extends Base {
        @Parameters(index = "0", description = "virtual address, FQDN, or FQDN/6")
        String target;
        @Parameters(index = "1", description = "virtual UDP port")
        int port;
        @Parameters(index = "2..*", arity = "1..*", description = "text to send")
        java.util.List<String> words;

        @Override
        String line() {
            return "send " + target + " " + port + " " + String.join(" ", words);
        }
    }

    @Command(name = "tunnels", mixinStandardHelpOptions = true, description = "Print the node's tunnel table (JSON).")
    static final class Tunnels extends Base {
        @Override
        String line() {
            return "tunnels";
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Print the node's registration.")
    static final class Status extends Base {
        @Override
        String line() {
            return "status";
        }
    }
}
