package org.ntmlab.ntm.node;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a node's control channel listens (docs/protocol.md, "Node control channel"): a
 * Unix-domain socket by default, which only its owner may connect to (mode 0600), or TCP
 * when asked, which then needs a token (issue 11 finding 8: any local user, and any web page
 * through a browser, can reach a loopback TCP port). Written {@code unix:PATH} or
 * {@code HOST:PORT} on the command line.
 */
public record ControlAddress(Path unixPath, InetSocketAddress tcp) {

    public ControlAddress {
        if ((unixPath == null) == (tcp == null)) {
            throw new IllegalArgumentException("a control address is a Unix socket path or a TCP address");
        }
    }

    public static ControlAddress unix(Path path) {
        return new ControlAddress(path, null);
    }

    public static ControlAddress tcp(InetSocketAddress address) {
        return new ControlAddress(null, address);
    }

    /**
     * The default: {@code $XDG_RUNTIME_DIR/ntm/node.sock} where the session has a runtime
     * directory (systemd gives one, mode 0700, per user), else {@code ~/.ntm/node.sock}. A
     * second node on the same account needs its own {@code --control}.
     */
    public static ControlAddress defaultAddress() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path dir = runtime != null && !runtime.isBlank() ? Path.of(runtime, "ntm")
                : Path.of(System.getProperty("user.home"), ".ntm");
        return unix(dir.resolve("node.sock"));
    }

    public boolean isUnix() {
        return unixPath != null;
    }

    public SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(unixPath) : tcp;
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return "unix:" + unixPath;
        }
        String host = tcp.getAddress() == null ? tcp.getHostString() : tcp.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + tcp.getPort();
    }
}
