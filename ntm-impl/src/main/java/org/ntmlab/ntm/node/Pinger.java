package org.ntmlab.ntm.node;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.signalling.ProtocolConstants;

/** ICMP / ICMPv6 echo over the virtual stack (the lab's `ping` of a virtual address). */
final class Pinger {

    private static int nextId = 1;

    private final NtmNode node;
    /** Notified on the loop thread at each reply, so the next request goes as soon as one is answered. */
    private final Object answered = new Object();

    Pinger(NtmNode node) {
        this.node = node;
    }

    double[] ping(InetAddress dst, int count, Duration timeout) throws InterruptedException {
        int id;
        synchronized (Pinger.class) {
            id = nextId++ & 0xFFFF;
        }
        double[] rtt = new double[count];
        Arrays.fill(rtt, Double.NaN);
        long[] sent = new long[count];
        CountDownLatch replies = new CountDownLatch(count);
        node.loop().execute(() -> node.stack().setEchoListener((from, rid, seq, data) -> {
            if (rid == id && seq < count && Double.isNaN(rtt[seq]) && from.equals(dst)) {
                rtt[seq] = (System.nanoTime() - sent[seq]) / 1e6;
                replies.countDown();
                synchronized (answered) {
                    answered.notifyAll();
                }
            }
        }));
        for (int seq = 0; seq < count; seq++) {
            int s = seq;
            node.loop().execute(() -> {
                sent[s] = System.nanoTime();
                ByteBuffer data = ByteBuffer.allocate(ProtocolConstants.Node.PING_PAYLOAD_BYTES);
                data.putLong(0, sent[s]);
                node.stack().sendEchoRequest(dst, id, s, data);
            });
            // the next request when this one is answered, or after the longest pause
            awaitMissing(replies, count - s - 1,
                    Math.min(ProtocolConstants.Node.PING_MAX_SPACING_MS, timeout.toMillis() / Math.max(1, count)));
        }
        replies.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        double[] out = new double[count];
        CountDownLatch done = new CountDownLatch(1);
        node.loop().execute(() -> { // read results on the loop: it wrote them
            System.arraycopy(rtt, 0, out, 0, count);
            node.stack().setEchoListener(null);
            done.countDown();
        });
        done.await(ProtocolConstants.Node.PING_COLLECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return out;
    }

    /** Waits until at most {@code missing} replies are outstanding, or {@code ms} have passed. */
    private void awaitMissing(CountDownLatch replies, long missing, long ms) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        synchronized (answered) {
            long left;
            while (replies.getCount() > missing && (left = until - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(answered, left);
            }
        }
    }
}
