package org.ntmlab.ntm.stack.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Where {@link TcpLayer} hands a finished TCP segment (header with checksum, plus payload)
 * to the IP layer, which wraps it in an IPv4 or IPv6 header (protocol 6) with the given
 * addresses. Called on the event loop. The segment is {@code position..limit}; at least
 * {@link TcpConstants#IP_HEADROOM} bytes before {@code position} are free, so the IP layer
 * may write its header in place. The buffer is reused after the call returns, and the
 * implementation must not feed a segment back into a {@link TcpLayer} synchronously
 * (loopback: deliver with {@code EventLoop.execute}).
 */
@FunctionalInterface
public interface TcpOutput {
    void send(InetAddress src, InetAddress dst, ByteBuffer segment);
}
