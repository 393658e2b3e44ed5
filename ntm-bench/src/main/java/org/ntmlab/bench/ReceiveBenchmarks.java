package org.ntmlab.bench;

import static org.ntmlab.bench.Fixture.BATCH;
import static org.ntmlab.bench.Fixture.LOCAL_PORT;
import static org.ntmlab.bench.Fixture.LOCAL_V4;
import static org.ntmlab.bench.Fixture.PEER_PORT;
import static org.ntmlab.bench.Fixture.PEER_V4;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.stack.VirtualStack;
import org.ntmlab.ntm.wire.MessageType;
import org.ntmlab.ntm.wire.NtmHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Receive side of the paper's Table 2: the node gets one sealed DATA message carrying a
 * 1,024-byte UDP payload addressed to its virtual IPv4 address and a bound virtual port.
 * {@link #open} and {@link #pipeline} run once per cipher suite (JMH parameter
 * {@code suite}); Table2Report names them openCbc / openGcm / openChaCha and pipelineCbc /
 * pipelineGcm / pipelineChaCha.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReceiveBenchmarks {

    /**
     * Sealed packets per ring (4,096 x ~1.1 KB: in L3, not L1 as a just-received packet
     * would be) and fresh receive keys per pool (see {@link OpenRing}): enough for 8 million
     * opens, more than Table2Report's runs make at the measured speeds.
     */
    static final int RING = 4096;
    static final int POOL = 2000;
    /** The pipelines run about 10x fewer packets per second than open() alone. */
    static final int WIRE_POOL = 300;

    /** The receiving node's virtual stack with an application bound on the payload's port. */
    static VirtualStack receivingStack(long[] delivered) {
        VirtualStack stack = new VirtualStack(ip -> {
            throw new IllegalStateException("receive benchmarks send nothing");
        });
        stack.setAddresses(LOCAL_V4, null);
        stack.bindUdp(LOCAL_PORT, (src, srcPort, dst, payload) -> delivered[0] += payload.remaining());
        return stack;
    }

    /** The inner packet the peer sends us: 100.64.0.2:5001 -> 100.64.0.1:40000. */
    static ByteBuffer innerFromPeer() {
        return Fixture.innerPacket(PEER_V4, LOCAL_V4, PEER_PORT, LOCAL_PORT);
    }

    @State(Scope.Thread)
    public static class Local {
        VirtualStack stack;
        final long[] delivered = new long[1];
        ByteBuffer inner;
        ByteBuffer plain;
        CbcHmacParts parts;
        ByteBuffer message;
        ByteBuffer cipherText;
        byte[] header;
        long counter;
        int tagAt;

        @Setup(Level.Trial)
        public void setup() {
            stack = receivingStack(delivered);
            inner = innerFromPeer();
            plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            parts = new CbcHmacParts(Fixture.secret(), Fixture.LABEL);
            message = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner);
            header = new byte[NtmHeader.LENGTH];
            message.get(0, header);
            counter = NtmHeader.counter(message, 0);
            tagAt = message.limit() - CipherSuite.TAG_LENGTH;
            cipherText = message.duplicate();
            cipherText.limit(tagAt).position(NtmHeader.LENGTH);
            cipherText = cipherText.slice();
        }
    }

    /** Virtual IP: IPv4 header checks and checksum, UDP checksum, port lookup, delivery (paper: 1,020 us). */
    @Benchmark
    public long virtualIp(Local s) {
        s.inner.clear();
        s.stack.input(s.inner);
        return s.delivered[0];
    }

    /** Decryption: IV derivation + AES-128-CBC decryption and padding check of 1,056 bytes (paper: 1,117 us). */
    @Benchmark
    public int decryptCbc(Local s) {
        s.cipherText.clear();
        s.plain.clear();
        return s.parts.decrypt(s.counter, s.cipherText, s.plain);
    }

    /** MAC verify: HMAC-SHA-256 over header + ciphertext, constant-time tag compare (paper: 92 us). */
    @Benchmark
    public boolean macVerifyCbc(Local s) {
        s.cipherText.clear();
        return s.parts.verify(s.header, s.cipherText, s.message, s.tagAt);
    }

    /** Fresh sealed packets for open(): see {@link OpenRing}. */
    abstract static class Ring {
        /** Fresh keys made before timing; a test may lower it. */
        int poolSize = POOL;
        OpenRing ring;
        ByteBuffer plain;

        void make(CipherSuite suite) {
            ring = new OpenRing(suite, innerFromPeer(), RING, poolSize);
            plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        }

        void report() {
            if (ring.lateKeys != 0) {
                System.out.println("NOTE: key pool ran out; " + ring.lateKeys
                        + " keys derived inside timed code (each amortised over " + RING + " opens)");
            }
        }
    }

    /** The ring of the JMH parameter {@code suite}. */
    @State(Scope.Thread)
    public static class SuiteRing extends Ring {
        @Param({"AES_128_CBC_HMAC_SHA256", "AES_128_GCM", "CHACHA20_POLY1305"})
        public CipherSuite suite;

        @Setup(Level.Trial)
        public void setup() {
            make(suite);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            report();
        }
    }

    /**
     * TrafficKey.open whole, per suite: replay check + MAC verify + decryption (CBC), or one
     * AEAD pass (AES-GCM through javax.crypto, ChaCha20-Poly1305 in our own code).
     */
    @Benchmark
    public TrafficKey.Result open(SuiteRing r) {
        return openNext(r.ring, r.plain);
    }

    static TrafficKey.Result openNext(OpenRing ring, ByteBuffer plain) {
        plain.clear();
        TrafficKey.Result res = ring.key().open(ring.packet(), plain);
        ring.advance();
        return res;
    }

    /** Kernel sockets: the peer's socket sends, ours receives, as KernelNetwork's read loop does. */
    abstract static class WireBase {
        KernelPair pair;
        ByteBuffer rx;
        ByteBuffer plain;
        VirtualStack stack;
        final long[] delivered = new long[1];

        void open() throws IOException {
            pair = new KernelPair(false);
            rx = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            stack = receivingStack(delivered);
        }

        void close() throws IOException {
            pair.close();
        }
    }

    /** Before each batch (untimed) the same sealed datagram is queued {@link Fixture#BATCH} times. */
    @State(Scope.Thread)
    public static class KernelWire extends WireBase {
        ByteBuffer datagram;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            open();
            datagram = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), innerFromPeer());
        }

        @Setup(Level.Invocation)
        public void fill() throws IOException {
            for (int i = 0; i < BATCH; i++) {
                datagram.clear();
                pair.sender.send(datagram, pair.receiverAddress);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }
    }

    /**
     * Before each batch (untimed) the next {@link Fixture#BATCH} packets of an {@link OpenRing}
     * are queued; {@link #batchKey} is the receive key that has not seen them. The ring length
     * is a multiple of the batch, so a batch never straddles two keys.
     */
    abstract static class RingWire extends WireBase {
        int poolSize = WIRE_POOL;
        OpenRing ring;
        TrafficKey batchKey;

        void open(CipherSuite suite) throws IOException {
            open();
            ring = new OpenRing(suite, innerFromPeer(), RING, poolSize);
        }

        void fillBatch() throws IOException {
            batchKey = ring.key();
            for (int i = 0; i < BATCH; i++) {
                pair.sender.send(ring.packet(), pair.receiverAddress);
                ring.advance();
            }
        }
    }

    /** The ring wire of the JMH parameter {@code suite}. */
    @State(Scope.Thread)
    public static class SuiteWire extends RingWire {
        @Param({"AES_128_CBC_HMAC_SHA256", "AES_128_GCM", "CHACHA20_POLY1305"})
        public CipherSuite suite;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            open(suite);
        }

        @Setup(Level.Invocation)
        public void fill() throws IOException {
            fillBatch();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }
    }

    /** Kernel: DatagramChannel.receive of the 1,092-byte datagram from loopback (paper: 226 us). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int kernelReceive(KernelWire w) throws IOException {
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            w.rx.clear();
            InetSocketAddress from = (InetSocketAddress) w.pair.receiver.receive(w.rx);
            n += from == null ? 0 : w.rx.position();
        }
        return n;
    }

    /** Whole receive path, per suite: receive -> open -> virtual IP (paper total, CBC+HMAC: 3,106 us). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long pipeline(SuiteWire w) throws IOException {
        return receiveBatch(w);
    }

    /**
     * What KernelNetwork's read loop and NtmNode.onDatagram and node.TunnelReceive do for DATA on an
     * UP tunnel: receive into one reused buffer, precheck the header, open, hand to the stack.
     */
    static long receiveBatch(RingWire w) throws IOException {
        TrafficKey key = w.batchKey;
        for (int i = 0; i < BATCH; i++) {
            w.rx.clear();
            if (w.pair.receiver.receive(w.rx) == null) {
                continue;
            }
            w.rx.flip();
            int at = w.rx.position();
            if (NtmHeader.precheck(w.rx, at, w.rx.remaining()) != null
                    || NtmHeader.type(w.rx, at) != MessageType.DATA || NtmHeader.id(w.rx, at) != Fixture.TUNNEL_ID) {
                continue;
            }
            w.plain.clear();
            if (key.open(w.rx, w.plain) == TrafficKey.Result.OK) {
                w.plain.flip();
                w.stack.input(w.plain);
            }
        }
        return w.delivered[0];
    }
}
