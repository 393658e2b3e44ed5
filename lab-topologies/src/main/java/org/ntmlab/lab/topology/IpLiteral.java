package org.ntmlab.lab.topology;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses IPv4/IPv6 address literals without ever touching DNS.
 *
 * <p>{@link InetAddress#getByName} falls back to a name lookup for anything that is not a
 * valid literal, and the lab must never send traffic outside itself, so topology files are
 * parsed here instead and turned into addresses with {@link InetAddress#getByAddress}.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The address for a literal such as {@code 198.51.100.7} or {@code 2001:db8::7}. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parse6(text) : parse4(text);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty(); // only thrown for a wrong length, which cannot happen
        }
    }

    /** Like {@link #parse} for literals the caller knows to be valid. */
    public static InetAddress of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not an IP address literal: " + text));
    }

    /** Formats an address without a host name and, for IPv6, in the compressed form. */
    public static String format(InetAddress address) {
        String s = address.getHostAddress();
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        if (address.getAddress().length == 16) {
            s = compress6(address.getAddress());
        }
        return s;
    }

    private static byte[] parse4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parse6(String text) {
        int dc = text.indexOf("::");
        if (dc >= 0 && text.indexOf("::", dc + 1) >= 0) {
            return null;
        }
        String head = dc >= 0 ? text.substring(0, dc) : text;
        String tail = dc >= 0 ? text.substring(dc + 2) : "";
        int[] h = hextets(head);
        int[] t = hextets(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.length + t.length;
        if ((dc < 0 && total != 8) || (dc >= 0 && total > 7)) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int pos = 8 - t.length + i;
            out[2 * pos] = (byte) (t[i] >> 8);
            out[2 * pos + 1] = (byte) t[i];
        }
        return out;
    }

    /** Hextets of one side of "::"; an embedded IPv4 tail counts as two. */
    private static int[] hextets(String part) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] groups = part.split(":", -1);
        int n = groups.length;
        boolean v4Tail = groups[n - 1].indexOf('.') >= 0;
        int[] out = new int[v4Tail ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String g = groups[i];
            if (v4Tail && i == n - 1) {
                byte[] v4 = parse4(g);
                if (v4 == null) {
                    return null;
                }
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (g.isEmpty() || g.length() > 4) {
                return null;
            }
            int v = 0;
            for (char c : g.toCharArray()) {
                int d = Character.digit(c, 16);
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }

    /** RFC 5952 text form: longest run (length >= 2) of zero hextets becomes "::". */
    private static String compress6(byte[] b) {
        int[] h = new int[8];
        for (int i = 0; i < 8; i++) {
            h[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (h[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && h[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(h[i]));
        }
        return sb.toString();
    }
}
