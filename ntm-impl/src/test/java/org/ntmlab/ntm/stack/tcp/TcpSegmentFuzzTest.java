package org.ntmlab.ntm.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.SeedCorpus;
import org.ntmlab.ntm.stack.InternetChecksum;

/**
 * Fuzz target (docs/security.md, "Fuzzing"): TCP segment and option parsing and the state
 * machine behind it. The input is a script of steps for one {@link TcpLayer} with a listener on
 * port 80 and one active open to the peer's port 443: segments from the peer (ports, sequence
 * and acknowledgement numbers near the ones in use, flags, window, raw option bytes, payload,
 * sometimes a broken data offset or checksum), virtual time passing, and the application
 * accepting, reading, writing, closing and aborting. Whatever arrives, the layer never hits
 * an internal error (an exception it catches in {@code onSegment} or a timer), and every
 * segment it sends parses and carries a correct checksum. Raw bytes given to
 * {@link TcpSegment#parse} leave a header and payload inside the segment.
 */
class TcpSegmentFuzzTest {

    static final int ISS = 10_000;
    static final int PEER_ISS = 5_000;
    static final int LISTEN_PORT = 80;
    static final int PEER_PORT = 443;
    /** Small buffers and MSS: full windows, zero-window probes and segmentation come early. */
    static final TcpConfig CFG = TcpConfig.builder().issSupplier(() -> ISS).mss(536, 516).sendBufferSize(6000)
            .receiveBufferSize(4000).build();
    static final int MAX_STEPS = 64;

    @FuzzTest
    void segments(FuzzedDataProvider data) throws IOException {
        RawPeer p = new RawPeer(CFG);
        TcpListener listener = p.layer.listen(LISTEN_PORT);
        List<TcpConnection> conns = new ArrayList<>();
        conns.add(p.layer.connect(RawPeer.PEER, PEER_PORT));
        drain(p);
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
            switch (data.consumeInt(0, 5)) {
                case 0, 1, 2 -> p.layer.onSegment(RawPeer.PEER, RawPeer.STACK, segment(data, conns.get(0)),
                        data.consumeBoolean());
                case 3 -> p.loop.runFor(data.consumeLong(0, TimeUnit.SECONDS.toNanos(200)));
                case 4 -> application(data, listener, conns);
                default -> parseRaw(data.consumeBytes(data.consumeInt(0, 80)));
            }
            p.loop.runFor(0);
            assertEquals(0, p.layer.internalErrors(), "internal errors in the TCP layer");
            drain(p);
        }
    }

    /** A segment from the peer, its checksum right unless the script breaks it. */
    private static ByteBuffer segment(FuzzedDataProvider data, TcpConnection active) {
        int srcPort;
        int dstPort;
        switch (data.consumeInt(0, 2)) {
            case 0 -> {
                srcPort = 4000;
                dstPort = LISTEN_PORT;
            }
            case 1 -> {
                srcPort = PEER_PORT;
                dstPort = active.localPort();
            }
            default -> {
                srcPort = data.consumeInt(0, 65535);
                dstPort = data.consumeInt(0, 65535);
            }
        }
        int seq = data.consumeBoolean() ? PEER_ISS + data.consumeInt(-70_000, 70_000) : data.consumeInt();
        int ack = data.consumeBoolean() ? ISS + data.consumeInt(-70_000, 70_000) : data.consumeInt();
        int flags = data.consumeInt(0, 0xFF);
        int window = data.consumeInt(0, 65535);
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        int optLen = (options.length + 3) & ~3;
        byte[] payload = data.consumeBytes(data.consumeInt(0, 1200));
        int headerLen = 20 + optLen;
        ByteBuffer b = ByteBuffer.allocate(headerLen + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        int dataOffset = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 15) : headerLen / 4;
        b.putShort((short) (dataOffset << 12 | flags)).putShort((short) window).putInt(0);
        b.put(options).position(headerLen);
        b.put(payload).flip();
        long sum = InternetChecksum.pseudoHeader(RawPeer.PEER.getAddress(), RawPeer.STACK.getAddress(),
                TcpConstants.PROTOCOL, b.remaining());
        int checksum = InternetChecksum.finish(InternetChecksum.add(sum, b, 0, b.remaining()));
        b.putShort(16, (short) (data.consumeInt(0, 31) == 0 ? checksum ^ 1 : checksum));
        return b;
    }

    /** The application's side: accept, read, write, half-close, close, abort. */
    private static void application(FuzzedDataProvider data, TcpListener listener, List<TcpConnection> conns) {
        TcpConnection accepted = listener.accept();
        if (accepted != null) {
            conns.add(accepted);
        }
        TcpConnection c = conns.get(data.consumeInt(0, conns.size() - 1));
        try {
            switch (data.consumeInt(0, 4)) {
                case 0 -> c.read(new byte[2048], 0, data.consumeInt(0, 2048));
                case 1 -> {
                    byte[] b = new byte[data.consumeInt(0, 8000)];
                    c.write(b, 0, b.length);
                }
                case 2 -> c.shutdownOutput();
                case 3 -> c.close();
                default -> c.abort();
            }
        } catch (IOException refused) {
            // reset, timed out or shut down: the documented answers of the socket API
        }
    }

    private static void parseRaw(byte[] raw) {
        TcpSegment s = new TcpSegment();
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (!s.parse(b)) {
            return;
        }
        assertTrue(s.headerLen >= TcpConstants.HEADER_LEN && s.headerLen <= raw.length);
        assertEquals(raw.length, s.payloadPos + s.payloadLen);
        assertTrue(s.mss >= -1 && s.mss <= 65535);
        assertTrue(s.wscale >= -1 && s.wscale <= TcpConstants.MAX_WSCALE);
    }

    /** Every segment the layer sent parses (Captured checks) and its checksum verifies. */
    private static void drain(RawPeer p) {
        Captured c;
        while ((c = p.out.poll()) != null) {
            ByteBuffer raw = ByteBuffer.wrap(c.raw);
            long sum = InternetChecksum.pseudoHeader(c.src.getAddress(), c.dst.getAddress(), TcpConstants.PROTOCOL,
                    c.raw.length);
            assertEquals(0, InternetChecksum.finish(InternetChecksum.add(sum, raw, 0, c.raw.length)),
                    "checksum of " + c + ": " + HexFormat.of().formatHex(c.raw));
        }
    }

    /**
     * Seeds as the script encodes them, written with the provider's layout: the handshake on
     * the listener, data both ways and a close; the active open answered; junk options.
     */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        Script listen = new Script();
        listen.segment(0, PEER_ISS, 0, TcpConstants.FLAG_SYN, new byte[] {2, 4, 5, (byte) 0xb4, 1, 3, 3, 7}, 0);
        listen.segment(0, PEER_ISS + 1, ISS + 1, TcpConstants.FLAG_ACK, new byte[0], 0);
        listen.segment(0, PEER_ISS + 1, ISS + 1, TcpConstants.FLAG_ACK | TcpConstants.FLAG_PSH, new byte[0], 300);
        listen.app(1, 0, 0); // read on the accepted connection
        listen.app(1, 1, 3000); // write
        listen.time(TimeUnit.MILLISECONDS.toNanos(250));
        listen.segment(0, PEER_ISS + 301, ISS + 1001, TcpConstants.FLAG_ACK | TcpConstants.FLAG_FIN, new byte[0], 0);
        listen.app(1, 3, 0); // close
        seeds.put("listen-handshake-data-close", listen.bytes());
        Script active = new Script();
        active.segment(1, PEER_ISS, ISS + 1, TcpConstants.FLAG_SYN | TcpConstants.FLAG_ACK, new byte[] {2, 4, 2, 0}, 0);
        active.app(0, 1, 5000);
        active.time(TimeUnit.SECONDS.toNanos(3));
        active.segment(1, PEER_ISS + 1, ISS + 537, TcpConstants.FLAG_ACK, new byte[0], 0);
        active.segment(1, PEER_ISS + 1, 0, TcpConstants.FLAG_RST, new byte[0], 0);
        seeds.put("active-open-send-reset", active.bytes());
        Script junk = new Script();
        junk.segment(0, PEER_ISS, 0, TcpConstants.FLAG_SYN, new byte[] {2, 1, 1, 0, 3, 0, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8,
                9, 10, 0}, 0);
        seeds.put("listen-junk-options", junk.bytes());
        return seeds;
    }

    /**
     * Writes a script in the byte layout {@link FuzzedDataProvider} reads: integers and booleans
     * from the end of the input, byte arrays from the front.
     */
    private static final class Script {
        private final ByteArrayOutputStream front = new ByteArrayOutputStream();
        private final List<byte[]> back = new ArrayList<>(); // in consumption order

        void segment(int flow, int seq, int ack, int flags, byte[] options, int payload) {
            choice(0, 0, 5);
            choice(flow, 0, 2);
            bool(true);
            choice(seq - PEER_ISS, -70_000, 70_000);
            bool(true);
            choice(ack - ISS, -70_000, 70_000);
            choice(flags, 0, 0xFF);
            choice(65535, 0, 65535);
            choice(options.length, 0, 40);
            front.writeBytes(options);
            choice(payload, 0, 1200);
            front.writeBytes(new byte[payload]);
            choice(1, 0, 15); // keep the data offset
            choice(1, 0, 31); // keep the checksum
            bool(false); // not from the tunnel: checksum verified
        }

        void time(long nanos) {
            choice(3, 0, 5);
            choiceLong(nanos, 0, TimeUnit.SECONDS.toNanos(200));
        }

        void app(int conn, int op, int size) {
            choice(4, 0, 5);
            choice(conn, 0, conn); // the script has conn + 1 connections by then
            choice(op, 0, 4);
            if (op == 0) {
                choice(size, 0, 2048);
            } else if (op == 1) {
                choice(size, 0, 8000);
            }
        }

        private void bool(boolean v) {
            back.add(new byte[] {(byte) (v ? 1 : 0)});
        }

        /** consumeInt(min, max) reads as few big-endian bytes from the end as the range needs. */
        private void choice(int v, int min, int max) {
            choiceLong(v, min, max);
        }

        private void choiceLong(long v, long min, long max) {
            long range = max - min;
            long off = v - min;
            int n = 0;
            while (n < 8 && (range >>> (8 * n)) > 0) {
                n++;
            }
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (off >>> (8 * i));
            }
            back.add(b);
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(front.toByteArray());
            for (int i = back.size() - 1; i >= 0; i--) {
                out.writeBytes(back.get(i));
            }
            return out.toByteArray();
        }
    }

    @Test
    void seedCorpusIsCommitted() {
        SeedCorpus.check(TcpSegmentFuzzTest.class, "segments", seeds());
    }
}
