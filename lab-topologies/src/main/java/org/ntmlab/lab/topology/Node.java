package org.ntmlab.lab.topology;

import java.net.InetAddress;

/** An NTM node (MN or CN) on one segment; null addresses are allocated by the lab. */
public record Node(String name, String fqdn, String segment, InetAddress ipv4, InetAddress ipv6) {
}
