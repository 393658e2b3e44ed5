package org.ntmlab.ntm.stack;

/** What the virtual stack did with packets; read for the tunnel table and tests. */
public final class StackCounters {
    public long txPackets;
    public long txDropped;
    public long rxPackets;
    public long rxDelivered;
    public long rxMalformed;
    public long rxBadChecksum;
    public long rxFragments;
    public long rxNotForUs;
    public long rxNoListener;
    public long rxUnknownProtocol;
    public long echoRequestsAnswered;

    @Override
    public String toString() {
        return "tx=" + txPackets + " txDropped=" + txDropped + " rx=" + rxPackets + " delivered=" + rxDelivered
                + " malformed=" + rxMalformed + " badChecksum=" + rxBadChecksum + " fragments=" + rxFragments
                + " notForUs=" + rxNotForUs + " noListener=" + rxNoListener + " unknownProto=" + rxUnknownProtocol
                + " echoAnswered=" + echoRequestsAnswered;
    }
}
