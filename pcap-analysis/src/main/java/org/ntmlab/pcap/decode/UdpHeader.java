package org.ntmlab.pcap.decode;

/**
 * A UDP header and the payload bytes present in the capture.
 *
 * @param length  the UDP length field (header + payload)
 * @param payload payload bytes captured (may be shorter than {@code length - 8} when snapped or fragmented)
 */
public record UdpHeader(int sourcePort, int destinationPort, int length, int checksum, byte[] payload) {
}
