package org.ntmlab.pcap.path;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's knowledge of who owns which real address. Text form (one per line, '#' comments):
 * <pre>
 * 198.51.100.10 = node:mn
 * 203.0.113.1   = nat:cn        # the NAT address cn's packets leave from
 * 2001:db8::7   = rs:rs1
 * 198.51.100.2  = dc:dc1
 * </pre>
 * The first '=' separates address from role, so IPv6 literals need no escaping (a
 * {@code java.util.Properties} file would split at the first ':').
 */
public final class Roles {
    private final Map<InetAddress, Role> byAddress;

    private Roles(Map<InetAddress, Role> byAddress) {
        this.byAddress = Collections.unmodifiableMap(new LinkedHashMap<>(byAddress));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Roles empty() {
        return new Builder().build();
    }

    public static Roles load(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses the text form; a bad line throws with its file name and line number. */
    public static Roles parse(List<String> lines, String source) {
        Builder b = builder();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw;
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            int colon = eq < 0 ? -1 : line.indexOf(':', eq);
            if (eq < 0 || colon < 0) {
                throw new IllegalArgumentException(source + ":" + n + ": expected '<ip> = <kind>:<name>', got '" + raw + "'");
            }
            String address = line.substring(0, eq).strip().replace("\\", "");
            try {
                b.add(address, Role.Kind.parse(line.substring(eq + 1, colon)), line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + n + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    public Optional<Role> of(InetAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    public Map<InetAddress, Role> all() {
        return byAddress;
    }

    public static final class Builder {
        private final Map<InetAddress, Role> map = new LinkedHashMap<>();

        public Builder add(String ipLiteral, Role.Kind kind, String name) {
            return add(literal(ipLiteral), kind, name);
        }

        public Builder add(InetAddress address, Role.Kind kind, String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("role for " + address.getHostAddress() + " has no name");
            }
            map.put(address, new Role(kind, name));
            return this;
        }

        public Builder node(String ip, String name) {
            return add(ip, Role.Kind.NODE, name);
        }

        public Builder nat(String ip, String name) {
            return add(ip, Role.Kind.NAT, name);
        }

        public Builder rs(String ip, String name) {
            return add(ip, Role.Kind.RS, name);
        }

        public Builder dc(String ip, String name) {
            return add(ip, Role.Kind.DC, name);
        }

        public Roles build() {
            return new Roles(map);
        }

        private static InetAddress literal(String s) {
            if (!s.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address literal");
            }
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address literal", e);
            }
        }
    }
}
