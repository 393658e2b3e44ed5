package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Literal virtual addresses for tests (no DNS lookups). */
public final class TestAddresses {
    private TestAddresses() {
    }

    public static InetAddress v4(String literal) {
        return parse(literal);
    }

    public static InetAddress v6(String literal) {
        return parse(literal);
    }

    private static InetAddress parse(String literal) {
        try {
            return InetAddress.getByName(literal); // literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
