package org.ntmlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.wire.NtmHeader;

/**
 * Each benchmark method, run a few times outside JMH: it must do the work it claims
 * (bytes round-trip, open() says OK, datagrams arrive). No timing is asserted here.
 */
class BenchmarksSmokeTest {

    private static final int CBC_DATAGRAM = NtmHeader.LENGTH + 1056 + CipherSuite.TAG_LENGTH; // 1,052 padded to 1,056
    private static final int GCM_DATAGRAM = NtmHeader.LENGTH + Fixture.INNER + CipherSuite.TAG_LENGTH;

    @Test
    void sendSideMethodsDoTheirWork() {
        SendBenchmarks b = new SendBenchmarks();
        SendBenchmarks.Local s = new SendBenchmarks.Local();
        s.setup();
        for (int i = 0; i < 3; i++) {
            assertThat(b.virtualIp(s)).isEqualTo(Fixture.INNER);
            assertThat(b.encryptCbc(s)).isEqualTo(1056);
            b.macCbc(s);
            assertThat(b.sealCbc(s)).isEqualTo(CBC_DATAGRAM);
            assertThat(b.sealGcm(s)).isEqualTo(GCM_DATAGRAM);
        }
    }

    @Test
    void encryptionPlusMacGiveExactlyWhatSealGives() {
        ByteBuffer inner = Fixture.innerPacket(Fixture.LOCAL_V4, Fixture.PEER_V4, 1, 2);
        ByteBuffer sealed = Fixture.sealed(Fixture.key(CipherSuite.AES_128_CBC_HMAC_SHA256), inner); // counter 1

        CbcHmacParts parts = new CbcHmacParts(Fixture.secret(), Fixture.LABEL);
        ByteBuffer out = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        byte[] header = new byte[NtmHeader.LENGTH];
        sealed.get(0, header);
        out.put(header);
        parts.encrypt(1, inner.duplicate(), out);
        ByteBuffer ct = out.duplicate().flip().position(NtmHeader.LENGTH);
        parts.sign(header, ct, out);
        out.flip();

        assertThat(out).isEqualTo(sealed);
        ByteBuffer cipherText = sealed.duplicate().limit(sealed.limit() - 16).position(NtmHeader.LENGTH);
        assertThat(parts.verify(header, cipherText.duplicate(), sealed, sealed.limit() - 16)).isTrue();
        ByteBuffer plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        parts.decrypt(1, cipherText.duplicate(), plain);
        assertThat(plain.flip()).isEqualTo(inner.duplicate().clear());
    }

    @Test
    void sendPipelinesPutEverySealedDatagramOnTheWire() throws Exception {
        SendBenchmarks b = new SendBenchmarks();
        SendBenchmarks.Wire w = new SendBenchmarks.Wire();
        w.setup();
        try {
            assertThat(b.kernelSend(w)).isEqualTo(Fixture.BATCH * CBC_DATAGRAM);
            w.drain();
            assertThat(b.pipelineCbc(w)).isEqualTo(Fixture.BATCH * CBC_DATAGRAM);
            w.drain();
            // the GCM datagrams are real: a peer's receive key opens every one of them
            TrafficKey peer = Fixture.key(CipherSuite.AES_128_GCM);
            b.pipelineGcm(w);
            ByteBuffer rx = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            ByteBuffer plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
            for (int i = 0; i < Fixture.BATCH; i++) {
                rx.clear();
                assertThat(w.pair.receiver.read(rx)).isEqualTo(GCM_DATAGRAM);
                plain.clear();
                assertThat(peer.open(rx.flip(), plain)).isEqualTo(TrafficKey.Result.OK);
                assertThat(plain.flip().remaining()).isEqualTo(Fixture.INNER);
            }
            assertThat(w.pair.missing).isZero();
        } finally {
            w.close();
        }
    }

    @Test
    void receiveSideMethodsDoTheirWork() {
        ReceiveBenchmarks b = new ReceiveBenchmarks();
        ReceiveBenchmarks.Local s = new ReceiveBenchmarks.Local();
        s.setup();
        for (int i = 1; i <= 3; i++) {
            assertThat(b.virtualIp(s)).isEqualTo(i * (long) Fixture.PAYLOAD);
            assertThat(b.decryptCbc(s)).isEqualTo(Fixture.INNER);
            assertThat(s.plain.flip()).isEqualTo(s.inner.duplicate().clear());
            assertThat(b.macVerifyCbc(s)).isTrue();
        }
    }

    @Test
    void openRingsStayFreshAcrossKeyChanges() {
        ByteBuffer inner = ReceiveBenchmarks.innerFromPeer();
        ByteBuffer plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
        for (CipherSuite suite : CipherSuite.values()) {
            OpenRing ring = new OpenRing(suite, inner, 8, 2);
            for (int i = 0; i < 8 * 2 + 1; i++) { // two pool keys, then one derived late
                plain.clear();
                assertThat(ring.key().open(ring.packet(), plain)).isEqualTo(TrafficKey.Result.OK);
                assertThat(plain.flip()).isEqualTo(inner.duplicate().clear());
                ring.advance();
            }
            assertThat(ring.lateKeys).isEqualTo(1);
        }
    }

    @Test
    void benchmarkOpenMethodsSayOk() {
        ReceiveBenchmarks b = new ReceiveBenchmarks();
        ReceiveBenchmarks.CbcRing cbc = new ReceiveBenchmarks.CbcRing();
        ReceiveBenchmarks.GcmRing gcm = new ReceiveBenchmarks.GcmRing();
        cbc.poolSize = 2;
        gcm.poolSize = 2;
        cbc.setup();
        gcm.setup();
        for (int i = 0; i < ReceiveBenchmarks.RING + 3; i++) { // crosses one key change
            assertThat(b.openCbc(cbc)).isEqualTo(TrafficKey.Result.OK);
            assertThat(b.openGcm(gcm)).isEqualTo(TrafficKey.Result.OK);
        }
    }

    @Test
    void receivePipelinesDeliverEveryPayload() throws Exception {
        ReceiveBenchmarks b = new ReceiveBenchmarks();
        ReceiveBenchmarks.KernelWire k = new ReceiveBenchmarks.KernelWire();
        k.setup();
        try {
            k.fill();
            assertThat(b.kernelReceive(k)).isEqualTo(Fixture.BATCH * CBC_DATAGRAM);
        } finally {
            k.tearDown();
        }
        ReceiveBenchmarks.CbcWire cbc = new ReceiveBenchmarks.CbcWire();
        ReceiveBenchmarks.GcmWire gcm = new ReceiveBenchmarks.GcmWire();
        cbc.poolSize = 3;
        gcm.poolSize = 3;
        cbc.setup();
        gcm.setup();
        try {
            int batches = 2 * ReceiveBenchmarks.RING / Fixture.BATCH + 1; // crosses two key changes
            for (int i = 1; i <= batches; i++) {
                cbc.fill();
                assertThat(b.pipelineCbc(cbc)).isEqualTo((long) i * Fixture.BATCH * Fixture.PAYLOAD);
                gcm.fill();
                assertThat(b.pipelineGcm(gcm)).isEqualTo((long) i * Fixture.BATCH * Fixture.PAYLOAD);
            }
        } finally {
            cbc.tearDown();
            gcm.tearDown();
        }
    }

    @Test
    void heapWhatIfMethodsDoTheSameWork() throws Exception {
        HeapBufferBenchmarks b = new HeapBufferBenchmarks();
        HeapBufferBenchmarks.Heap s = new HeapBufferBenchmarks.Heap();
        s.poolSize = 2;
        s.setup();
        for (int i = 0; i < ReceiveBenchmarks.RING + 3; i++) { // crosses one key change
            assertThat(b.openCbcHeap(s)).isEqualTo(TrafficKey.Result.OK);
            assertThat(b.openGcmHeap(s)).isEqualTo(TrafficKey.Result.OK);
        }
        assertThat(b.sealCbcHeap(s)).isEqualTo(CBC_DATAGRAM);
        assertThat(b.sealGcmHeap(s)).isEqualTo(GCM_DATAGRAM);

        HeapBufferBenchmarks.HeapSendWire send = new HeapBufferBenchmarks.HeapSendWire();
        send.setup();
        try {
            assertThat(b.kernelSendHeap(send)).isEqualTo(Fixture.BATCH * CBC_DATAGRAM);
            send.drain();
            assertThat(send.pair.missing).isZero();
        } finally {
            send.close();
        }
        HeapBufferBenchmarks.HeapReceiveWire receive = new HeapBufferBenchmarks.HeapReceiveWire();
        receive.setup();
        try {
            receive.fill();
            assertThat(b.kernelReceiveHeap(receive)).isEqualTo(Fixture.BATCH * CBC_DATAGRAM);
        } finally {
            receive.close();
        }
    }
}
