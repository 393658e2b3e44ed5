package org.ntmlab.pcap.timeline;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.ntmlab.pcap.decode.DecodedPacket;
import org.ntmlab.pcap.decode.DhcpMessage;
import org.ntmlab.pcap.decode.Endpoints;
import org.ntmlab.pcap.decode.NtmDetector;
import org.ntmlab.pcap.decode.NtmHeader;
import org.ntmlab.pcap.decode.NtmMessageType;
import org.ntmlab.pcap.decode.PacketDecoder;

/**
 * Builds handover timelines (paper Figure 11) from captures plus a node event log.
 *
 * <p>Every {@code move-start} event opens a move of its node; the move's window runs to
 * that node's next {@code move-start}. Inside the window each {@link Milestone} is the
 * first matching packet or event <em>after the previous milestone found</em>, so
 * milestones are in order by construction; a milestone not found is left out and the
 * next phase absorbs its time (see {@link PhaseSpan#absorbed()}). The exact rules per
 * milestone are in docs/pcap-analysis.md.
 */
public final class HandoverAnalyzer {
    private final List<DecodedPacket> packets;
    private final List<NodeEvent> events;

    /** @param packets decoded packets from one or more captures (any order) */
    public HandoverAnalyzer(List<DecodedPacket> packets, EventLog log) {
        this.packets = new ArrayList<>(packets);
        this.packets.sort(Comparator.comparingLong(DecodedPacket::timestampNanos));
        this.events = log.events();
    }

    /** Decodes the captures (default NTM ports plus {@code extraPorts}) and analyses every move in the log. */
    public static TimelineReport analyse(List<Path> captures, EventLog log, int... extraPorts) throws IOException {
        PacketDecoder decoder = new PacketDecoder(NtmDetector.withPorts(extraPorts));
        List<DecodedPacket> all = new ArrayList<>();
        for (Path p : captures) {
            all.addAll(decoder.decodeAll(p));
        }
        return new HandoverAnalyzer(all, log).analyse();
    }

    public TimelineReport analyse() {
        List<MoveTimeline> moves = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<NodeEvent> starts = events.stream().filter(e -> e.name().equals(EventLog.MOVE_START)).toList();
        if (starts.isEmpty()) {
            warnings.add("the event log has no move-start events, so there is no move to time");
        }
        for (NodeEvent start : starts) {
            long windowEnd = starts.stream()
                    .filter(s -> s.node().equals(start.node()) && s.timestampNanos() > start.timestampNanos())
                    .mapToLong(NodeEvent::timestampNanos).min().orElse(Long.MAX_VALUE);
            moves.add(move(moves.size() + 1, start, windowEnd));
        }
        return TimelineReport.of(moves, warnings);
    }

    private final class MoveBuilder {
        final NodeEvent start;
        final long windowEnd;
        final Map<Milestone, MilestoneHit> hits = new EnumMap<>(Milestone.class);
        final List<String> notes = new ArrayList<>();
        long cursor;
        String mac;
        InetAddress newAddress;

        MoveBuilder(NodeEvent start, long windowEnd) {
            this.start = start;
            this.windowEnd = windowEnd;
            this.cursor = start.timestampNanos();
            this.mac = start.attribute("mac").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        }

        void hit(Milestone m, DecodedPacket p) {
            hits.put(m, new MilestoneHit(m, p.timestampNanos(), "capture", p.summary()));
            cursor = p.timestampNanos();
        }

        void hit(Milestone m, NodeEvent e) {
            hits.put(m, new MilestoneHit(m, e.timestampNanos(), "log", "line " + e.line() + " " + e.name()));
            cursor = e.timestampNanos();
        }

        NodeEvent event(String name, long from, long to) {
            for (NodeEvent e : events) {
                if (e.timestampNanos() >= from && e.timestampNanos() < to && e.name().equals(name)
                        && (start.node().isEmpty() || e.node().equals(start.node()))) {
                    return e;
                }
            }
            return null;
        }

        boolean involvesNew(DecodedPacket p) {
            return newAddress != null && (newAddress.equals(p.sourceAddress()) || newAddress.equals(p.destinationAddress()));
        }

        boolean macMatches(DhcpMessage d) {
            return mac == null || mac.equals(d.clientMac().toLowerCase(Locale.ROOT));
        }
    }

    private MoveTimeline move(int index, NodeEvent start, long windowEnd) {
        MoveBuilder m = new MoveBuilder(start, windowEnd);
        m.hits.put(Milestone.MOVE_START, new MilestoneHit(Milestone.MOVE_START, start.timestampNanos(), "log",
                "line " + start.line() + " " + start.name()));

        NodeEvent linkUp = m.event(EventLog.LINK_UP, m.cursor, windowEnd);
        if (linkUp != null) {
            m.hit(Milestone.LINK_UP, linkUp);
            if (m.mac == null) {
                m.mac = linkUp.attribute("mac").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
            }
        }

        DecodedPacket dhcpStart = first(m.cursor, windowEnd, p -> p.dhcp()
                .filter(d -> d.op() == 1 && (d.messageType() == DhcpMessage.DISCOVER || d.messageType() == DhcpMessage.REQUEST))
                .filter(m::macMatches).isPresent());
        long xid = -1;
        if (dhcpStart != null) {
            m.hit(Milestone.DHCP_START, dhcpStart);
            xid = dhcpStart.dhcp().orElseThrow().xid();
            if (m.mac == null) {
                // Follow the client that started the exchange.
                m.mac = dhcpStart.dhcp().orElseThrow().clientMac().toLowerCase(Locale.ROOT);
            }
        }
        long wantXid = xid;
        DecodedPacket ack = first(m.cursor, windowEnd, p -> p.dhcp()
                .filter(d -> d.op() == 2 && d.messageType() == DhcpMessage.ACK)
                .filter(d -> wantXid < 0 || d.xid() == wantXid).filter(m::macMatches).isPresent());
        if (ack != null) {
            m.hit(Milestone.DHCP_ACK, ack);
            m.newAddress = ack.dhcp().orElseThrow().yourAddress();
        }

        NodeEvent added = null;
        for (long from = m.cursor; ; ) {
            NodeEvent e = m.event(EventLog.ADDRESS_ADDED, from, windowEnd);
            if (e == null) {
                break;
            }
            InetAddress a = literal(e.attribute("addr").orElse(null));
            if (a == null || !a.isLinkLocalAddress()) {
                added = e;
                if (a != null) {
                    m.newAddress = a;
                }
                break;
            }
            from = e.timestampNanos() + 1; // link-local addresses appear on every link-up: not the move's address
        }
        if (added != null) {
            m.hit(Milestone.ADDRESS_ADDED, added);
        }
        if (m.newAddress == null) {
            m.notes.add("new address unknown (no DHCP ACK, no address-added addr=): NTM packets matched on any address");
        }

        DecodedPacket register = first(m.cursor, windowEnd, p -> isNtm(p, NtmMessageType.REGISTER)
                && (m.newAddress == null || m.newAddress.equals(p.sourceAddress())));
        if (register != null) {
            m.hit(Milestone.REGISTER_SENT, register);
        } else {
            NodeEvent e = m.event(EventLog.REGISTER_SENT, m.cursor, windowEnd);
            if (e != null) {
                m.hit(Milestone.REGISTER_SENT, e);
                m.notes.add("register-sent taken from the log: no REGISTER from the new address in the capture");
            }
        }
        long keyId = register == null ? -1 : register.ntm().orElseThrow().keyOrTunnelId();
        DecodedPacket regAck = first(m.cursor, windowEnd, p -> isNtm(p, NtmMessageType.REGISTER_ACK)
                && (keyId == -1 || p.ntm().orElseThrow().keyOrTunnelId() == keyId)
                && (m.newAddress == null || m.newAddress.equals(p.destinationAddress())));
        if (regAck != null) {
            m.hit(Milestone.REGISTER_ACKED, regAck);
        } else {
            NodeEvent e = m.event(EventLog.REGISTER_ACKED, m.cursor, windowEnd);
            if (e != null) {
                m.hit(Milestone.REGISTER_ACKED, e);
                m.notes.add("register-acked taken from the log: no REGISTER_ACK to the new address in the capture");
            }
        }

        long afterRegistration = m.cursor;
        DecodedPacket firstData = first(afterRegistration, windowEnd, p -> isNtm(p, NtmMessageType.DATA)
                && (m.newAddress == null || m.involvesNew(p)));
        NodeEvent appResumed = m.event(EventLog.APP_DATA_RESUMED, afterRegistration, windowEnd);
        NodeEvent echoResumed = m.event(EventLog.UDP_ECHO_RESUMED, afterRegistration, windowEnd);
        if (appResumed == null) {
            appResumed = echoResumed;
        }
        if (firstData != null && appResumed != null && appResumed.timestampNanos() < firstData.timestampNanos()) {
            // The application heard its peer at the new address before the capture shows any
            // DATA there: the capture lost packets (a busy machine fills tcpdump's buffer), so
            // its first DATA is no milestone; the phase after tunnel-setup runs to the app's event.
            m.notes.add(String.format(Locale.ROOT, "first-data left out: the capture's first DATA at the new address"
                    + " came %.1f ms after the node's app-data-resumed (the capture missed packets)",
                    (firstData.timestampNanos() - appResumed.timestampNanos()) / 1e6));
            firstData = null;
        }
        long setupEnd = firstData != null ? firstData.timestampNanos()
                : appResumed != null ? appResumed.timestampNanos() : windowEnd;
        DecodedPacket setup = last(afterRegistration, setupEnd, p -> p.ntm()
                .filter(h -> h.type() != null && h.type().isTunnelSetup()).isPresent()
                && (m.newAddress == null || m.involvesNew(p)));
        if (setup != null) {
            m.hit(Milestone.TUNNEL_SETUP, setup);
        } else {
            NodeEvent e = m.event(EventLog.TUNNEL_UPDATED, afterRegistration, setupEnd);
            if (e != null) {
                m.hit(Milestone.TUNNEL_SETUP, e);
            }
        }
        if (firstData != null) {
            m.hit(Milestone.FIRST_DATA, firstData);
        }

        NodeEvent resumed = m.event(EventLog.APP_DATA_RESUMED, m.cursor, windowEnd);
        DecodedPacket inbound = m.newAddress == null ? null : first(firstData != null ? firstData.timestampNanos()
                : afterRegistration, windowEnd, p -> isNtm(p, NtmMessageType.DATA)
                && m.newAddress.equals(p.destinationAddress()));
        NodeEvent echo = echoResumed != null && echoResumed.timestampNanos() >= m.cursor ? echoResumed : null;
        if (resumed != null) {
            m.hit(Milestone.APP_RESUMED, resumed);
        } else if (inbound != null && (echo == null || inbound.timestampNanos() <= echo.timestampNanos())) {
            m.hit(Milestone.APP_RESUMED, inbound);
            m.notes.add("app-data-resumed taken as the first DATA to the new address (no log event)");
        } else if (echo != null) {
            // the capture shows no DATA reaching the new address before the node's own check heard
            // its peer: it lost them; the echo is an upper bound of the resume (one round trip late)
            m.hit(Milestone.APP_RESUMED, echo);
            m.notes.add("app-data-resumed taken from the node's udp-echo-resumed (the capture shows no DATA to the"
                    + " new address before it)");
        }

        List<PhaseSpan> spans = new ArrayList<>();
        long prev = start.timestampNanos();
        boolean gap = false;
        for (Milestone ms : Milestone.values()) {
            if (ms == Milestone.MOVE_START) {
                continue;
            }
            MilestoneHit h = m.hits.get(ms);
            if (h == null) {
                gap = true;
                continue;
            }
            spans.add(new PhaseSpan(ms, prev, h.timestampNanos(), gap));
            prev = h.timestampNanos();
            gap = false;
        }
        String addr = m.newAddress == null ? null : Endpoints.format(m.newAddress);
        return new MoveTimeline(index, start.node(), start.timestampNanos(), addr, Map.copyOf(m.hits),
                List.copyOf(spans), List.copyOf(m.notes));
    }

    private static boolean isNtm(DecodedPacket p, NtmMessageType type) {
        NtmHeader h = p.ntm().orElse(null);
        return h != null && h.type() == type;
    }

    /** Index of the first packet at or after {@code from}. */
    private int indexAt(long from) {
        int lo = 0;
        int hi = packets.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (packets.get(mid).timestampNanos() < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private DecodedPacket first(long from, long to, Predicate<DecodedPacket> test) {
        for (int i = indexAt(from); i < packets.size() && packets.get(i).timestampNanos() < to; i++) {
            if (test.test(packets.get(i))) {
                return packets.get(i);
            }
        }
        return null;
    }

    /** Last match in [from, to]: a set-up message sent in the same instant as the first DATA still counts. */
    private DecodedPacket last(long from, long to, Predicate<DecodedPacket> test) {
        DecodedPacket found = null;
        for (int i = indexAt(from); i < packets.size() && packets.get(i).timestampNanos() <= to; i++) {
            if (test.test(packets.get(i))) {
                found = packets.get(i);
            }
        }
        return found;
    }

    private static InetAddress literal(String s) {
        if (s == null) {
            return null;
        }
        int slash = s.indexOf('/');
        String ip = slash >= 0 ? s.substring(0, slash) : s;
        if (!ip.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
