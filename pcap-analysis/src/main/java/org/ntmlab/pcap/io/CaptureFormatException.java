package org.ntmlab.pcap.io;

import java.io.IOException;

/** The file is not a capture this package can read (bad magic, unsupported version). */
public final class CaptureFormatException extends IOException {
    public CaptureFormatException(String message) {
        super(message);
    }
}
