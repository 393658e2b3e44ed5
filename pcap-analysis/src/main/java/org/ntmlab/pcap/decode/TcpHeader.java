package org.ntmlab.pcap.decode;

/** A TCP header; {@code flags} holds the low 9 flag bits (FIN=0x01, SYN=0x02, RST=0x04, ACK=0x10 ...). */
public record TcpHeader(int sourcePort, int destinationPort, long sequence, long acknowledgement, int flags,
                        int window, int headerLength, int payloadLength) {
    public boolean syn() {
        return (flags & 0x02) != 0;
    }

    public boolean ack() {
        return (flags & 0x10) != 0;
    }

    public boolean fin() {
        return (flags & 0x01) != 0;
    }

    public boolean rst() {
        return (flags & 0x04) != 0;
    }
}
