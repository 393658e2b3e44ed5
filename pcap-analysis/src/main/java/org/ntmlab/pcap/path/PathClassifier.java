package org.ntmlab.pcap.path;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ntmlab.pcap.decode.DecodedPacket;
import org.ntmlab.pcap.decode.NtmDetector;
import org.ntmlab.pcap.decode.NtmHeader;
import org.ntmlab.pcap.decode.NtmMessageType;
import org.ntmlab.pcap.decode.PacketDecoder;

/**
 * Classifies each tunnel's DATA (type 0x2F) by the real addresses that carried it:
 * RELAY when one side is an RS address, OTHER when one side is a DC or AS, DIRECT
 * otherwise (node real addresses, NAT mapped addresses, or addresses the roles do not
 * name). This checks paths from the wire, independently of the nodes' own tunnel tables.
 */
public final class PathClassifier {
    private final Roles roles;

    public PathClassifier(Roles roles) {
        this.roles = roles;
    }

    /**
     * Decodes {@code captures} and classifies them together. NTM is detected on the default
     * ports plus {@code extraPorts}, on any port of an address named in {@code roles}, and on
     * endpoints learned from earlier NTM packets (see {@link NtmDetector}).
     */
    public static PathReport classify(Roles roles, List<Path> captures, int... extraPorts) throws IOException {
        PacketDecoder decoder = new PacketDecoder(NtmDetector.withPorts(extraPorts).withAddresses(roles.all().keySet()));
        List<DecodedPacket> all = new ArrayList<>();
        for (Path p : captures) {
            all.addAll(decoder.decodeAll(p));
        }
        return new PathClassifier(roles).classify(all);
    }

    public PathKind kindOf(InetSocketAddress x, InetSocketAddress y) {
        Role rx = roles.of(x.getAddress()).orElse(null);
        Role ry = roles.of(y.getAddress()).orElse(null);
        if (is(rx, Role.Kind.RS) || is(ry, Role.Kind.RS)) {
            return PathKind.RELAY;
        }
        if (is(rx, Role.Kind.DC) || is(ry, Role.Kind.DC) || is(rx, Role.Kind.AS) || is(ry, Role.Kind.AS)) {
            return PathKind.OTHER;
        }
        return PathKind.DIRECT;
    }

    private static boolean is(Role r, Role.Kind k) {
        return r != null && r.kind() == k;
    }

    private static final class PairAcc {
        final InetSocketAddress a;
        final InetSocketAddress b;
        final PathKind kind;
        long first;
        long last;
        long ab;
        long ba;
        long bytes;
        long relayed;

        PairAcc(InetSocketAddress a, InetSocketAddress b, PathKind kind, long ts) {
            this.a = a;
            this.b = b;
            this.kind = kind;
            this.first = ts;
            this.last = ts;
        }
    }

    private static final class TunnelAcc {
        final long id;
        final Map<List<InetSocketAddress>, PairAcc> pairs = new LinkedHashMap<>();
        final List<PathPeriod> periods = new ArrayList<>();
        PathKind periodKind;
        long periodFirst;
        long periodLast;
        long periodPackets;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long packets;
        long relayed;

        TunnelAcc(long id) {
            this.id = id;
        }

        void closePeriod() {
            if (periodKind != null) {
                periods.add(new PathPeriod(periodKind, periodFirst, periodLast, periodPackets));
            }
        }
    }

    /** Classifies already decoded packets (any order; they are sorted by time). */
    public PathReport classify(List<DecodedPacket> packets) {
        List<DecodedPacket> data = new ArrayList<>();
        long start = Long.MAX_VALUE;
        for (DecodedPacket p : packets) {
            start = Math.min(start, p.timestampNanos());
            NtmHeader h = p.ntm().orElse(null);
            if (h != null && h.type() == NtmMessageType.DATA && p.ip().isPresent()) {
                data.add(p);
            }
        }
        data.sort(Comparator.comparingLong(DecodedPacket::timestampNanos).thenComparingLong(DecodedPacket::number));
        Map<Long, TunnelAcc> tunnels = new LinkedHashMap<>();
        for (DecodedPacket p : data) {
            NtmHeader h = p.ntm().orElseThrow();
            long ts = p.timestampNanos();
            TunnelAcc t = tunnels.computeIfAbsent(h.keyOrTunnelId(), TunnelAcc::new);
            InetSocketAddress src = p.source();
            InetSocketAddress dst = p.destination();
            PairAcc pair = t.pairs.get(List.of(src, dst));
            boolean forward = true;
            if (pair == null) {
                pair = t.pairs.get(List.of(dst, src));
                forward = false;
            }
            if (pair == null) {
                pair = new PairAcc(src, dst, kindOf(src, dst), ts);
                t.pairs.put(List.of(src, dst), pair);
                forward = true;
            }
            if (forward) {
                pair.ab++;
            } else {
                pair.ba++;
            }
            pair.last = ts;
            pair.bytes += p.frameLength();
            if (h.relayed()) {
                pair.relayed++;
                t.relayed++;
            }
            t.first = Math.min(t.first, ts);
            t.last = Math.max(t.last, ts);
            t.packets++;
            if (pair.kind != t.periodKind) {
                t.closePeriod();
                t.periodKind = pair.kind;
                t.periodFirst = ts;
                t.periodPackets = 0;
            }
            t.periodLast = ts;
            t.periodPackets++;
        }
        List<TunnelPath> result = new ArrayList<>();
        for (TunnelAcc t : tunnels.values()) {
            t.closePeriod();
            List<PairUsage> pairs = new ArrayList<>();
            for (PairAcc a : t.pairs.values()) {
                pairs.add(new PairUsage(a.a, a.b, roles.of(a.a.getAddress()).orElse(null),
                        roles.of(a.b.getAddress()).orElse(null), a.kind, a.first, a.last, a.ab, a.ba, a.bytes,
                        a.relayed));
            }
            result.add(new TunnelPath(t.id, t.first, t.last, t.packets, t.relayed, List.copyOf(pairs),
                    List.copyOf(t.periods)));
        }
        return new PathReport(start == Long.MAX_VALUE ? 0 : start, result);
    }
}
