package org.ntmlab.ntm.wire;

import org.ntmlab.ntm.metrics.Counter;

/**
 * Why a node, DC or RS dropped an NTM message before or while reading its body: the header
 * pre-check ({@link NtmHeader#precheck}), the key's verdict (crypto.TrafficKey.Result, see
 * its {@code drop()}) and the body parsers. Shared by the three so that one reason has one
 * name everywhere; each component counts its own drops in its own enum. The keys are the
 * names counted before these enums existed (the key's verdicts in upper case, as the
 * TrafficKey.Result constants were named).
 */
public enum MessageDrop implements Counter {

    /** Shorter than the 20-byte NTM header: not an NTM message. */
    HEADER_TOO_SHORT("tooShort"),
    /** Header version is not {@link NtmHeader#VERSION}. */
    BAD_VERSION("badVersion"),
    /** A reserved flag bit is set. */
    BAD_FLAGS("badFlags"),
    /** The header fits but there is no room for the authentication tag. */
    TOO_SHORT("TOO_SHORT"),
    /** Sealed with another cipher suite than the one this deployment runs. */
    WRONG_SUITE("WRONG_SUITE"),
    /** Its counter is older than the replay window or was already opened. */
    REPLAYED("REPLAYED"),
    /** The tag does not verify: wrong key, or altered on the way. */
    BAD_AUTH("BAD_AUTH"),
    /** Authenticated, but its body does not parse ({@link MalformedMessageException}). */
    MALFORMED("malformed"),
    /** A message type this receiver does not take (or not in its role or state). */
    UNEXPECTED_TYPE("unexpectedType");

    private final String key;

    MessageDrop(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }
}
