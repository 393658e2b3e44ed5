package org.ntmlab.ntm.as;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The credentials DCs present to fetch node keys ({@code KEY <token> <keyId>}), each scoped to
 * one domain (issue 11 finding 9): a DC's token returns the keys of its own domain's nodes and
 * no others, so a DC that is broken into, or a token that leaks, exposes one domain, not every
 * node the AS serves. A node belongs to the domain after the first label of its FQDN
 * ({@code carol.b.ntm.example} to {@code b.ntm.example}, not {@code ntm.example}): the DC that
 * registers it. An unscoped token (every domain) remains possible for a single-DC setup.
 */
public final class DcTokens {

    /** One token and the domain it may read (null: every domain). */
    record Entry(byte[] token, String domain) {
    }

    private final List<Entry> entries;

    private DcTokens(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("at least one DC token");
        }
        this.entries = List.copyOf(entries);
    }

    /** One token for every domain: whoever holds it can fetch the key of any node. */
    public static DcTokens unscoped(String token) {
        return new DcTokens(List.of(new Entry(bytes(token), null)));
    }

    /** Builds a set of tokens, scoped and (discouraged) unscoped. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        public Builder scoped(String domain, String token) {
            String d = normalise(domain);
            if (d.isEmpty() || d.startsWith(".") || d.contains("..")) {
                throw new IllegalArgumentException("bad DC token domain '" + domain + "'");
            }
            entries.add(new Entry(bytes(token), d));
            return this;
        }

        public Builder unscoped(String token) {
            entries.add(new Entry(bytes(token), null));
            return this;
        }

        public DcTokens build() {
            return new DcTokens(entries);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What a presented token may read; null when it matches none. */
    public Scope match(String presented) {
        byte[] given = bytes(presented);
        Entry found = null;
        for (Entry e : entries) {
            // every entry is compared, in constant time each: the answer's timing does not say which matched
            if (MessageDigest.isEqual(given, e.token()) && found == null) {
                found = e;
            }
        }
        return found == null ? null : new Scope(found.domain());
    }

    /** The domain a matched token may read (null: every domain). */
    public record Scope(String domain) {
        /** Whether a token of this scope may fetch the key of node {@code fqdn}. */
        public boolean covers(String fqdn) {
            return domain == null || domain.equals(domainOf(fqdn));
        }
    }

    /** The domain of a node: its FQDN without the first label ({@code alice.ntm.example} to {@code ntm.example}). */
    static String domainOf(String fqdn) {
        String f = normalise(fqdn);
        int dot = f.indexOf('.');
        return dot < 0 ? "" : f.substring(dot + 1);
    }

    private static String normalise(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static byte[] bytes(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("an empty DC token");
        }
        return token.getBytes(StandardCharsets.UTF_8);
    }
}
