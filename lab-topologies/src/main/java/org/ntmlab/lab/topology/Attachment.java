package org.ntmlab.lab.topology;

import java.net.InetAddress;

/** A server's interface on one segment; null addresses are allocated by the lab. */
public record Attachment(String segment, InetAddress ipv4, InetAddress ipv6) {
    public static Attachment on(String segment) {
        return new Attachment(segment, null, null);
    }
}
