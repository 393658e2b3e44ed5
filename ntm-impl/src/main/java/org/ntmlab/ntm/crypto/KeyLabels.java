package org.ntmlab.ntm.crypto;

/** HKDF labels of every directional key (docs/protocol.md, "Keys"). */
public final class KeyLabels {

    private KeyLabels() {
    }

    public static final String NODE_TO_DC = "ntm node-to-dc";
    public static final String DC_TO_NODE = "ntm dc-to-node";
    public static final String DC_TO_RS = "ntm dc-to-rs";
    public static final String RS_TO_DC = "ntm rs-to-dc";
    public static final String INITIATOR_TO_RESPONDER = "ntm initiator-to-responder";
    public static final String RESPONDER_TO_INITIATOR = "ntm responder-to-initiator";
    public static final String INITIATOR_TO_RS = "ntm relay initiator-to-rs";
    public static final String RS_TO_INITIATOR = "ntm relay rs-to-initiator";
    public static final String RESPONDER_TO_RS = "ntm relay responder-to-rs";
    public static final String RS_TO_RESPONDER = "ntm relay rs-to-responder";

    /**
     * Label of the key DC {@code from} seals with toward DC {@code to} in the session
     * {@code senderSession} of {@code from} (docs/protocol.md, "Several domains"): both domain
     * names and the session are in it, so no message can be reflected, sent on to another
     * pair, or sealed twice under one nonce after a restart.
     */
    public static String dcToDc(String from, String to, long senderSession) {
        return "ntm dc-to-dc " + from + ">" + to + " " + String.format("%016x", senderSession);
    }
}
