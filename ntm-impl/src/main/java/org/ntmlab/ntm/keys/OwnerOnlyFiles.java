package org.ntmlab.ntm.keys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that hold secrets (the CA key, the AS keystore and its password, issued node keys,
 * password records): created readable by their owner only (0600) in directories only the owner
 * may enter (0700), and replaced atomically (a temporary file renamed into place, so a crash
 * never leaves half a file). The permissions are set when the file is created, not after, so a
 * secret is never readable by others, not even for a moment (issue 11 finding 9).
 */
public final class OwnerOnlyFiles {

    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private OwnerOnlyFiles() {
    }

    /** Creates {@code dir} (and missing parents) with mode 0700 where it does not exist yet. */
    public static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        try {
            Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            // made meanwhile
        }
    }

    /** Writes {@code content} to {@code file} with mode 0600, replacing it atomically. */
    public static void write(Path file, byte[] content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(FILE));
        try {
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether only the owner may read or write {@code file}. */
    public static boolean ownerOnly(Path file) throws IOException {
        return FILE.containsAll(Files.getPosixFilePermissions(file));
    }
}
