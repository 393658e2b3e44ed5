package org.ntmlab.pcap.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a reader met besides good frames. A damaged file never throws out of
 * {@link CaptureReader#next()}: reading stops and the reason is recorded here.
 */
public final class ReaderStats {
    private long frames;
    private long skippedBlocks;
    private long truncatedTail;
    private final List<String> problems = new ArrayList<>();

    void frame() {
        frames++;
    }

    void skippedBlock() {
        skippedBlocks++;
    }

    void truncatedTail(String why) {
        truncatedTail++;
        problems.add(why);
    }

    void problem(String why) {
        problems.add(why);
    }

    /** Frames returned so far. */
    public long frames() {
        return frames;
    }

    /** pcapng blocks that were not packets (or of unknown type) and were skipped. */
    public long skippedBlocks() {
        return skippedBlocks;
    }

    /** 1 when the file ended in the middle of a record (e.g. tcpdump killed mid-write). */
    public long truncatedTail() {
        return truncatedTail;
    }

    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    @Override
    public String toString() {
        return "frames=" + frames + " skippedBlocks=" + skippedBlocks + " truncatedTail=" + truncatedTail
                + (problems.isEmpty() ? "" : " problems=" + problems);
    }
}
