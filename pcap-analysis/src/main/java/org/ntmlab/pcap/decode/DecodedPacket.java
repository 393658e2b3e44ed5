package org.ntmlab.pcap.decode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One frame decoded as far as its headers allow. Layers that are absent (or could not be
 * decoded) are empty; {@link #malformed()} names the first header that was bad.
 */
public final class DecodedPacket {
    private final long number;
    private final long timestampNanos;
    private final int frameLength;
    final LinkHeader link;
    final IpHeader ip;
    final UdpHeader udp;
    final TcpHeader tcp;
    final IcmpMessage icmp;
    final DhcpMessage dhcp;
    final DnsMessage dns;
    final NtmHeader ntm;
    final String malformed;

    DecodedPacket(long number, long timestampNanos, int frameLength, LinkHeader link, IpHeader ip, UdpHeader udp,
                  TcpHeader tcp, IcmpMessage icmp, DhcpMessage dhcp, DnsMessage dns, NtmHeader ntm, String malformed) {
        this.number = number;
        this.timestampNanos = timestampNanos;
        this.frameLength = frameLength;
        this.link = link;
        this.ip = ip;
        this.udp = udp;
        this.tcp = tcp;
        this.icmp = icmp;
        this.dhcp = dhcp;
        this.dns = dns;
        this.ntm = ntm;
        this.malformed = malformed;
    }

    /** 1-based frame number in the capture. */
    public long number() {
        return number;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    /** Original length of the frame on the wire. */
    public int frameLength() {
        return frameLength;
    }

    public Optional<LinkHeader> link() {
        return Optional.ofNullable(link);
    }

    public Optional<IpHeader> ip() {
        return Optional.ofNullable(ip);
    }

    public Optional<UdpHeader> udp() {
        return Optional.ofNullable(udp);
    }

    public Optional<TcpHeader> tcp() {
        return Optional.ofNullable(tcp);
    }

    public Optional<IcmpMessage> icmp() {
        return Optional.ofNullable(icmp);
    }

    public Optional<DhcpMessage> dhcp() {
        return Optional.ofNullable(dhcp);
    }

    public Optional<DnsMessage> dns() {
        return Optional.ofNullable(dns);
    }

    public Optional<NtmHeader> ntm() {
        return Optional.ofNullable(ntm);
    }

    /** Why decoding stopped early ("ipv4: ..."), or empty for a well-formed packet. */
    public Optional<String> malformed() {
        return Optional.ofNullable(malformed);
    }

    public InetAddress sourceAddress() {
        return ip == null ? null : ip.source();
    }

    public InetAddress destinationAddress() {
        return ip == null ? null : ip.destination();
    }

    /** Source IP and UDP/TCP port (port 0 without a transport header), or null without IP. */
    public InetSocketAddress source() {
        if (ip == null) {
            return null;
        }
        int port = udp != null ? udp.sourcePort() : tcp != null ? tcp.sourcePort() : 0;
        return new InetSocketAddress(ip.source(), port);
    }

    public InetSocketAddress destination() {
        if (ip == null) {
            return null;
        }
        int port = udp != null ? udp.destinationPort() : tcp != null ? tcp.destinationPort() : 0;
        return new InetSocketAddress(ip.destination(), port);
    }

    /** One-line description, like a tcpdump line, for logs and the CLI. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append('#').append(number).append(' ');
        if (ip == null) {
            s.append(link == null ? "undecoded" : String.format("%s ethertype=0x%04x", link.kind(), link.etherType()));
        } else {
            s.append(Endpoints.format(source())).append(" > ").append(Endpoints.format(destination()));
            if (ntm != null) {
                s.append(" NTM ").append(ntm.typeName()).append(" id=").append(Long.toUnsignedString(ntm.keyOrTunnelId()))
                        .append(" ctr=").append(Long.toUnsignedString(ntm.counter()));
                if (ntm.relayed()) {
                    s.append(" relayed");
                }
            } else if (dhcp != null) {
                s.append(" DHCP ").append(dhcp.messageTypeName()).append(String.format(" xid=0x%08x", dhcp.xid()));
            } else if (dns != null) {
                s.append(" DNS ").append(dns.response() ? "response " : "query ").append(dns.qname());
            } else if (udp != null) {
                s.append(" UDP len=").append(udp.length());
            } else if (tcp != null) {
                s.append(" TCP flags=0x").append(Integer.toHexString(tcp.flags()));
            } else if (icmp != null) {
                s.append(' ').append(icmp.v6() ? "ICMPv6 " : "ICMP ").append(icmp.typeName());
            } else {
                s.append(" proto=").append(ip.protocol());
            }
            if (ip.fragment()) {
                s.append(" fragment offset=").append(ip.fragmentOffset());
            }
        }
        if (malformed != null) {
            s.append(" [malformed ").append(malformed).append(']');
        }
        return s.toString();
    }
}
