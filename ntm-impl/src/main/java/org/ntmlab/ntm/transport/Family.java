package org.ntmlab.ntm.transport;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IP version of a real address. */
public enum Family {
    V4, V6;

    public static Family of(InetAddress a) {
        return a instanceof Inet4Address ? V4 : V6;
    }
}
