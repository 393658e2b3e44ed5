package org.ntmlab.ntm.node;

import java.io.IOException;

import org.ntmlab.ntm.signalling.ProtocolConstants;
import org.ntmlab.ntm.stack.tcp.TcpConnection;
import org.ntmlab.ntm.stack.tcp.TcpLayer;
import org.ntmlab.ntm.stack.tcp.TcpListener;

/**
 * TCP echo (RFC 862) on a virtual port, run on the node's loop without threads: what
 * arrives is written back; the peer's FIN is answered with ours once everything is echoed.
 */
final class TcpEchoService {

    private TcpEchoService() {
    }

    /** Starts listening; call on the node's loop. */
    static void start(TcpLayer tcp, int port) {
        TcpListener l;
        try {
            l = tcp.listen(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on virtual TCP port " + port, e);
        }
        l.setCallback(() -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                echo(c);
            }
        });
    }

    private static void echo(TcpConnection c) {
        byte[] buf = new byte[ProtocolConstants.Node.TCP_ECHO_BUFFER_BYTES];
        int[] pending = {0, 0}; // [start, end) of bytes read but not yet queued for sending
        Runnable pump = () -> {
            try {
                while (true) {
                    if (pending[0] < pending[1]) {
                        int n = c.write(buf, pending[0], pending[1] - pending[0]);
                        pending[0] += n;
                        if (pending[0] < pending[1]) {
                            return; // send queue full: the next callback continues
                        }
                    }
                    int r = c.read(buf, 0, buf.length);
                    if (r > 0) {
                        pending[0] = 0;
                        pending[1] = r;
                    } else {
                        if (r < 0) {
                            c.close();
                        }
                        return;
                    }
                }
            } catch (IOException e) {
                c.abort();
            }
        };
        c.setCallback(pump);
        pump.run();
    }
}
