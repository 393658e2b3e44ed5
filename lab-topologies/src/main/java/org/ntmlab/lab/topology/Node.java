package org.ntmlab.lab.topology;

import java.net.InetAddress;

/** An NTM node (MN or CN) on one segment; null addresses are allocated by the lab. */
public record Node(String name, String fqdn, String segment, InetAddress ipv4, InetAddress ipv6) {
    /** The DC domain the node belongs to: its FQDN without the first label (paper section 3.1). */
    public String domain() {
        return fqdn.substring(fqdn.indexOf('.') + 1);
    }
}
