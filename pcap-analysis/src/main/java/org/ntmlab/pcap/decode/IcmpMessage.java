package org.ntmlab.pcap.decode;

/** ICMP (RFC 792) or ICMPv6 (RFC 4443) type and code. */
public record IcmpMessage(boolean v6, int type, int code) {

    public String typeName() {
        if (v6) {
            return switch (type) {
                case 1 -> "destination-unreachable";
                case 2 -> "packet-too-big";
                case 3 -> "time-exceeded";
                case 128 -> "echo-request";
                case 129 -> "echo-reply";
                case 133 -> "router-solicitation";
                case 134 -> "router-advertisement";
                case 135 -> "neighbor-solicitation";
                case 136 -> "neighbor-advertisement";
                case 143 -> "mld2-report";
                default -> "icmpv6-" + type;
            };
        }
        return switch (type) {
            case 0 -> "echo-reply";
            case 3 -> "destination-unreachable";
            case 8 -> "echo-request";
            case 11 -> "time-exceeded";
            default -> "icmp-" + type;
        };
    }
}
