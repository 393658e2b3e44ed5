package org.ntmlab.ntm.as;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ntmlab.ntm.keys.OwnerOnlyFiles;

/**
 * The AS's accounts, in a text file that survives restarts: one account per line,
 * {@code <user> <fqdn> <password record>} (see {@link PasswordHasher}); '#' starts a comment.
 * Writes go to a temporary file renamed into place, so a crash never leaves half a file.
 */
public final class AccountStore {

    /** One account. */
    public record Account(String user, String fqdn, String passwordRecord) {
    }

    private final Path file;
    private final Map<String, Account> accounts = new LinkedHashMap<>();

    private AccountStore(Path file) {
        this.file = file;
    }

    /** Loads {@code file} (an absent file is an empty store). Bad lines are reported with their number. */
    public static AccountStore open(Path file) throws IOException {
        AccountStore s = new AccountStore(file);
        if (Files.exists(file)) {
            FieldFile.read(file, 3, "<user> <fqdn> <password record>", f -> {
                String problem = PasswordHasher.problem(f[2]);
                if (problem != null) {
                    throw new IllegalArgumentException("password record: " + problem);
                }
                s.accounts.put(f[0], new Account(f[0], f[1].toLowerCase(Locale.ROOT), f[2]));
            });
        }
        return s;
    }

    public synchronized Account get(String user) {
        return accounts.get(user);
    }

    public synchronized List<Account> all() {
        return new ArrayList<>(accounts.values());
    }

    /** Adds or replaces an account and saves the file. */
    public synchronized void put(String user, String fqdn, char[] password, int iterations) throws IOException {
        if (!user.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("user name must be 1-64 of [A-Za-z0-9._-]: '" + user + "'");
        }
        if (!fqdn.matches("[A-Za-z0-9.-]{1,253}") || !fqdn.contains(".")) {
            throw new IllegalArgumentException("not a fully qualified domain name: '" + fqdn + "'");
        }
        accounts.put(user, new Account(user, fqdn.toLowerCase(Locale.ROOT), PasswordHasher.hash(password,
                iterations)));
        save();
    }

    private void save() throws IOException {
        StringBuilder sb = new StringBuilder("# ntm-lab accounts: <user> <fqdn> <password record>\n");
        for (Account a : accounts.values()) {
            sb.append(a.user()).append(' ').append(a.fqdn()).append(' ').append(a.passwordRecord()).append('\n');
        }
        OwnerOnlyFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8)); // password records: 0600
    }
}
