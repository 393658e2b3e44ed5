package org.ntmlab.ntm.dc;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a DC works with the DCs of other domains (docs/protocol.md, "Several domains"; paper
 * section 3.2: DCmn finds DCcn through DNS).
 *
 * @param peerSecrets the 32-byte secret shared with the DC of each peer domain (lower case)
 * @param resolvers   DNS servers asked for {@code _ntm-dc._udp.<domain>} SRV (RFC 2782)
 * @param advertise   this DC's signalling addresses, published by its own DNS responder; one port
 */
public record InterDcConfig(Map<String, byte[]> peerSecrets, List<InetSocketAddress> resolvers,
                            List<InetSocketAddress> advertise) {

    /** No peer domains: the DC works alone, as before. */
    public static final InterDcConfig NONE = new InterDcConfig(Map.of(), List.of(), List.of());

    public InterDcConfig {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : peerSecrets.entrySet()) {
            String d = normalise(e.getKey());
            if (e.getValue() == null || e.getValue().length != 32) {
                throw new IllegalArgumentException("inter-DC secret for " + d + " must be 32 bytes");
            }
            if (m.put(d, e.getValue().clone()) != null) {
                throw new IllegalArgumentException("two secrets for peer domain " + d);
            }
        }
        peerSecrets = java.util.Collections.unmodifiableMap(m);
        resolvers = List.copyOf(resolvers);
        advertise = List.copyOf(advertise);
        for (InetSocketAddress a : advertise) {
            if (a.getAddress() == null || a.getAddress().isAnyLocalAddress() || a.getPort() == 0) {
                throw new IllegalArgumentException("advertised DC address must be a concrete address and port, got "
                        + a);
            }
            if (a.getPort() != advertise.get(0).getPort()) {
                throw new IllegalArgumentException("advertised DC addresses must share one port (an SRV target has "
                        + "one port), got " + advertise);
            }
        }
    }

    /**
     * The addresses a DC publishes by default: its signalling binds that are not wildcards, those
     * on the first one's port.
     */
    public static List<InetSocketAddress> advertiseFromBinds(InetSocketAddress bindV4, InetSocketAddress bindV6) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : new InetSocketAddress[] {bindV4, bindV6}) {
            if (a != null && a.getAddress() != null && !a.getAddress().isAnyLocalAddress() && a.getPort() != 0
                    && (out.isEmpty() || out.get(0).getPort() == a.getPort())) {
                out.add(a);
            }
        }
        return out;
    }

    /** Lower case, no trailing dot; rejects what cannot be a domain name. */
    public static String normalise(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 253 || d.startsWith(".") || d.contains("..")) {
            throw new IllegalArgumentException("'" + domain + "' is not a domain name");
        }
        for (String label : d.split("\\.")) {
            if (label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                throw new IllegalArgumentException("'" + domain + "' is not a domain name (label '" + label + "')");
            }
        }
        return d;
    }

    /** The domain of a node's name: the name without its first label ("cn.b.example" -> "b.example"), or null. */
    public static String domainOf(String fqdn) {
        String f = fqdn.toLowerCase(Locale.ROOT);
        if (f.endsWith(".")) {
            f = f.substring(0, f.length() - 1);
        }
        int dot = f.indexOf('.');
        return dot <= 0 || dot == f.length() - 1 ? null : f.substring(dot + 1);
    }
}
