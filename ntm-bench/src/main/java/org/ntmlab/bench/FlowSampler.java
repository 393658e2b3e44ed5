package org.ntmlab.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.stack.tcp.NtmSocket;
import org.ntmlab.ntm.stack.tcp.TcpConnection;
import org.ntmlab.ntm.transport.EventLoop;

/**
 * What limits a bulk transfer, sampled every 0.5 ms on the connection's own loops during
 * timed transfers: the sender's queue (unacknowledged + unsent), its congestion window and
 * the peer's window, and the receiver's unread bytes. Each sample is counted under the
 * first matching cause:
 * <ul>
 *   <li>receiver: the receiving application has not read; unread bytes fill most of the receive buffer</li>
 *   <li>sender: the sending application has not queued enough to fill the windows</li>
 *   <li>peer window / cwnd: data is queued that the smaller of the two windows holds back</li>
 * </ul>
 */
final class FlowSampler implements AutoCloseable {

    private final TcpConnection sender;
    private final TcpConnection receiver;
    private final EventLoop senderLoop;
    private final EventLoop receiverLoop;
    private final int receiveBuffer;
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean active;
    long receiverLimited;
    long senderLimited;
    long peerWindowLimited;
    long cwndLimited;
    long samples;
    long cwndSum;

    /** {@code ntm}: a connection from node a (client) to node b (server) of {@code t}. */
    FlowSampler(TunnelPair t, SocketPair ntm, int receiveBuffer) {
        this.sender = ((NtmSocket) ntm.client()).connection();
        this.receiver = ((NtmSocket) ntm.server()).connection();
        this.senderLoop = t.a.loop();
        this.receiverLoop = t.b.loop();
        this.receiveBuffer = receiveBuffer;
        running = true;
        thread = new Thread(this::run, "bench-flow-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    void active(boolean on) {
        active = on;
    }

    private void run() {
        long[] snd = new long[3];
        long[] rcv = new long[1];
        while (running) {
            try {
                TimeUnit.MICROSECONDS.sleep(500);
                if (!active) {
                    continue;
                }
                CountDownLatch done = new CountDownLatch(2);
                senderLoop.execute(() -> {
                    snd[0] = sender.unacknowledged();
                    snd[1] = sender.congestionWindow();
                    snd[2] = sender.sendWindow();
                    done.countDown();
                });
                receiverLoop.execute(() -> {
                    rcv[0] = receiver.available();
                    done.countDown();
                });
                if (!done.await(1, TimeUnit.SECONDS)) {
                    continue;
                }
                synchronized (this) {
                    samples++;
                    cwndSum += snd[1];
                    long windows = Math.min(snd[1], snd[2]);
                    if (rcv[0] > receiveBuffer / 2) {
                        receiverLimited++;
                    } else if (snd[0] < windows) {
                        senderLimited++;
                    } else if (snd[2] <= snd[1]) {
                        peerWindowLimited++;
                    } else {
                        cwndLimited++;
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
