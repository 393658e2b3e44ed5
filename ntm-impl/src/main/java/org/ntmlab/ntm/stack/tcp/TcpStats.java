package org.ntmlab.ntm.stack.tcp;

/**
 * Counters of one {@link TcpLayer}. Written on the event loop only; other threads may read
 * slightly stale values.
 */
public final class TcpStats {
    volatile long segmentsIn;
    volatile long segmentsOut;
    volatile long badChecksum;
    volatile long badHeader;
    volatile long noConnection;
    volatile long resetsSent;
    volatile long resetsReceived;
    volatile long retransmissions;
    volatile long fastRetransmits;
    volatile long timeouts;
    volatile long outOfOrder;
    volatile long duplicateSegments;
    volatile long zeroWindowProbes;
    volatile long pathResumes;
    volatile long challengeAcks;
    volatile long backlogDrops;
    volatile long connectionsOpened;
    volatile long connectionsClosed;

    public long segmentsIn() { return segmentsIn; }
    public long segmentsOut() { return segmentsOut; }
    /** Segments dropped because the checksum with the pseudo-header did not verify. */
    public long badChecksum() { return badChecksum; }
    /** Segments dropped as malformed: too short, data offset below 5 or beyond the segment. */
    public long badHeader() { return badHeader; }
    /** Segments for which no connection or listener existed (answered with RST unless RST). */
    public long noConnection() { return noConnection; }
    public long resetsSent() { return resetsSent; }
    public long resetsReceived() { return resetsReceived; }
    /** Segments sent again, by any mechanism (RTO, fast retransmit, NewReno partial ACK). */
    public long retransmissions() { return retransmissions; }
    public long fastRetransmits() { return fastRetransmits; }
    /** Retransmission timer expirations. */
    public long timeouts() { return timeouts; }
    public long outOfOrder() { return outOfOrder; }
    public long duplicateSegments() { return duplicateSegments; }
    public long zeroWindowProbes() { return zeroWindowProbes; }
    /** Immediate go-back-N retransmissions because the path changed under the connection (a move). */
    public long pathResumes() { return pathResumes; }
    public long challengeAcks() { return challengeAcks; }
    public long backlogDrops() { return backlogDrops; }
    public long connectionsOpened() { return connectionsOpened; }
    public long connectionsClosed() { return connectionsClosed; }

    @Override
    public String toString() {
        return "in=" + segmentsIn + " out=" + segmentsOut + " badChecksum=" + badChecksum + " badHeader="
                + badHeader + " noConnection=" + noConnection + " rstOut=" + resetsSent + " rstIn="
                + resetsReceived + " retransmissions=" + retransmissions + " fastRetransmits=" + fastRetransmits
                + " timeouts=" + timeouts + " outOfOrder=" + outOfOrder + " dup=" + duplicateSegments
                + " zeroWindowProbes=" + zeroWindowProbes + " pathResumes=" + pathResumes + " challengeAcks=" + challengeAcks
                + " backlogDrops=" + backlogDrops + " opened=" + connectionsOpened + " closed=" + connectionsClosed;
    }
}
