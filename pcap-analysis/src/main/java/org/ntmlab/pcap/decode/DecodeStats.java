package org.ntmlab.pcap.decode;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Counters kept by {@link PacketDecoder}: what was seen, and what was malformed, by layer. */
public final class DecodeStats {
    private final Map<String, Long> seen = new TreeMap<>();
    private final Map<String, Long> malformed = new TreeMap<>();

    void seen(String what) {
        seen.merge(what, 1L, Long::sum);
    }

    void malformed(String layer) {
        malformed.merge(layer, 1L, Long::sum);
    }

    /** Frames and protocols seen: keys like {@code frames}, {@code ipv4}, {@code udp}, {@code ntm}, {@code dhcp}. */
    public Map<String, Long> seen() {
        return Collections.unmodifiableMap(seen);
    }

    public long seen(String what, long dflt) {
        return seen.getOrDefault(what, dflt);
    }

    /** Malformed headers by layer ({@code ipv4}, {@code udp}, {@code dns} ...). */
    public Map<String, Long> malformed() {
        return Collections.unmodifiableMap(malformed);
    }

    public long malformedTotal() {
        return malformed.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
        return "seen=" + seen + " malformed=" + malformed;
    }
}
