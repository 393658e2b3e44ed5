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

    /** Sealed datagram length of the fixture packet: CBC pads, the AEAD suites do not. */
    private static int datagram(CipherSuite suite) {
        return suite == CipherSuite.AES_128_CBC_HMAC_SHA256 ? CBC_DATAGRAM : GCM_DATAGRAM;
    }

    @Test
    void sendSideMethodsDoTheirWork() {
        SendBenchmarks b = new SendBenchmarks();
        SendBenchmarks.Local s = new SendBenchmarks.Local();
        s.setup();
        for (int i = 0; i < 3; i++) {
            assertThat(b.virtualIp(s)).isEqualTo(Fixture.INNER);
            assertThat(b.encryptCbc(s)).isEqualTo(1056);
            b.macCbc(s);
        }
        for (CipherSuite suite : CipherSuite.values()) {
            SendBenchmarks.Sealing k = new SendBenchmarks.Sealing();
            k.suite = suite;
            k.setup();
            TrafficKey peer = Fixture.key(suite);
            for (int i = 0; i < 3; i++) {
                assertThat(b.seal(k)).as(suite.name()).isEqualTo(datagram(suite));
                // a real message: the peer's key opens it
                ByteBuffer plain = ByteBuffer.allocate(Fixture.DATAGRAM_ROOM);
                assertThat(peer.open(k.out.flip(), plain)).isEqualTo(TrafficKey.Result.OK);
                assertThat(plain.flip()).isEqualTo(k.inner.duplicate().clear());
            }
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
            assertThat(w.pair.missing).isZero();
        } finally {
            w.tearDown();
        }
        for (CipherSuite suite : CipherSuite.values()) {
            SendBenchmarks.SuiteWire sw = new SendBenchmarks.SuiteWire();
            sw.suite = suite;
            sw.setup();
            try {
                assertThat(b.pipeline(sw)).as(suite.name()).isEqualTo(Fixture.BATCH * datagram(suite));
                sw.drain();
                // the datagrams are real: a peer's receive key opens every one of them (counters 33..64)
                TrafficKey peer = Fixture.key(suite);
                b.pipeline(sw);
                ByteBuffer rx = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
                ByteBuffer plain = ByteBuffer.allocateDirect(Fixture.DATAGRAM_ROOM);
                for (int i = 0; i < Fixture.BATCH; i++) {
                    rx.clear();
                    assertThat(sw.pair.receiver.read(rx)).isEqualTo(datagram(suite));
                    plain.clear();
                    assertThat(peer.open(rx.flip(), plain)).isEqualTo(TrafficKey.Result.OK);
                    assertThat(plain.flip().remaining()).isEqualTo(Fixture.INNER);
                }
                assertThat(sw.pair.missing).isZero();
            } finally {
                sw.tearDown();
            }
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
        for (CipherSuite suite : CipherSuite.values()) {
            ReceiveBenchmarks.SuiteRing r = new ReceiveBenchmarks.SuiteRing();
            r.suite = suite;
            r.poolSize = 2;
            r.setup();
            for (int i = 0; i < ReceiveBenchmarks.RING + 3; i++) { // crosses one key change
                assertThat(b.open(r)).as(suite.name()).isEqualTo(TrafficKey.Result.OK);
            }
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
        for (CipherSuite suite : CipherSuite.values()) {
            ReceiveBenchmarks.SuiteWire w = new ReceiveBenchmarks.SuiteWire();
            w.suite = suite;
            w.poolSize = 3;
            w.setup();
            try {
                int batches = 2 * ReceiveBenchmarks.RING / Fixture.BATCH + 1; // crosses two key changes
                for (int i = 1; i <= batches; i++) {
                    w.fill();
                    assertThat(b.pipeline(w)).as(suite.name()).isEqualTo((long) i * Fixture.BATCH * Fixture.PAYLOAD);
                }
            } finally {
                w.tearDown();
            }
        }
    }

    @Test
    void heapWhatIfMethodsDoTheSameWork() throws Exception {
        HeapBufferBenchmarks b = new HeapBufferBenchmarks();
        for (CipherSuite suite : CipherSuite.values()) {
            HeapBufferBenchmarks.Heap s = new HeapBufferBenchmarks.Heap();
            s.suite = suite;
            s.poolSize = 2;
            s.setup();
            for (int i = 0; i < ReceiveBenchmarks.RING + 3; i++) { // crosses one key change
                assertThat(b.openHeap(s)).as(suite.name()).isEqualTo(TrafficKey.Result.OK);
            }
            assertThat(b.sealHeap(s)).as(suite.name()).isEqualTo(datagram(suite));
        }

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

    /** Table2Report names per-suite results as before the suite parameter, and has a table per AEAD suite. */
    @Test
    void table2ReportHasATableForEverySuite() {
        assertThat(Table2Report.withSuite("seal", "AES_128_GCM")).isEqualTo("sealGcm");
        assertThat(Table2Report.withSuite("pipeline", "AES_128_CBC_HMAC_SHA256")).isEqualTo("pipelineCbc");
        assertThat(Table2Report.withSuite("open", "CHACHA20_POLY1305")).isEqualTo("openChaCha");
        assertThat(Table2Report.withSuite("sealHeap", "CHACHA20_POLY1305")).isEqualTo("sealChaChaHeap");
        assertThat(Table2Report.withSuite("virtualIp", null)).isEqualTo("virtualIp");
        java.util.Map<String, Table2Report.Measured> m = new java.util.LinkedHashMap<>();
        for (String k : new String[] {"virtualIp", "kernelSend", "encryptCbc", "macCbc", "sealCbc", "sealGcm",
            "sealChaCha", "pipelineCbc", "pipelineGcm", "pipelineChaCha"}) {
            m.put("send." + k, new Table2Report.Measured("send." + k, 500, 600, 700, 0));
        }
        for (String k : new String[] {"virtualIp", "kernelReceive", "decryptCbc", "macVerifyCbc", "openCbc", "openGcm",
            "openChaCha", "pipelineCbc", "pipelineGcm", "pipelineChaCha"}) {
            m.put("receive." + k, new Table2Report.Measured("receive." + k, 400, 500, 600, 0));
        }
        String md = Table2Report.markdown(m, true, "0 0 0", "0 0 0");
        assertThat(md).contains("## Send, paper-compatible suite", "## Receive, default suite (AES-128-GCM)",
                "## Send, ChaCha20-Poly1305 suite", "## Receive, ChaCha20-Poly1305 suite",
                "| ChaCha20-Poly1305 seal (whole TrafficKey.seal) | 0.500 | 0 | send.sealChaCha |",
                "| total | 0.400 | 0 | receive.pipelineChaCha |");
        assertThat(Table2Report.json(m, true)).contains("\"gcm\": {", "\"chacha20Poly1305\": {", "\"cbcHmac\": {");
    }
}
