package org.ntmlab.ntm.stack.tcp;

/** Text form of the control bits, for logs and test failure messages. */
public final class TcpFlags {
    private TcpFlags() {
    }

    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & TcpConstants.FLAG_SYN) != 0) sb.append('S');
        if ((flags & TcpConstants.FLAG_FIN) != 0) sb.append('F');
        if ((flags & TcpConstants.FLAG_RST) != 0) sb.append('R');
        if ((flags & TcpConstants.FLAG_PSH) != 0) sb.append('P');
        if ((flags & TcpConstants.FLAG_ACK) != 0) sb.append('.');
        if ((flags & TcpConstants.FLAG_URG) != 0) sb.append('U');
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
