package org.ntmlab.ntm.as;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.keys.OwnerOnlyFiles;

/**
 * The node keys the AS issued (paper section 3.1: the AS issues the key a node shares with its
 * DC and hands it to the DC on request), kept in a file so that they survive an AS restart
 * (issue 10): a DC that restarts after the AS still finds the keys of registered nodes, and no
 * node must log in again by hand. One key per line, {@code <keyId hex> <fqdn> <base64 secret>},
 * oldest first; '#' starts a comment. The file holds secrets: it is written with permissions
 * 0600 (owner only) to a temporary file renamed into place, so a crash never leaves half a file
 * and the secrets are never readable by others, not even for a moment.
 *
 * <p>A new login revokes the name's older key: only the newest key of each name is kept
 * ({@link #KEYS_PER_NAME}), so a REGISTER recorded under an earlier key and replayed later finds
 * no key at the AS and cannot take the node's session (issue 11, registration hijack by replay);
 * the table is bounded by the number of accounts. Thread-safe.
 */
public final class IssuedKeys {

    /** Keys kept per node name: a login revokes the name's older key. */
    public static final int KEYS_PER_NAME = 1;

    private final Path file;
    private final Map<Long, NodeKey> byId = new HashMap<>();
    private final Map<String, Deque<Long>> byName = new LinkedHashMap<>();

    private IssuedKeys(Path file) {
        this.file = file;
    }

    /** Keys in memory only: lost with the process (tests that do not restart the AS). */
    public static IssuedKeys inMemory() {
        return new IssuedKeys(null);
    }

    /**
     * Loads {@code file} (an absent file is empty). A bad line names its number; a file others
     * may read is refused, since it holds secrets.
     */
    public static IssuedKeys open(Path file) throws IOException {
        IssuedKeys k = new IssuedKeys(file);
        if (!Files.exists(file)) {
            return k;
        }
        if (!OwnerOnlyFiles.ownerOnly(file)) {
            throw new IOException(file + ": holds node secrets but is readable or writable by others ("
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + "); chmod 600 it");
        }
        FieldFile.read(file, 3, "<keyId hex> <fqdn> <base64 secret>",
                f -> k.remember(new NodeKey(Long.parseUnsignedLong(f[0], 16), f[1], Base64.getDecoder().decode(f[2]))));
        return k;
    }

    /** The key with id {@code keyId}, or null. */
    public synchronized NodeKey get(long keyId) {
        return byId.get(keyId);
    }

    public synchronized boolean contains(long keyId) {
        return byId.containsKey(keyId);
    }

    /** Keys held, all names together. */
    public synchronized int size() {
        return byId.size();
    }

    /** Adds a newly issued key and saves the file before the key is handed out. */
    public synchronized void add(NodeKey key) throws IOException {
        remember(key);
        save();
    }

    private void remember(NodeKey key) {
        byId.put(key.keyId(), key);
        Deque<Long> ids = byName.computeIfAbsent(key.fqdn(), n -> new ArrayDeque<>());
        ids.addLast(key.keyId());
        while (ids.size() > KEYS_PER_NAME) {
            byId.remove(ids.removeFirst());
        }
    }

    private void save() throws IOException {
        if (file == null) {
            return;
        }
        StringBuilder sb = new StringBuilder("# ntm-lab issued node keys: <keyId hex> <fqdn> <base64 secret>\n");
        List<NodeKey> all = new ArrayList<>();
        for (Deque<Long> ids : byName.values()) {
            for (long id : ids) {
                all.add(byId.get(id));
            }
        }
        for (NodeKey k : all) {
            sb.append(Long.toHexString(k.keyId())).append(' ').append(k.fqdn()).append(' ')
                    .append(Base64.getEncoder().encodeToString(k.secret())).append('\n');
        }
        OwnerOnlyFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
