package org.ntmlab.pcap.decode;

/** A header does not fit its bytes or breaks its format; the decoder counts it and moves on. */
public final class MalformedPacketException extends Exception {
    private final String layer;

    public MalformedPacketException(String layer, String message) {
        super(layer + ": " + message, null, false, false);
        this.layer = layer;
    }

    /** The protocol whose header was bad, e.g. {@code ipv4} or {@code dns}; used as a counter key. */
    public String layer() {
        return layer;
    }
}
