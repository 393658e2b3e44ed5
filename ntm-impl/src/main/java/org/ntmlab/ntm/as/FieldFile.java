package org.ntmlab.ntm.as;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The AS's small state files ({@link AccountStore}, {@link IssuedKeys}): one record per line,
 * fields separated by white space, blank lines and {@code #} comments skipped. A bad line
 * stops the load with {@code file:line: ...}, so an AS never starts on half its records.
 */
final class FieldFile {

    /** Takes one record's fields; throws {@link IllegalArgumentException} with what is wrong. */
    @FunctionalInterface
    interface Record {
        void accept(String[] fields);
    }

    private FieldFile() {
    }

    /**
     * Reads {@code file} (which must exist): each record must have {@code fields} fields, named
     * by {@code layout} (e.g. {@code "<user> <fqdn> <password record>"}) in the error otherwise.
     */
    static void read(Path file, int fields, String layout, Record record) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            String where = file + ":" + (i + 1) + ": ";
            if (f.length != fields) {
                throw new IOException(where + "expected '" + layout + "', got " + f.length + " fields");
            }
            try {
                record.accept(f);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + e.getMessage(), e);
            }
        }
    }
}
