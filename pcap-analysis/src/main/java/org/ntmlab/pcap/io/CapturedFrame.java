package org.ntmlab.pcap.io;

/**
 * One record of a capture file, before any decoding.
 *
 * @param number         1-based frame number in file order (as tshark/Wireshark count)
 * @param timestampNanos capture time, nanoseconds since the Unix epoch
 * @param linkType       link-layer type of the interface it was captured on ({@link LinkType})
 * @param originalLength length on the wire; larger than {@code data.length} when snapped
 * @param data           captured bytes
 * @param interfaceId    pcapng interface index (0 for classic pcap)
 */
public record CapturedFrame(long number, long timestampNanos, int linkType, int originalLength,
                            byte[] data, int interfaceId) {

    public boolean truncated() {
        return data.length < originalLength;
    }
}
