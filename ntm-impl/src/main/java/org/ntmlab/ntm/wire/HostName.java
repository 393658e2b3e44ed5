package org.ntmlab.ntm.wire;

/**
 * What a node name must be to be resolved, registered or forwarded: a host name of RFC 1123
 * section 2.1 (letters, digits and hyphens, in labels of 1 to 63 characters, 253 bytes in all,
 * optionally absolute with a final dot). ASCII only: lower-casing then keeps the length, which
 * Unicode does not ('İ', 2 bytes in UTF-8, lower-cases to 3), so a name that fits a message
 * still fits after the DC lower-cased it (issue 11, found while fuzzing).
 */
public final class HostName {

    private HostName() {
    }

    /** Why {@code name} is not a host name, or null when it is one. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty name";
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.length() > 253 || n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 253) {
            return "longer than 253 bytes";
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return "a label is empty or longer than 63 characters";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
                if (!ok) {
                    return "not a host name: only letters, digits and '-' (RFC 1123), found "
                            + (c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'");
                }
            }
        }
        return null;
    }
}
