package org.ntmlab.bench;

import static org.ntmlab.bench.Fixture.FLAGS;
import static org.ntmlab.bench.Fixture.TUNNEL_ID;
import static org.ntmlab.bench.Fixture.TYPE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
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
 * What-if: TrafficKey.seal/open exactly as in the Table 2 benchmarks, but with heap
 * (array-backed) buffers instead of the direct buffers ntm-impl uses today. The JDK's
 * Cipher and Mac copy direct buffers through temporary heap arrays; with heap buffers they
 * work on the arrays in place. Not part of Table2Report's default run ({@code --what-if} adds it).
 * {@link #sealHeap} and {@link #openHeap} run once per cipher suite (JMH parameter
 * {@code suite}); Table2Report names them sealCbcHeap, sealGcmHeap, sealChaChaHeap, ...
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeapBufferBenchmarks {

    @State(Scope.Thread)
    public static class Heap {
        @Param({"AES_128_CBC_HMAC_SHA256", "AES_128_GCM", "CHACHA20_POLY1305"})
        public CipherSuite suite;
        /** Fresh keys made before timing; a test may lower it. */
        int poolSize = ReceiveBenchmarks.POOL;
        ByteBuffer inner;
        ByteBuffer out;
        ByteBuffer plain;
        TrafficKey key;
        OpenRing ring;

        @Setup(Level.Trial)
        public void setup() {
            ByteBuffer direct = Fixture.innerPacket(Fixture.LOCAL_V4, Fixture.PEER_V4, Fixture.LOCAL_PORT,
                    Fixture.PEER_PORT);
            inner = ByteBuffer.allocate(direct.remaining()).put(direct).flip();
            out = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
            plain = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
            key = Fixture.key(suite);
            ring = new OpenRing(suite, ReceiveBenchmarks.innerFromPeer(), ReceiveBenchmarks.RING, poolSize, true);
        }
    }

    @Benchmark
    public int sealHeap(Heap s) {
        s.inner.clear();
        s.out.clear();
        return s.key.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    @Benchmark
    public TrafficKey.Result openHeap(Heap s) {
        return ReceiveBenchmarks.openNext(s.ring, s.plain);
    }

    /** Kernel send from a heap buffer: the JDK copies it into a cached per-thread direct buffer first. */
    @State(Scope.Thread)
    public static class HeapSendWire {
        KernelPair pair;
        ByteBuffer datagram;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            pair = new KernelPair(true);
            ByteBuffer inner = Fixture.innerPacket(Fixture.LOCAL_V4, Fixture.PEER_V4, Fixture.LOCAL_PORT,
                    Fixture.PEER_PORT);
            ByteBuffer d = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner);
            datagram = ByteBuffer.allocate(d.remaining()).put(d).flip();
        }

        @TearDown(Level.Invocation)
        public void drain() throws IOException {
            pair.drain(Fixture.BATCH);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            pair.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(Fixture.BATCH)
    public int kernelSendHeap(HeapSendWire w) throws IOException {
        int n = 0;
        for (int i = 0; i < Fixture.BATCH; i++) {
            w.datagram.clear();
            n += w.pair.sender.send(w.datagram, w.pair.receiverAddress);
        }
        return n;
    }

    /** Kernel receive into a heap buffer (through the JDK's cached direct buffer). */
    @State(Scope.Thread)
    public static class HeapReceiveWire {
        KernelPair pair;
        ByteBuffer datagram;
        ByteBuffer rx;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            pair = new KernelPair(false);
            datagram = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256),
                    ReceiveBenchmarks.innerFromPeer());
            rx = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
        }

        @Setup(Level.Invocation)
        public void fill() throws IOException {
            for (int i = 0; i < Fixture.BATCH; i++) {
                datagram.clear();
                pair.sender.send(datagram, pair.receiverAddress);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            pair.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(Fixture.BATCH)
    public int kernelReceiveHeap(HeapReceiveWire w) throws IOException {
        int n = 0;
        for (int i = 0; i < Fixture.BATCH; i++) {
            w.rx.clear();
            n += w.pair.receiver.receive(w.rx) == null ? 0 : w.rx.position();
        }
        return n;
    }
}
