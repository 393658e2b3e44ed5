package org.ntmlab.bench;

import static org.ntmlab.bench.Fixture.FLAGS;
import static org.ntmlab.bench.Fixture.TUNNEL_ID;
import static org.ntmlab.bench.Fixture.TYPE;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What-if: TrafficKey.seal/open exactly as in the Table 2 benchmarks, but with heap
 * (array-backed) buffers instead of the direct buffers ntm-impl uses today. The JDK's
 * Cipher and Mac copy direct buffers through temporary heap arrays; with heap buffers they
 * work on the arrays in place. Not part of Table2Report's default run ({@code --what-if} adds it).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeapBufferBenchmarks {

    @State(Scope.Thread)
    public static class Heap {
        ByteBuffer inner;
        ByteBuffer out;
        ByteBuffer plain;
        TrafficKey cbcKey;
        TrafficKey gcmKey;
        OpenRing cbcRing;
        OpenRing gcmRing;

        @Setup(Level.Trial)
        public void setup() {
            ByteBuffer direct = Fixture.innerPacket(Fixture.LOCAL_V4, Fixture.PEER_V4, Fixture.LOCAL_PORT,
                    Fixture.PEER_PORT);
            inner = ByteBuffer.allocate(direct.remaining()).put(direct).flip();
            out = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
            plain = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
            cbcKey = Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256);
            gcmKey = Fixture.key(CipherSuite.AES_128_GCM);
            ByteBuffer fromPeer = ReceiveBenchmarks.innerFromPeer();
            cbcRing = new OpenRing(CipherSuite.AES_128_CBC_HMAC_SHA256, fromPeer, ReceiveBenchmarks.RING,
                    ReceiveBenchmarks.POOL, true);
            gcmRing = new OpenRing(CipherSuite.AES_128_GCM, fromPeer, ReceiveBenchmarks.RING,
                    ReceiveBenchmarks.POOL, true);
        }
    }

    @Benchmark
    public int sealCbcHeap(Heap s) {
        s.inner.clear();
        s.out.clear();
        return s.cbcKey.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    @Benchmark
    public int sealGcmHeap(Heap s) {
        s.inner.clear();
        s.out.clear();
        return s.gcmKey.seal(s.out, TYPE, FLAGS, TUNNEL_ID, s.inner);
    }

    @Benchmark
    public TrafficKey.Result openCbcHeap(Heap s) {
        return open(s.cbcRing, s.plain);
    }

    @Benchmark
    public TrafficKey.Result openGcmHeap(Heap s) {
        return open(s.gcmRing, s.plain);
    }

    private static TrafficKey.Result open(OpenRing ring, ByteBuffer plain) {
        plain.clear();
        TrafficKey.Result r = ring.key().open(ring.packet(), plain);
        ring.advance();
        return r;
    }
}
