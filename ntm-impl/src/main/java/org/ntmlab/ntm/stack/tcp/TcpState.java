package org.ntmlab.ntm.stack.tcp;

/** Connection states of RFC 9293 section 3.3.2 (Figure 5). LISTEN lives in {@link TcpListener}. */
public enum TcpState {
    CLOSED,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    /** True once both SYNs are acknowledged (RFC 9293 "synchronized states"). */
    public boolean synchronizedState() {
        return this != CLOSED && this != SYN_SENT && this != SYN_RECEIVED;
    }

    /** States in which the peer may still send us data (we have not seen its FIN). */
    boolean receivesData() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /** States in which the application may still queue data to send. */
    boolean sendsData() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }
}
