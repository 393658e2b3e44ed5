package org.ntmlab.ntm.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `ntm`: the command-line entry point (servers, the lab's node application, and its clients). */
@Command(name = "ntm", mixinStandardHelpOptions = true, version = "ntm 0.1.0",
        description = "NTMobile in Java: account server, direction coordinator, relay server and nodes.",
        subcommands = {CaCommand.class, AsCommand.class, DcCommand.class, RsCommand.class, NodeCommand.class,
                ControlCommands.Resolve.class, ControlCommands.Ping.class, ControlCommands.Echo.class,
                ControlCommands.Tunnels.class, ControlCommands.Status.class, CommandLine.HelpCommand.class})
public final class Ntm {

    /** Exit codes: 0 ok, 1 runtime failure, 2 usage error (picocli's default for bad arguments). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %5$s%6$s%n");
        CommandLine cl = new CommandLine(new Ntm());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String why = ex instanceof java.nio.file.NoSuchFileException ? "no such file: " + ex.getMessage()
                    : ex.getMessage() == null ? ex.toString() : ex.getMessage();
            cmd.getErr().println("ntm " + cmd.getCommandName() + ": " + why);
            if (Boolean.getBoolean("ntm.debug")) {
                ex.printStackTrace(cmd.getErr());
            }
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    /** Sets the log level of our loggers (quiet by default: warnings only). */
    static void logLevel(boolean verbose) {
        Level l = verbose ? Level.INFO : Level.WARNING;
        Logger root = Logger.getLogger("");
        root.setLevel(l);
        for (var h : root.getHandlers()) {
            h.setLevel(l);
        }
    }
}
