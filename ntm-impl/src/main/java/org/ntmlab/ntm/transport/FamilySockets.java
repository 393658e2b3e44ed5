package org.ntmlab.ntm.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;

/** Opens a server's signalling sockets per IP family, sharing one dual-stack socket where possible. */
public final class FamilySockets {

    private FamilySockets() {
    }

    /**
     * One endpoint per family asked for. When both are wildcards on one port and the network
     * has dual-stack sockets, both families map to one socket bound to [::].
     */
    public static Map<Family, DatagramEndpoint> open(Network net, InetSocketAddress bind4, InetSocketAddress bind6,
                                                     EventLoop loop, DatagramEndpoint.Receiver receiver)
            throws IOException {
        Map<Family, DatagramEndpoint> out = new EnumMap<>(Family.class);
        if (bind4 != null && bind6 != null && net.dualStackSockets() && bind4.getAddress().isAnyLocalAddress()
                && bind6.getAddress().isAnyLocalAddress() && bind4.getPort() == bind6.getPort()) {
            DatagramEndpoint both = net.open(bind6, loop, receiver);
            out.put(Family.V4, both);
            out.put(Family.V6, both);
            return out;
        }
        if (bind4 != null) {
            out.put(Family.V4, net.open(bind4, loop, receiver));
        }
        if (bind6 != null) {
            out.put(Family.V6, net.open(bind6, loop, receiver));
        }
        return out;
    }
}
