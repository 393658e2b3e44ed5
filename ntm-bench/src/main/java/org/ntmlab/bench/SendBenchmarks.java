package org.ntmlab.bench;

import static org.ntmlab.bench.Fixture.BATCH;
import static org.ntmlab.bench.Fixture.FLAGS;
import static org.ntmlab.bench.Fixture.LOCAL_PORT;
import static org.ntmlab.bench.Fixture.PEER_PORT;
import static org.ntmlab.bench.Fixture.PEER_V4;
import static org.ntmlab.bench.Fixture.TUNNEL_ID;
import static org.ntmlab.bench.Fixture.TYPE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.stack.VirtualStack;
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
 * Send side of the paper's Table 2, one 1,024-byte UDP payload per operation. Every method
 * returns a value that depends on its work, so JMH cannot drop it, and so the smoke test
 * can check it without a Blackhole. {@link #seal} and {@link #pipeline} run once per cipher
 * suite (JMH parameter {@code suite}); Table2Report names them sealCbc / sealGcm /
 * sealChaCha and pipelineCbc / pipelineGcm / pipelineChaCha.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendBenchmarks {

    /** Everything that needs no socket. */
    @State(Scope.Thread)
    public static class Local {
        VirtualStack stack;
        ByteBuffer payload;
        int lastInnerLength;
        ByteBuffer inner;
        ByteBuffer out;
        ByteBuffer cipherText;
        ByteBuffer tag;
        byte[] header;
        CbcHmacParts parts;
        long counter;

        @Setup(Level.Trial)
        public void setup() {
            stack = new VirtualStack(ip -> lastInnerLength = ip.remaining());
            stack.setAddresses(Fixture.LOCAL_V4, null);
            payload = Fixture.payload();
            inner = Fixture.innerPacket(Fixture.LOCAL_V4, PEER_V4, LOCAL_PORT, PEER_PORT);
            out = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            parts = new CbcHmacParts(Fixture.secret(), Fixture.LABEL);
            // a real sealed message supplies the header and ciphertext the MAC benchmark hashes
            ByteBuffer msg = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner);
            header = new byte[NtmHeader.LENGTH];
            msg.get(0, header);
            cipherText = msg.duplicate();
            cipherText.limit(msg.limit() - CipherSuite.TAG_LENGTH).position(NtmHeader.LENGTH);
            cipherText = cipherText.slice();
            tag = ByteBuffer.allocateDirect(CipherSuite.TAG_LENGTH);
        }
    }

    /** Virtual IP: build the IPv4 header, UDP header and checksum around the payload (paper: 1,250 us). */
    @Benchmark
    public int virtualIp(Local s) {
        s.payload.clear();
        s.stack.sendUdp(LOCAL_PORT, PEER_V4, PEER_PORT, s.payload);
        return s.lastInnerLength;
    }

    /** Encryption: IV derivation + AES-128-CBC-PKCS5 of the 1,052-byte inner packet (paper: 1,227 us). */
    @Benchmark
    public int encryptCbc(Local s) {
        s.inner.clear();
        s.out.clear().position(NtmHeader.LENGTH);
        return s.parts.encrypt(++s.counter, s.inner, s.out);
    }

    /** MAC: HMAC-SHA-256 over header + 1,056-byte ciphertext, 16-byte tag written (paper: 106 us). */
    @Benchmark
    public int macCbc(Local s) {
        s.cipherText.clear();
        s.tag.clear();
        s.parts.sign(s.header, s.cipherText, s.tag);
        return s.tag.get(0);
    }

    /** One sending key of each cipher suite: the JMH parameter {@code suite}. */
    @State(Scope.Thread)
    public static class Sealing {
        @Param({"AES_128_CBC_HMAC_SHA256", "AES_128_GCM", "CHACHA20_POLY1305"})
        public CipherSuite suite;
        TrafficKey key;
        ByteBuffer inner;
        ByteBuffer out;

        @Setup(Level.Trial)
        public void setup() {
            key = Fixture.key(suite);
            inner = Fixture.innerPacket(Fixture.LOCAL_V4, PEER_V4, LOCAL_PORT, PEER_PORT);
            out = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        }
    }

    /**
     * TrafficKey.seal whole, per suite: header + encryption + MAC (CBC), or one AEAD pass
     * (AES-GCM through javax.crypto, ChaCha20-Poly1305 in our own code).
     */
    @Benchmark
    public int seal(Sealing s) {
        s.inner.clear();
        s.out.clear();
        return s.key.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    /** Kernel sockets, sending to a loopback socket drained between batches. */
    abstract static class WireBase {
        KernelPair pair;
        ByteBuffer payload;
        ByteBuffer tx;
        int sent;

        void open() throws IOException {
            pair = new KernelPair(true);
            payload = Fixture.payload();
            tx = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        }

        /** What node.TunnelSend does for an UP tunnel: seal into one reused buffer, send. */
        VirtualStack pipeline(TrafficKey key) {
            VirtualStack stack = new VirtualStack(ip -> {
                tx.clear();
                key.seal(tx, TYPE, FLAGS, TUNNEL_ID, ip);
                tx.flip();
                try {
                    sent += pair.sender.send(tx, pair.receiverAddress);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            stack.setAddresses(Fixture.LOCAL_V4, null);
            return stack;
        }

        void close() throws IOException {
            if (pair.missing != 0) {
                System.out.println("WARNING: " + pair.missing + " datagrams lost on loopback");
            }
            pair.close();
        }
    }

    /** For {@link #kernelSend}: one sealed datagram, sent again and again. */
    @State(Scope.Thread)
    public static class Wire extends WireBase {
        ByteBuffer datagram;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            open();
            ByteBuffer inner = Fixture.innerPacket(Fixture.LOCAL_V4, PEER_V4, LOCAL_PORT, PEER_PORT);
            datagram = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner);
        }

        @TearDown(Level.Invocation)
        public void drain() throws IOException {
            pair.drain(BATCH);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }
    }

    /** For {@link #pipeline}: the virtual stack sealing with a key of the JMH parameter {@code suite}. */
    @State(Scope.Thread)
    public static class SuiteWire extends WireBase {
        @Param({"AES_128_CBC_HMAC_SHA256", "AES_128_GCM", "CHACHA20_POLY1305"})
        public CipherSuite suite;
        VirtualStack stack;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            open();
            stack = pipeline(Fixture.key(suite));
        }

        @TearDown(Level.Invocation)
        public void drain() throws IOException {
            pair.drain(BATCH);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }
    }

    /** Kernel: DatagramChannel.send of the 1,092-byte sealed datagram to loopback (paper: 160 us). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int kernelSend(Wire w) throws IOException {
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            w.datagram.clear();
            n += w.pair.sender.send(w.datagram, w.pair.receiverAddress);
        }
        return n;
    }

    /**
     * Whole send path, per suite: sendUdp -> seal -> send (paper total, CBC+HMAC: 3,116 us).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pipeline(SuiteWire w) {
        for (int i = 0; i < BATCH; i++) {
            w.payload.clear();
            w.stack.sendUdp(LOCAL_PORT, PEER_V4, PEER_PORT, w.payload);
        }
        return w.sent;
    }
}
