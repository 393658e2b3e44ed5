package org.ntmlab.pcap.timeline;

import static org.ntmlab.pcap.synth.SyntheticPackets.addr;
import static org.ntmlab.pcap.synth.SyntheticPackets.sock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ntmlab.pcap.io.LinkType;
import org.ntmlab.pcap.io.PcapWriter;
import org.ntmlab.pcap.synth.SyntheticPackets;

/**
 * Writes a capture and an event log for a mobile node making {@code moves} handovers with
 * phase durations that depend on the move index, so the test knows every expected value.
 * Durations (ms) of move i (0-based): link 100+10i, dhcp-wait 5+i, dhcp 8, address 3,
 * register-wait 2, register 10(i+1), tunnel-setup 20, first-data 1, app-resume 4.
 * Noise: another client's DHCP, link-local address events, old-path DATA and keepalives after
 * the move started, a REGISTER retransmission.
 */
public final class HandoverScenario {
    static final long T0 = 1_714_550_400_000_000_000L;
    static final long MS = 1_000_000L;
    static final long MOVE_SPACING_MS = 5_000;
    static final String MN_MAC = "02:00:00:00:00:0a";
    static final String OTHER_MAC = "02:00:00:00:00:0b";
    static final String GW_MAC = "02:00:00:00:00:01";
    static final InetSocketAddress DC = sock("198.51.100.2", 7000);
    static final InetSocketAddress CN = sock("203.0.113.12", 7200);
    static final long MN_KEY = 0x1111;
    public static final long TUNNEL = 0x4242;

    record Frame(long ts, byte[] bytes) {
    }

    final int moves;
    /** Moves (0-based) whose DHCP exchange is left out of the capture. */
    final List<Integer> withoutDhcp;
    final List<Frame> frames = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    long counter = 1;

    public HandoverScenario(int moves, List<Integer> withoutDhcp) {
        this.moves = moves;
        this.withoutDhcp = withoutDhcp;
    }

    static long start(int i) {
        return T0 + i * MOVE_SPACING_MS * MS;
    }

    static String newAddress(int i) {
        return "10.0." + (i % 2 + 1) + "." + (20 + i);
    }

    /** Expected milestone offsets in ms after move start, in Milestone order after MOVE_START. */
    static double[] expectedOffsets(int i) {
        double link = 100 + 10 * i;
        double dhcpStart = link + 5 + i;
        double ack = dhcpStart + 8;
        double address = ack + 3;
        double reg = address + 2;
        double regAck = reg + 10 * (i + 1);
        double setup = regAck + 20;
        double data = setup + 1;
        double resumed = data + 4;
        return new double[] {link, dhcpStart, ack, address, reg, regAck, setup, data, resumed};
    }

    private void udp(long ts, InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        frames.add(new Frame(ts, SyntheticPackets.udpFrame(MN_MAC, GW_MAC, from, to, payload)));
    }

    private void dhcp(long ts, String mac, int type, long xid, String yiaddr, String server) {
        boolean client = type == 1 || type == 3;
        byte[] msg = SyntheticPackets.dhcp(client ? 1 : 2, type, xid, mac, yiaddr == null ? null : addr(yiaddr),
                type == 3 ? addr(yiaddr == null ? "0.0.0.0" : yiaddr) : null, client ? null : addr(server));
        InetSocketAddress src = client ? sock("0.0.0.0", 68) : sock(server, 67);
        InetSocketAddress dst = client ? sock("255.255.255.255", 67) : sock("255.255.255.255", 68);
        frames.add(new Frame(ts, SyntheticPackets.udpFrame(client ? mac : GW_MAC, SyntheticPackets.BROADCAST_MAC, src, dst, msg)));
    }

    private void event(long ts, String rest) {
        log.add("ts=" + ts + " " + rest);
    }

    public HandoverScenario build() {
        InetSocketAddress old = sock("10.0.0.20", 7200);
        for (int i = 0; i < moves; i++) {
            long s = start(i);
            double[] e = expectedOffsets(i);
            String na = newAddress(i);
            InetSocketAddress now = sock(na, 7200);
            String server = "10.0." + (i % 2 + 1) + ".1";
            // Old path still carrying data and a keepalive just after the move began.
            for (long t = s - 200 * MS; t <= s + 30 * MS; t += 50 * MS) {
                udp(t, old, CN, SyntheticPackets.ntm(0x2F, 1, TUNNEL, counter++, 64));
            }
            udp(s + 20 * MS, old, DC, SyntheticPackets.ntm(0x03, 0, MN_KEY, counter++, 16));
            event(s, "event=move-start node=mn from=wlan0 to=wlan1 mac=" + MN_MAC);
            event(s + ms(e[0]), "event=link-up node=mn iface=wlan1");
            event(s + ms(e[0]) + MS / 2, "event=address-added node=mn addr=fe80::a/64");
            if (!withoutDhcp.contains(i)) {
                long xid = 0xabc000 + i;
                dhcp(s + ms(e[1]) - MS / 2, OTHER_MAC, 1, 0x999000 + i, null, server); // someone else's DISCOVER
                dhcp(s + ms(e[1]), MN_MAC, 1, xid, null, server);
                dhcp(s + ms(e[1]) + 2 * MS, MN_MAC, 2, xid, na, server);
                dhcp(s + ms(e[1]) + 4 * MS, MN_MAC, 3, xid, na, server);
                dhcp(s + ms(e[1]) + 6 * MS, OTHER_MAC, 5, 0x999000 + i, "10.0.9.9", server); // someone else's ACK
                dhcp(s + ms(e[2]), MN_MAC, 5, xid, na, server);
            }
            event(s + ms(e[3]), "event=address-added node=mn addr=" + na + "/24 iface=wlan1");
            udp(s + ms(e[4]), now, DC, SyntheticPackets.ntm(0x01, 0, MN_KEY, counter++, 80));
            event(s + ms(e[4]) + MS / 10, "event=register-sent node=mn");
            udp(s + ms(e[4]) + 5 * MS, now, DC, SyntheticPackets.ntm(0x01, 0, MN_KEY, counter++, 80)); // retransmission
            udp(s + ms(e[5]), DC, now, SyntheticPackets.ntm(0x02, 0, MN_KEY, counter++, 60));
            event(s + ms(e[5]) + MS / 10, "event=register-acked node=mn");
            udp(s + ms(e[5]) + 5 * MS, DC, now, SyntheticPackets.ntm(0x06, 0, MN_KEY, counter++, 120));
            udp(s + ms(e[5]) + 6 * MS, now, DC, SyntheticPackets.ntm(0x07, 0, MN_KEY, counter++, 30));
            udp(s + ms(e[5]) + 10 * MS, now, CN, SyntheticPackets.ntm(0x20, 1, TUNNEL, counter++, 40));
            udp(s + ms(e[6]), CN, now, SyntheticPackets.ntm(0x21, 0, TUNNEL, counter++, 40));
            event(s + ms(e[6]) + MS / 10, "event=tunnel-updated node=mn tunnel=" + TUNNEL + " path=direct");
            udp(s + ms(e[7]), now, CN, SyntheticPackets.ntm(0x2F, 1, TUNNEL, counter++, 64));
            udp(s + ms(e[7]) + 3 * MS, CN, now, SyntheticPackets.ntm(0x2F, 0, TUNNEL, counter++, 64));
            event(s + ms(e[8]), "event=app-data-resumed node=mn");
            for (long t = s + ms(e[8]) + 50 * MS; t < s + 1500 * MS; t += 100 * MS) {
                udp(t, now, CN, SyntheticPackets.ntm(0x2F, 1, TUNNEL, counter++, 64));
            }
            old = now;
        }
        frames.sort(Comparator.comparingLong(Frame::ts));
        return this;
    }

    static long ms(double v) {
        return Math.round(v * MS);
    }

    public void write(Path pcap, Path events) throws IOException {
        try (PcapWriter w = PcapWriter.create(pcap, LinkType.ETHERNET, true, java.nio.ByteOrder.LITTLE_ENDIAN)) {
            for (Frame f : frames) {
                w.write(f.ts(), f.bytes());
            }
        }
        Files.write(events, log);
    }
}
