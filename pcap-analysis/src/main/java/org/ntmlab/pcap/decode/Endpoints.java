package org.ntmlab.pcap.decode;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Text forms of addresses without DNS look-ups: {@code 1.2.3.4:7000}, {@code [2001:db8::1]:7000}. */
public final class Endpoints {
    private Endpoints() {
    }

    public static String format(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        s = pct >= 0 ? s.substring(0, pct) : s;
        return a.getAddress().length == 16 ? compressV6(s) : s;
    }

    public static String format(InetSocketAddress a) {
        String host = format(a.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Java prints 2001:db8:0:0:0:0:0:1; shorten the longest zero run to '::' as RFC 5952 asks. */
    static String compressV6(String full) {
        String[] g = full.split(":");
        if (g.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < 8 && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, 8));
        return head + "::" + tail;
    }
}
