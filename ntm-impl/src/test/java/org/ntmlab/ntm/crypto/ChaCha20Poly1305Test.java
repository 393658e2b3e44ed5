package org.ntmlab.ntm.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pure-Java ChaCha20, Poly1305 and AEAD_CHACHA20_POLY1305 against every test vector of
 * RFC 8439 (sections 2.3.2, 2.4.2, 2.5.2, 2.6.2, 2.8.2 and Appendix A), and against the
 * JDK's own "ChaCha20-Poly1305" cipher on random inputs, heap and direct buffers.
 */
class ChaCha20Poly1305Test {

    static final HexFormat HEX = HexFormat.of();

    static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    /** The ChaCha20 block function (section 2.3): 64 keystream bytes. */
    static byte[] block(byte[] key, byte[] nonce, int counter) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
        c.nonce(nonce, 0);
        int[] words = new int[16];
        c.block(counter, words);
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN); // section 2.3: serialised little-endian
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    /** ChaCha20 encryption (section 2.4) of {@code plain}, from block {@code counter}. */
    static byte[] encrypt(byte[] key, byte[] nonce, int counter, byte[] plain) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
        c.nonce(nonce, 0);
        byte[] out = new byte[plain.length];
        c.xor(counter, plain, 0, out, 0, plain.length);
        return out;
    }

    /** Poly1305 (section 2.5) of a whole message: full blocks, then the partial last block. */
    static byte[] poly1305(byte[] key, byte[] message) {
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        int done = p.blocks(message, 0, message.length);
        p.tail(message, done, message.length - done);
        p.finish();
        byte[] tag = new byte[16];
        p.writeTag(tag, 0);
        return tag;
    }

    /** AEAD seal (section 2.8) on heap arrays: ciphertext || tag. */
    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plain) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
        c.nonce(nonce, 0);
        byte[] out = new byte[plain.length + 16];
        c.seal(ByteBuffer.wrap(aad), 0, aad.length, ByteBuffer.wrap(plain), 0, ByteBuffer.wrap(out), 0, plain.length);
        return out;
    }

    /** AEAD open (section 2.8) of ciphertext || tag on heap arrays; null when the tag does not verify. */
    static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
        c.nonce(nonce, 0);
        int len = sealed.length - 16;
        byte[] out = new byte[len];
        boolean ok = c.open(ByteBuffer.wrap(aad), 0, aad.length, ByteBuffer.wrap(sealed), 0, ByteBuffer.wrap(out), 0,
                len);
        return ok ? out : null;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void blockFunctionMatchesSection232() {
        assertThat(HEX.formatHex(block(hex(S232_KEY), hex(S232_NONCE), 1))).isEqualTo(S232_BLOCK);
    }

    @Test
    void encryptionMatchesSection242() {
        byte[] ct = encrypt(hex(S232_KEY), hex(S242_NONCE), 1, hex(S242_PLAINTEXT));
        assertThat(HEX.formatHex(ct)).isEqualTo(S242_CIPHERTEXT);
        assertThat(HEX.formatHex(encrypt(hex(S232_KEY), hex(S242_NONCE), 1, ct))).isEqualTo(S242_PLAINTEXT);
    }

    @Test
    void poly1305MatchesSection252() {
        assertThat(HEX.formatHex(poly1305(hex(S252_KEY), hex(S252_MESSAGE)))).isEqualTo(S252_TAG);
    }

    @Test
    void poly1305KeyGenerationMatchesSection262() {
        byte[] block = block(hex(S262_KEY), hex(S262_NONCE), 0);
        assertThat(HEX.formatHex(Arrays.copyOf(block, 32))).isEqualTo(S262_OUTPUT);
    }

    @Test
    void aeadMatchesSection282() {
        byte[] key = hex(S282_KEY);
        byte[] nonce = hex(S282_NONCE);
        assertThat(HEX.formatHex(Arrays.copyOf(block(key, nonce, 0), 32))).isEqualTo(S282_POLY_KEY);
        byte[] sealed = seal(key, nonce, hex(S282_AAD), hex(S282_PLAINTEXT));
        assertThat(HEX.formatHex(sealed)).isEqualTo(S282_CIPHERTEXT + S282_TAG);
        assertThat(HEX.formatHex(open(key, nonce, hex(S282_AAD), sealed))).isEqualTo(S282_PLAINTEXT);
    }

    @ParameterizedTest(name = "A.1 test vector #{0}")
    @MethodSource("appendixA1")
    void blockFunctionMatchesAppendixA1(int n, String key, String nonce, int counter, String keystream) {
        assertThat(HEX.formatHex(block(hex(key), hex(nonce), counter))).isEqualTo(keystream);
    }

    @ParameterizedTest(name = "A.2 test vector #{0}")
    @MethodSource("appendixA2")
    void encryptionMatchesAppendixA2(int n, String key, String nonce, int counter, String plain, String cipher) {
        assertThat(HEX.formatHex(encrypt(hex(key), hex(nonce), counter, hex(plain)))).isEqualTo(cipher);
        assertThat(HEX.formatHex(encrypt(hex(key), hex(nonce), counter, hex(cipher)))).isEqualTo(plain);
    }

    @ParameterizedTest(name = "A.3 test vector #{0}")
    @MethodSource("appendixA3")
    void poly1305MatchesAppendixA3(int n, String key, String text, String tag) {
        assertThat(HEX.formatHex(poly1305(hex(key), hex(text)))).isEqualTo(tag);
    }

    @ParameterizedTest(name = "A.4 test vector #{0}")
    @MethodSource("appendixA4")
    void poly1305KeyGenerationMatchesAppendixA4(int n, String key, String nonce, String oneTimeKey) {
        assertThat(HEX.formatHex(Arrays.copyOf(block(hex(key), hex(nonce), 0), 32))).isEqualTo(oneTimeKey);
    }

    @Test
    void aeadDecryptionMatchesAppendixA5() {
        byte[] sealed = concat(hex(A5_CIPHERTEXT), hex(A5_TAG));
        assertThat(HEX.formatHex(open(hex(A5_KEY), hex(A5_NONCE), hex(A5_AAD), sealed))).isEqualTo(A5_PLAINTEXT);
        assertThat(HEX.formatHex(seal(hex(A5_KEY), hex(A5_NONCE), hex(A5_AAD), hex(A5_PLAINTEXT))))
                .isEqualTo(A5_CIPHERTEXT + A5_TAG);
    }

    /** A buffer of {@code room} bytes: heap or direct, either byte order (ours must not care). */
    static ByteBuffer buffer(int room, boolean direct, Random rnd) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(room) : ByteBuffer.allocate(room);
        return b.order(rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] get(ByteBuffer b, int at, int len) {
        byte[] r = new byte[len];
        b.get(at, r);
        return r;
    }

    /**
     * Seal and open agree with the JDK's "ChaCha20-Poly1305" (SunJCE) for plaintexts of
     * 0..1500 bytes and AADs of 0..64 bytes at random offsets, in heap and direct buffers of
     * either byte order: our seal gives the JDK's ciphertext and tag, and we open what the
     * JDK sealed.
     */
    @Test
    void agreesWithTheJdkCipherOnRandomLengthsAadsAndBuffers() throws Exception {
        Random rnd = new Random(8439);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        for (int round = 0; round < 600; round++) {
            int len = round < 100 ? round : rnd.nextInt(1501); // every short length, then random ones
            int aadLen = round % 7 == 0 ? 0 : rnd.nextInt(65);
            byte[] key = new byte[32];
            byte[] nonce = new byte[12];
            byte[] plain = new byte[len];
            byte[] aad = new byte[aadLen];
            rnd.nextBytes(key);
            rnd.nextBytes(nonce);
            rnd.nextBytes(plain);
            rnd.nextBytes(aad);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            byte[] expected = jdk.doFinal(plain);

            boolean direct = (round & 1) == 0;
            int aadAt = rnd.nextInt(9);
            int srcAt = rnd.nextInt(9);
            int dstAt = rnd.nextInt(9);
            ByteBuffer aadBuf = buffer(aadAt + aadLen, !direct, rnd).put(aadAt, aad);
            ByteBuffer src = buffer(srcAt + len, direct, rnd).put(srcAt, plain);
            ByteBuffer dst = buffer(dstAt + len + 16, (round & 2) == 0, rnd);
            ChaCha20Poly1305 ours = new ChaCha20Poly1305(key, 0);
            ours.nonce(nonce, 0);
            ours.seal(aadBuf, aadAt, aadLen, src, srcAt, dst, dstAt, len);
            assertThat(get(dst, dstAt, len + 16)).as("seal, %d bytes, aad %d", len, aadLen).isEqualTo(expected);
            assertThat(src.position()).isZero();
            assertThat(dst.position()).isZero();

            ByteBuffer sealed = buffer(srcAt + len + 16, direct, rnd).put(srcAt, expected);
            ByteBuffer plainOut = buffer(dstAt + len, !direct, rnd);
            assertThat(ours.open(aadBuf, aadAt, aadLen, sealed, srcAt, plainOut, dstAt, len)).isTrue();
            assertThat(get(plainOut, dstAt, len)).as("open, %d bytes, aad %d", len, aadLen).isEqualTo(plain);
        }
    }

    /**
     * Messages longer than the scratch array ({@link ChaCha20Poly1305#CHUNK}) go through it in
     * several chunks when a buffer is direct: the JDK agrees on lengths around and beyond it.
     */
    @Test
    void agreesWithTheJdkCipherBeyondOneScratchChunk() throws Exception {
        Random rnd = new Random(2048);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        int c = ChaCha20Poly1305.CHUNK;
        for (int len : new int[] {c - 1, c, c + 1, c + 64, 2 * c + 17, 5 * c + 3}) {
            for (int kind = 0; kind < 4; kind++) { // heap/direct source x heap/direct destination
                byte[] key = new byte[32];
                byte[] nonce = new byte[12];
                byte[] plain = new byte[len];
                byte[] aad = new byte[c + 5]; // the AAD too takes two chunks when direct
                rnd.nextBytes(key);
                rnd.nextBytes(nonce);
                rnd.nextBytes(plain);
                rnd.nextBytes(aad);
                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
                jdk.updateAAD(aad);
                byte[] expected = jdk.doFinal(plain);
                ByteBuffer aadBuf = buffer(aad.length, kind == 3, rnd).put(0, aad);
                ByteBuffer src = buffer(len, (kind & 1) != 0, rnd).put(0, plain);
                ByteBuffer dst = buffer(len + 16, (kind & 2) != 0, rnd);
                ChaCha20Poly1305 ours = new ChaCha20Poly1305(key, 0);
                ours.nonce(nonce, 0);
                ours.seal(aadBuf, 0, aad.length, src, 0, dst, 0, len);
                assertThat(get(dst, 0, len + 16)).as("seal %d bytes, kind %d", len, kind).isEqualTo(expected);
                ByteBuffer back = buffer(len, (kind & 1) != 0, rnd);
                assertThat(ours.open(aadBuf, 0, aad.length, dst, 0, back, 0, len)).isTrue();
                assertThat(get(back, 0, len)).as("open %d bytes, kind %d", len, kind).isEqualTo(plain);
            }
        }
    }

    /** Source and destination overlapping at different offsets of one array (up to one chunk) still work. */
    @Test
    void sealAndOpenShiftWithinOneArray() throws Exception {
        Random rnd = new Random(4);
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] plain = new byte[1052];
        rnd.nextBytes(key);
        rnd.nextBytes(nonce);
        rnd.nextBytes(plain);
        byte[] expected = seal(key, nonce, new byte[0], plain);
        for (int shift : new int[] {-20, -1, 1, 20}) {
            ByteBuffer b = ByteBuffer.allocate(plain.length + 100);
            int from = 30;
            int to = from + shift;
            b.put(from, plain);
            ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
            c.nonce(nonce, 0);
            c.seal(b, 0, 0, b, from, b, to, plain.length);
            assertThat(get(b, to, plain.length + 16)).as("seal shifted by %d", shift).isEqualTo(expected);
            assertThat(c.open(b, 0, 0, b, to, b, from, plain.length)).isTrue();
            assertThat(get(b, from, plain.length)).as("open shifted back by %d", shift).isEqualTo(plain);
        }
    }

    @Test
    void sealAndOpenWorkInPlaceInOneBuffer() throws Exception {
        Random rnd = new Random(1);
        for (boolean direct : new boolean[] {false, true}) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[12];
            byte[] plain = new byte[1052];
            rnd.nextBytes(key);
            rnd.nextBytes(nonce);
            rnd.nextBytes(plain);
            ByteBuffer b = buffer(20 + plain.length + 16, direct, rnd);
            for (int i = 0; i < 20; i++) {
                b.put(i, (byte) i); // a header as AAD, in the same buffer
            }
            b.put(20, plain);
            ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
            c.nonce(nonce, 0);
            c.seal(b, 0, 20, b, 20, b, 20, plain.length);
            assertThat(get(b, 20, plain.length + 16)).isEqualTo(seal(key, nonce, get(b, 0, 20), plain));
            assertThat(c.open(b, 0, 20, b, 20, b, 20, plain.length)).isTrue();
            assertThat(get(b, 20, plain.length)).isEqualTo(plain);
        }
    }

    /** Any flipped bit of AAD, ciphertext or tag, or another key or nonce, fails and writes no plaintext. */
    @Test
    void tamperedAadCiphertextTagKeyOrNonceIsRejectedWithoutOutput() throws Exception {
        Random rnd = new Random(2);
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[20];
        byte[] plain = new byte[100];
        rnd.nextBytes(key);
        rnd.nextBytes(nonce);
        rnd.nextBytes(aad);
        rnd.nextBytes(plain);
        byte[] sealed = seal(key, nonce, aad, plain);
        assertThat(open(key, nonce, aad, sealed)).isEqualTo(plain);
        for (int bit = 0; bit < 8 * sealed.length; bit++) {
            byte[] t = sealed.clone();
            t[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertThat(open(key, nonce, aad, t)).as("flipped bit %d of ciphertext||tag", bit).isNull();
        }
        for (int bit = 0; bit < 8 * aad.length; bit++) {
            byte[] t = aad.clone();
            t[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertThat(open(key, nonce, t, sealed)).as("flipped bit %d of the AAD", bit).isNull();
        }
        byte[] otherKey = key.clone();
        otherKey[31] ^= 1;
        assertThat(open(otherKey, nonce, aad, sealed)).isNull();
        byte[] otherNonce = nonce.clone();
        otherNonce[11] ^= 1;
        assertThat(open(key, otherNonce, aad, sealed)).isNull();
        assertThat(open(key, nonce, aad, Arrays.copyOf(sealed, sealed.length - 1))).isNull(); // truncated

        // a failed open leaves the output as it was
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key, 0);
        c.nonce(nonce, 0);
        byte[] t = sealed.clone();
        t[0] ^= 1;
        ByteBuffer out = ByteBuffer.allocateDirect(plain.length);
        assertThat(c.open(ByteBuffer.wrap(aad), 0, aad.length, ByteBuffer.wrap(t), 0, out, 0, plain.length)).isFalse();
        assertThat(get(out, 0, plain.length)).containsOnly(0);

        // and the JDK agrees that our tag covers exactly what it should
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        jdk.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        jdk.updateAAD(aad);
        try {
            jdk.doFinal(t);
            throw new AssertionError("the JDK opened a tampered message");
        } catch (AEADBadTagException expected) {
            // as ours
        }
    }

    // RFC 8439 Appendix A.1: key, nonce, block counter, keystream (serialized block)
    static Stream<Arguments> appendixA1() {
        return Stream.of(
            Arguments.of(1, "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                0,
                "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"),
            Arguments.of(2, "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                1,
                "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
                + "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f"),
            Arguments.of(3, "0000000000000000000000000000000000000000000000000000000000000001",
                "000000000000000000000000",
                1,
                "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
                + "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0"),
            Arguments.of(4, "00ff000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                2,
                "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
                + "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096"),
            Arguments.of(5, "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000002",
                0,
                "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
                + "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d"));
    }

    // RFC 8439 Appendix A.2: key, nonce, initial counter, plaintext, ciphertext
    static Stream<Arguments> appendixA2() {
        return Stream.of(
            Arguments.of(1, "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                0,
                "0000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000000",
                "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"),
            Arguments.of(2, "0000000000000000000000000000000000000000000000000000000000000001",
                "000000000000000000000002",
                1,
                "416e79207375626d697373696f6e20746f20746865204945544620696e74656e"
                + "6465642062792074686520436f6e7472696275746f7220666f72207075626c69"
                + "636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
                + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073"
                + "746174656d656e74206d6164652077697468696e2074686520636f6e74657874"
                + "206f6620616e204945544620616374697669747920697320636f6e7369646572"
                + "656420616e20224945544620436f6e747269627574696f6e222e205375636820"
                + "73746174656d656e747320696e636c756465206f72616c2073746174656d656e"
                + "747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
                + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e696361"
                + "74696f6e73206d61646520617420616e792074696d65206f7220706c6163652c"
                + "207768696368206172652061646472657373656420746f",
                "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec"
                + "2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d"
                + "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950"
                + "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a"
                + "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259d"
                + "c4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b"
                + "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6c"
                + "cc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b"
                + "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f"
                + "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6"
                + "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab"
                + "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221"),
            Arguments.of(3, "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
                "000000000000000000000002",
                42,
                "2754776173206272696c6c69672c20616e642074686520736c6974687920746f"
                + "7665730a446964206779726520616e642067696d626c6520696e207468652077"
                + "6162653a0a416c6c206d696d737920776572652074686520626f726f676f7665"
                + "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e",
                "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf"
                + "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb"
                + "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
                + "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1"));
    }

    // RFC 8439 Appendix A.3: one-time key (r || s), text, tag
    static Stream<Arguments> appendixA3() {
        return Stream.of(
            Arguments.of(1, "0000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000000",
                "00000000000000000000000000000000"),
            Arguments.of(2, "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e",
                "416e79207375626d697373696f6e20746f20746865204945544620696e74656e"
                + "6465642062792074686520436f6e7472696275746f7220666f72207075626c69"
                + "636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
                + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073"
                + "746174656d656e74206d6164652077697468696e2074686520636f6e74657874"
                + "206f6620616e204945544620616374697669747920697320636f6e7369646572"
                + "656420616e20224945544620436f6e747269627574696f6e222e205375636820"
                + "73746174656d656e747320696e636c756465206f72616c2073746174656d656e"
                + "747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
                + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e696361"
                + "74696f6e73206d61646520617420616e792074696d65206f7220706c6163652c"
                + "207768696368206172652061646472657373656420746f",
                "36e5f6b5c5e06070f0efca96227a863e"),
            Arguments.of(3, "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000",
                "416e79207375626d697373696f6e20746f20746865204945544620696e74656e"
                + "6465642062792074686520436f6e7472696275746f7220666f72207075626c69"
                + "636174696f6e20617320616c6c206f722070617274206f6620616e2049455446"
                + "20496e7465726e65742d4472616674206f722052464320616e6420616e792073"
                + "746174656d656e74206d6164652077697468696e2074686520636f6e74657874"
                + "206f6620616e204945544620616374697669747920697320636f6e7369646572"
                + "656420616e20224945544620436f6e747269627574696f6e222e205375636820"
                + "73746174656d656e747320696e636c756465206f72616c2073746174656d656e"
                + "747320696e20494554462073657373696f6e732c2061732077656c6c20617320"
                + "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e696361"
                + "74696f6e73206d61646520617420616e792074696d65206f7220706c6163652c"
                + "207768696368206172652061646472657373656420746f",
                "f3477e7cd95417af89a6b8794c310cf0"),
            Arguments.of(4, "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
                "2754776173206272696c6c69672c20616e642074686520736c6974687920746f"
                + "7665730a446964206779726520616e642067696d626c6520696e207468652077"
                + "6162653a0a416c6c206d696d737920776572652074686520626f726f676f7665"
                + "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e",
                "4541669a7eaaee61e708dc7cbcc5eb62"),
            Arguments.of(5, "0200000000000000000000000000000000000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff",
                "03000000000000000000000000000000"),
            Arguments.of(6, "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
                "02000000000000000000000000000000",
                "03000000000000000000000000000000"),
            Arguments.of(7, "0100000000000000000000000000000000000000000000000000000000000000",
                "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff"
                + "11000000000000000000000000000000",
                "05000000000000000000000000000000"),
            Arguments.of(8, "0100000000000000000000000000000000000000000000000000000000000000",
                "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe"
                + "01010101010101010101010101010101",
                "00000000000000000000000000000000"),
            Arguments.of(9, "0200000000000000000000000000000000000000000000000000000000000000",
                "fdffffffffffffffffffffffffffffff",
                "faffffffffffffffffffffffffffffff"),
            Arguments.of(10, "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000"
                + "0000000000000000000000000000000001000000000000000000000000000000",
                "14000000000000005500000000000000"),
            Arguments.of(11, "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000"
                + "00000000000000000000000000000000",
                "13000000000000000000000000000000"));
    }

    // RFC 8439 Appendix A.4: key, nonce, one-time Poly1305 key
    static Stream<Arguments> appendixA4() {
        return Stream.of(
            Arguments.of(1, "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"),
            Arguments.of(2, "0000000000000000000000000000000000000000000000000000000000000001",
                "000000000000000000000002",
                "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739"),
            Arguments.of(3, "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
                "000000000000000000000002",
                "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae"));
    }

    // RFC 8439 Appendix A.5
    static final String A5_KEY = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
    static final String A5_CIPHERTEXT = "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
            + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
            + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
            + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
            + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
            + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
            + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
            + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
            + "a6ad5cb4022b02709b";
    static final String A5_NONCE = "000000000102030405060708";
    static final String A5_AAD = "f33388860000000000004e91";
    static final String A5_TAG = "eead9d67890cbb22392336fea1851f38";
    static final String A5_PLAINTEXT = "496e7465726e65742d4472616674732061726520647261667420646f63756d65"
            + "6e74732076616c696420666f722061206d6178696d756d206f6620736978206d"
            + "6f6e74687320616e64206d617920626520757064617465642c207265706c6163"
            + "65642c206f72206f62736f6c65746564206279206f7468657220646f63756d65"
            + "6e747320617420616e792074696d652e20497420697320696e617070726f7072"
            + "6961746520746f2075736520496e7465726e65742d4472616674732061732072"
            + "65666572656e6365206d6174657269616c206f7220746f206369746520746865"
            + "6d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67"
            + "726573732e2fe2809d";

    // RFC 8439 sections 2.3.2, 2.4.2, 2.5.2, 2.6.2, 2.8.2
    static final String S232_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String S232_NONCE = "000000090000004a00000000";
    static final String S232_BLOCK = "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
            + "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";
    static final String S242_NONCE = "000000000000004a00000000";
    static final String S242_PLAINTEXT = "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
            + "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
            + "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
            + "637265656e20776f756c642062652069742e";
    static final String S242_CIPHERTEXT = "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
            + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
            + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
            + "5af90bbf74a35be6b40b8eedf2785e42874d";
    static final String S252_KEY = "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b";
    static final String S252_MESSAGE = "43727970746f6772617068696320466f72756d2052657365617263682047726f"
            + "7570";
    static final String S252_TAG = "a8061dc1305136c6c22b8baf0c0127a9";
    static final String S262_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
    static final String S262_NONCE = "000000000001020304050607";
    static final String S262_OUTPUT = "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646";
    static final String S282_PLAINTEXT = "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
            + "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
            + "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
            + "637265656e20776f756c642062652069742e";
    static final String S282_AAD = "50515253c0c1c2c3c4c5c6c7";
    static final String S282_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
    static final String S282_NONCE = "070000004041424344454647";
    static final String S282_POLY_KEY = "7bac2b252db447af09b67a55a4e955840ae1d6731075d9eb2a9375783ed553ff";
    static final String S282_CIPHERTEXT = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
            + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116";
    static final String S282_TAG = "1ae10b594f09e26a7e902ecbd0600691";

}
