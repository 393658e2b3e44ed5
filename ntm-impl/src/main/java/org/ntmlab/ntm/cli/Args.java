package org.ntmlab.ntm.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.ntmlab.ntm.node.ControlAddress;

import picocli.CommandLine;

/** Parsing of the CLI's address and secret arguments, with errors that name the argument. */
final class Args {

    private Args() {
    }

    /** "host:port", "a.b.c.d:port" or "[v6]:port". */
    static InetSocketAddress hostPort(String option, String s) {
        if (s == null) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": expected host:port or "
                    + "[v6]:port, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": bad port in '" + s + "'");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": port out of range in '"
                    + s + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": unknown host '" + host
                    + "'");
        }
    }

    /**
     * A node's control channel: {@code unix:PATH} (or a path with a {@code /} and no port), or
     * {@code host:port} for TCP; null or empty: {@link ControlAddress#defaultAddress()}.
     */
    static ControlAddress control(String option, String s) {
        if (s == null || s.isBlank()) {
            return ControlAddress.defaultAddress();
        }
        if (s.startsWith("unix:")) {
            if (s.length() == 5) {
                throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": unix: needs a path");
            }
            return ControlAddress.unix(Path.of(s.substring(5)));
        }
        if (s.contains("/") && !s.matches(".*:\\d+")) {
            return ControlAddress.unix(Path.of(s));
        }
        return ControlAddress.tcp(hostPort(option, s));
    }

    /**
     * The control channel's token ({@code --control-token}): at least 16 bytes of text, given as
     * {@code @file} or {@code env:NAME} (or, discouraged, directly); null when not given.
     */
    static byte[] controlToken(String option, String s) throws IOException {
        if (s == null) {
            return null;
        }
        byte[] t = text(s).getBytes(StandardCharsets.UTF_8);
        if (t.length < org.ntmlab.ntm.node.ControlServer.MIN_TOKEN_BYTES) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option + ": a token needs "
                    + org.ntmlab.ntm.node.ControlServer.MIN_TOKEN_BYTES + " bytes or more (e.g. head -c 24 /dev/urandom | base64)");
        }
        return t;
    }

    /** A 32-byte secret given as 64 hex digits, as @file holding them, or as env:NAME. */
    static byte[] secret(String option, String s) throws IOException {
        String hex = text(s);
        try {
            byte[] b = HexFormat.of().parseHex(hex);
            if (b.length != 32) {
                throw new IllegalArgumentException("need 32 bytes, got " + b.length);
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Ntm()), option
                    + ": expected 64 hex digits (or @file, env:NAME): " + e.getMessage());
        }
    }

    /**
     * A text value given directly, as {@code @file} (its content, trimmed) or as {@code env:NAME}
     * (an environment variable). Secrets should use the last two: a command line is visible to
     * every local user in {@code ps} (issue 11 finding 9).
     */
    static String text(String s) throws IOException {
        if (s.startsWith("@")) {
            return Files.readString(Path.of(s.substring(1)), StandardCharsets.UTF_8).strip();
        }
        if (s.startsWith("env:")) {
            String v = System.getenv(s.substring(4));
            if (v == null) {
                throw new IOException("environment variable " + s.substring(4) + " is not set");
            }
            return v.strip();
        }
        return s;
    }
}
