package org.ntmlab.pcap.path;

/** How a tunnel's DATA travelled between two real addresses (paper Table 1: ◎ direct, ○ via RS). */
public enum PathKind {
    /** Between the two nodes' real or mapped addresses, no RS on the way. */
    DIRECT,
    /** One side of the address pair is a Relay Server. */
    RELAY,
    /** DATA to or from a DC/AS or other named infrastructure: not a valid tunnel path. */
    OTHER
}
