package org.ntmlab.ntm.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.ntmlab.ntm.as.AccountServer;
import org.ntmlab.ntm.as.AccountStore;
import org.ntmlab.ntm.as.DcTokens;
import org.ntmlab.ntm.as.IssuedKeys;
import org.ntmlab.ntm.as.LabCa;
import org.ntmlab.ntm.as.PasswordHasher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ntm as`: run the Account Server; `ntm as add-user`: add an account. */
@Command(name = "as", mixinStandardHelpOptions = true, subcommands = AsCommand.AddUser.class,
        description = "Run the Account Server (TLS login; issues node<->DC keys).")
final class AsCommand implements Callable<Integer> {

    @Option(names = "--bind", defaultValue = "0.0.0.0:7443", description = "TLS listen address (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--accounts", description = "accounts file (created if absent)")
    Path accounts;

    @Option(names = "--keys", description = "file of the node keys issued, kept across restarts with mode 0600"
            + " (default: the accounts file's name + .keys)")
    Path keys;

    @Option(names = "--tls-dir", description = "lab CA directory (see `ntm ca`); created if empty")
    Path tlsDir;

    @Option(names = "--tls-name", split = ",", description = "names for a newly created AS certificate")
    List<String> tlsNames;

    @Option(names = "--dc-token", paramLabel = "DOMAIN=TOKEN",
            description = "a DC's credential to fetch the keys of DOMAIN's nodes (TOKEN also as @file or env:NAME);"
                    + " repeat once per DC. A TOKEN without DOMAIN= reads every domain's keys: only for a single DC")
    List<String> dcTokens;

    @Option(names = "--user", split = ",", description = "user:fqdn:password accounts to add at start (lab use)")
    List<String> users;

    @Option(names = "--iterations", defaultValue = "" + PasswordHasher.DEFAULT_ITERATIONS,
            description = "PBKDF2 iterations for accounts added here (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = {"-v", "--verbose"}, description = "log every event")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        // required here, not in picocli: `ntm as add-user` must not need the server's options
        for (Object[] o : new Object[][] {{"--accounts", accounts}, {"--tls-dir", tlsDir}, {"--dc-token", dcTokens}}) {
            if (o[1] == null) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "Missing required option: '" + o[0] + "'");
            }
        }
        Ntm.logLevel(verbose);
        AccountStore store = AccountStore.open(accounts);
        if (users != null) {
            for (String u : users) {
                String[] f = u.split(":", 3);
                if (f.length != 3) {
                    throw new IllegalArgumentException("--user: expected user:fqdn:password, got '" + u + "'");
                }
                store.put(f[0], f[1], f[2].toCharArray(), iterations);
            }
        }
        LabCa.ensure(tlsDir, tlsNames == null ? LabCa.defaultNames() : tlsNames);
        Path keyFile = keys != null ? keys : accounts.resolveSibling(accounts.getFileName() + ".keys");
        IssuedKeys issued = IssuedKeys.open(keyFile);
        try (AccountServer as = new AccountServer(store, issued, dcTokens(), LabCa.serverContext(tlsDir),
                Args.hostPort("--bind", bind))) {
            System.out.println("ntm as listening on " + as.localAddress() + " accounts=" + store.all().size()
                    + " keys=" + issued.size() + " (" + keyFile + ")");
            new CountDownLatch(1).await();
        }
        return 0;
    }

    @Command(name = "add-user", mixinStandardHelpOptions = true, description = "Add or replace an account.")
    static final class AddUser implements Callable<Integer> {
        @Option(names = "--accounts", required = true)
        Path accounts;
        @Option(names = "--user", required = true)
        String user;
        @Option(names = "--fqdn", required = true, description = "the name this user's node registers, e.g. "
                + "alice.ntm.example")
        String fqdn;
        @Option(names = "--password", required = true, description = "password (or @file, env:NAME)")
        String password;
        @Option(names = "--iterations", defaultValue = "" + PasswordHasher.DEFAULT_ITERATIONS)
        int iterations;

        @Override
        public Integer call() throws Exception {
            AccountStore.open(accounts).put(user, fqdn, Args.text(password).toCharArray(), iterations);
            System.out.println("account " + user + " -> " + fqdn + " saved in " + accounts);
            return 0;
        }
    }

    /**
     * {@code --dc-token DOMAIN=TOKEN} per DC (issue 11 finding 9: a token reads its own domain's
     * keys only), or a bare TOKEN for every domain. DOMAIN has a dot and no {@code @}, so a token
     * that itself holds '=' (base64 padding) is not mistaken for one.
     */
    private DcTokens dcTokens() throws java.io.IOException {
        DcTokens.Builder b = DcTokens.builder();
        for (String t : dcTokens) {
            int eq = t.indexOf('=');
            String domain = eq > 0 ? t.substring(0, eq) : "";
            if (domain.matches("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+\\.?") && eq < t.length() - 1) {
                b.scoped(domain, Args.text(t.substring(eq + 1)));
            } else {
                System.err.println("warning: a --dc-token without DOMAIN= reads the key of every node of every"
                        + " domain; give each DC its own DOMAIN=TOKEN");
                b.unscoped(Args.text(t));
            }
        }
        return b.build();
    }
}
