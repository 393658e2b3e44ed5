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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Send side of the paper's Table 2, one 1,024-byte UDP payload per operation. Every method
 * returns a value that depends on its work, so JMH cannot drop it, and so the smoke test
 * can check it without a Blackhole.
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
        TrafficKey cbcKey;
        TrafficKey gcmKey;
        CbcHmacParts parts;
        long counter;

        @Setup(Level.Trial)
        public void setup() {
            stack = new VirtualStack(ip -> lastInnerLength = ip.remaining());
            stack.setAddresses(Fixture.LOCAL_V4, null);
            payload = Fixture.payload();
            inner = Fixture.innerPacket(Fixture.LOCAL_V4, PEER_V4, LOCAL_PORT, PEER_PORT);
            out = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            cbcKey = Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256);
            gcmKey = Fixture.key(CipherSuite.AES_128_GCM);
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

    /** TrafficKey.seal whole, paper-compatible suite: header + encryption + MAC. */
    @Benchmark
    public int sealCbc(Local s) {
        s.inner.clear();
        s.out.clear();
        return s.cbcKey.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    /** TrafficKey.seal whole, default suite (AES-128-GCM). */
    @Benchmark
    public int sealGcm(Local s) {
        s.inner.clear();
        s.out.clear();
        return s.gcmKey.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    /** Kernel sockets plus the full pipeline, sending to a loopback socket drained between batches. */
    @State(Scope.Thread)
    public static class Wire {
        KernelPair pair;
        ByteBuffer datagram;
        ByteBuffer payload;
        ByteBuffer tx;
        VirtualStack cbcStack;
        VirtualStack gcmStack;
        int sent;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            pair = new KernelPair(true);
            ByteBuffer inner = Fixture.innerPacket(Fixture.LOCAL_V4, PEER_V4, LOCAL_PORT, PEER_PORT);
            datagram = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner);
            payload = Fixture.payload();
            tx = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            cbcStack = pipeline(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256));
            gcmStack = pipeline(Fixture.key(CipherSuite.AES_128_GCM));
        }

        /** What NtmNode.sendInner does for an UP tunnel: seal into one reused buffer, send. */
        private VirtualStack pipeline(TrafficKey key) {
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

        @TearDown(Level.Invocation)
        public void drain() throws IOException {
            pair.drain(BATCH);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            if (pair.missing != 0) {
                System.out.println("WARNING: " + pair.missing + " datagrams lost on loopback");
            }
            pair.close();
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

    /** Whole send path, paper-compatible suite: sendUdp -> seal (CBC+HMAC) -> send (paper total: 3,116 us). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pipelineCbc(Wire w) {
        for (int i = 0; i < BATCH; i++) {
            w.payload.clear();
            w.cbcStack.sendUdp(LOCAL_PORT, PEER_V4, PEER_PORT, w.payload);
        }
        return w.sent;
    }

    /** Whole send path, default suite: sendUdp -> seal (AES-GCM) -> send. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pipelineGcm(Wire w) {
        for (int i = 0; i < BATCH; i++) {
            w.payload.clear();
            w.gcmStack.sendUdp(LOCAL_PORT, PEER_V4, PEER_PORT, w.payload);
        }
        return w.sent;
    }
}
