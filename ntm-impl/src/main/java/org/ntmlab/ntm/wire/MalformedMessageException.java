package org.ntmlab.ntm.wire;

/**
 * A message body that does not parse. Checked, so every parser's caller decides to count
 * and drop; it never escapes an event loop.
 */
public final class MalformedMessageException extends Exception {

    public MalformedMessageException(String message) {
        super(message, null, false, false); // no stack trace: malformed input is routine
    }
}
