package io.gannet.bfd.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ControlPacketCodecTest {

    /** An FRR 8.4 packet in Up with echo off: it still advertises Required Min Echo RX 50 ms. */
    static final String FRR_UP = ""
            + "20"       // Vers 1, Diag 0
            + "c0"       // Sta 3 (Up), P F C A D M all clear
            + "03"       // Detect Mult 3
            + "18"       // Length 24
            + "00000001" // My Discriminator 1
            + "00000002" // Your Discriminator 2
            + "000493e0" // Desired Min TX 300000 us
            + "000493e0" // Required Min RX 300000 us
            + "0000c350"; // Required Min Echo RX 50000 us

    /** Keyed MD5 (type 2), digest computed independently with Python's hashlib over the packet with the key. */
    static final String KEYED_MD5 = ""
            + "20" + "c4" + "03" + "30"   // v1 diag0, Up + A bit, mult 3, length 48
            + "11223344" + "55667788"     // My / Your Discriminator
            + "0000c350" + "0000c350"     // Desired Min TX / Required Min RX 50 ms
            + "00000000"                  // Required Min Echo RX 0
            + "02" + "18" + "05" + "00"   // Auth Type 2, Auth Len 24, Key ID 5, Reserved
            + "01020304"                  // Sequence Number
            + "7c46088fdcaeab28f0f723ee3c523094"; // MD5 digest, key "secret"

    /** Meticulous keyed SHA1 (type 5), digest from Python's hashlib, key "sha1-key". */
    static final String METICULOUS_SHA1 = ""
            + "20" + "c4" + "03" + "34"   // v1, Up + A, mult 3, length 52
            + "11223344" + "55667788"
            + "0000c350" + "0000c350" + "00000000"
            + "05" + "1c" + "07" + "00"   // Auth Type 5, Auth Len 28, Key ID 7, Reserved
            + "fffffffe"                  // Sequence Number (unsigned, above 2^31)
            + "66335db2cbb2d2af294e42d107c98e62a3ec81f4"; // SHA1 digest

    static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(s));
    }

    @Test
    void decodesGoldenFrrPacket() {
        ControlPacket p = new ControlPacket();
        assertThat(ControlPacketCodec.decode(hex(FRR_UP), p)).isNull();
        assertThat(p.version).isEqualTo(1);
        assertThat(p.diagnostic).isEqualTo(Diagnostic.NONE);
        assertThat(p.state).isEqualTo(BfdState.UP);
        assertThat(p.poll || p.fin || p.authPresent || p.demand || p.multipoint || p.controlPlaneIndependent).isFalse();
        assertThat(p.detectMult).isEqualTo(3);
        assertThat(p.length).isEqualTo(24);
        assertThat(p.myDiscriminator).isEqualTo(1);
        assertThat(p.yourDiscriminator).isEqualTo(2);
        assertThat(p.desiredMinTxMicros).isEqualTo(300_000);
        assertThat(p.requiredMinRxMicros).isEqualTo(300_000);
        assertThat(p.requiredMinEchoRxMicros).isEqualTo(50_000);
    }

    @Test
    void encodesGoldenFrrPacketByteForByte() {
        ControlPacket p = new ControlPacket();
        p.state = BfdState.UP;
        p.detectMult = 3;
        p.myDiscriminator = 1;
        p.yourDiscriminator = 2;
        p.desiredMinTxMicros = 300_000;
        p.requiredMinRxMicros = 300_000;
        p.requiredMinEchoRxMicros = 50_000;
        ByteBuf out = Unpooled.buffer();
        assertThat(ControlPacketCodec.encode(p, out)).isEqualTo(24);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(FRR_UP);
    }

    @Test
    void everyFlagAndDiagnosticRoundTrips() {
        for (Diagnostic d : Diagnostic.values()) {
            if (d == Diagnostic.RESERVED) {
                continue;
            }
            for (BfdState s : BfdState.values()) {
                for (int flags = 0; flags < 16; flags++) {
                    ControlPacket p = new ControlPacket();
                    p.diagnostic = d;
                    p.state = s;
                    p.poll = (flags & 1) != 0;
                    p.fin = (flags & 2) != 0;
                    p.controlPlaneIndependent = (flags & 4) != 0;
                    p.demand = (flags & 8) != 0;
                    p.detectMult = 255;
                    p.myDiscriminator = 0xFFFF_FFFFL;
                    p.yourDiscriminator = s == BfdState.UP || s == BfdState.INIT ? 0x8000_0000L : 0;
                    p.desiredMinTxMicros = 0xFFFF_FFFFL;
                    p.requiredMinRxMicros = 10_000;
                    ByteBuf out = Unpooled.buffer();
                    ControlPacketCodec.encode(p, out);
                    ControlPacket q = new ControlPacket();
                    assertThat(ControlPacketCodec.decode(out, q)).isNull();
                    assertThat(q.toString()).isEqualTo(p.toString());
                    assertThat(q.controlPlaneIndependent).isEqualTo(p.controlPlaneIndependent);
                }
            }
        }
    }

    @Test
    void decodesAndVerifiesGoldenKeyedMd5() {
        ControlPacket p = new ControlPacket();
        ByteBuf in = hex(KEYED_MD5);
        assertThat(ControlPacketCodec.decode(in, p)).isNull();
        assertThat(p.authType()).isEqualTo(AuthType.KEYED_MD5);
        assertThat(p.authKeyId).isEqualTo(5);
        assertThat(p.authSequence).isEqualTo(0x01020304L);
        byte[] raw = ByteBufUtil.getBytes(in);
        AuthDigest digest = new AuthDigest();
        assertThat(digest.verify(AuthType.KEYED_MD5, raw, raw.length, "secret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(digest.verify(AuthType.KEYED_MD5, raw, raw.length, "Secret".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void encodesAndSignsGoldenMeticulousSha1() {
        ControlPacket p = new ControlPacket();
        p.state = BfdState.UP;
        p.detectMult = 3;
        p.myDiscriminator = 0x11223344L;
        p.yourDiscriminator = 0x55667788L;
        p.desiredMinTxMicros = 50_000;
        p.requiredMinRxMicros = 50_000;
        p.authPresent = true;
        p.authTypeCode = AuthType.METICULOUS_KEYED_SHA1.code();
        p.authKeyId = 7;
        p.authSequence = 0xFFFF_FFFEL;
        byte[] key = "sha1-key".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(key, 0, p.authData, 0, key.length);
        p.authDataLength = 20;
        byte[] bytes = new byte[ControlPacket.MAX_LENGTH];
        ByteBuf out = Unpooled.wrappedBuffer(bytes).clear();
        int n = ControlPacketCodec.encode(p, out);
        assertThat(n).isEqualTo(52);
        new AuthDigest().sign(AuthType.METICULOUS_KEYED_SHA1, bytes, n);
        assertThat(ByteBufUtil.hexDump(bytes, 0, n)).isEqualTo(METICULOUS_SHA1);
    }

    @Test
    void simplePasswordRoundTrips() {
        ControlPacket p = new ControlPacket();
        p.state = BfdState.DOWN;
        p.detectMult = 3;
        p.myDiscriminator = 9;
        p.desiredMinTxMicros = 1_000_000;
        p.authPresent = true;
        p.authTypeCode = AuthType.SIMPLE_PASSWORD.code();
        p.authKeyId = 1;
        byte[] pw = "hunter2".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(pw, 0, p.authData, 0, pw.length);
        p.authDataLength = pw.length;
        ByteBuf out = Unpooled.buffer();
        assertThat(ControlPacketCodec.encode(p, out)).isEqualTo(24 + 3 + 7);
        assertThat(ByteBufUtil.hexDump(out, 24, 3)).isEqualTo("010a01"); // type 1, len 10, key id 1
        ControlPacket q = new ControlPacket();
        assertThat(ControlPacketCodec.decode(out, q)).isNull();
        assertThat(q.authType()).isEqualTo(AuthType.SIMPLE_PASSWORD);
        assertThat(new String(q.authData, 0, q.authDataLength, StandardCharsets.UTF_8)).isEqualTo("hunter2");
    }

    // ------------------------------------------------------------ RFC 5880 6.8.6 discards

    static DropReason decode(String hex) {
        return ControlPacketCodec.decode(hex(hex), new ControlPacket());
    }

    static String with(String base, int byteIndex, String replacement) {
        return base.substring(0, byteIndex * 2) + replacement + base.substring(byteIndex * 2 + replacement.length());
    }

    @Test
    void dropsEachMalformedPacketWithItsReason() {
        assertThat(decode("")).isEqualTo(DropReason.TRUNCATED);
        assertThat(decode(FRR_UP.substring(0, 46))).isEqualTo(DropReason.TRUNCATED); // 23 bytes
        assertThat(decode(with(FRR_UP, 0, "40"))).isEqualTo(DropReason.BAD_VERSION); // version 2
        assertThat(decode(with(FRR_UP, 0, "00"))).isEqualTo(DropReason.BAD_VERSION); // version 0
        assertThat(decode(with(FRR_UP, 3, "17"))).isEqualTo(DropReason.BAD_LENGTH); // 23 < 24
        assertThat(decode(with(FRR_UP, 3, "19"))).isEqualTo(DropReason.BAD_LENGTH); // 25 > payload
        assertThat(decode(with(with(FRR_UP, 1, "c4"), 3, "18"))).isEqualTo(DropReason.BAD_LENGTH); // A bit, 24 < 26
        assertThat(decode(with(FRR_UP, 2, "00"))).isEqualTo(DropReason.DETECT_MULT_ZERO);
        assertThat(decode(with(FRR_UP, 1, "c1"))).isEqualTo(DropReason.MULTIPOINT);
        assertThat(decode(with(FRR_UP, 4, "00000000"))).isEqualTo(DropReason.MY_DISCRIMINATOR_ZERO);
        assertThat(decode(with(FRR_UP, 8, "00000000"))).isEqualTo(DropReason.YOUR_DISCRIMINATOR_ZERO);
        assertThat(decode(with(with(FRR_UP, 8, "00000000"), 1, "80"))).isEqualTo(DropReason.YOUR_DISCRIMINATOR_ZERO);
        // Your Discriminator zero is fine in Down and AdminDown.
        assertThat(decode(with(with(FRR_UP, 8, "00000000"), 1, "40"))).isNull();
        assertThat(decode(with(with(FRR_UP, 8, "00000000"), 1, "00"))).isNull();
        // A longer payload than Length is accepted (the extra bytes are ignored).
        assertThat(decode(FRR_UP + "deadbeef")).isNull();
    }

    @Test
    void dropsMalformedAuthSections() {
        assertThat(decode(with(KEYED_MD5, 25, "17"))).isEqualTo(DropReason.AUTH_MALFORMED); // MD5 with len 23
        assertThat(decode(with(KEYED_MD5, 24, "09"))).isEqualTo(DropReason.AUTH_MALFORMED); // reserved type
        assertThat(decode(with(KEYED_MD5, 24, "00"))).isEqualTo(DropReason.AUTH_MALFORMED); // type 0 with A bit
        assertThat(decode(with(KEYED_MD5, 24, "04"))).isEqualTo(DropReason.AUTH_MALFORMED); // SHA1 needs 28
        // Simple password longer than 16 bytes (Auth Len 20).
        String pw = with(FRR_UP, 1, "c4").substring(0, 6) + "2c" + FRR_UP.substring(8) + "011401" + "41".repeat(17);
        assertThat(decode(pw)).isEqualTo(DropReason.AUTH_MALFORMED);
        // Auth Len running past Length.
        assertThat(decode(with(KEYED_MD5, 25, "1c"))).isEqualTo(DropReason.AUTH_MALFORMED);
    }

    @Test
    void garbageNeverThrows() {
        java.util.Random r = new java.util.Random(5880);
        ControlPacket p = new ControlPacket();
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(60)];
            r.nextBytes(b);
            if (b.length > 0 && r.nextBoolean()) {
                b[0] = 0x20; // make version 1 likely, to reach the deeper checks
            }
            if (b.length > 3 && r.nextBoolean()) {
                b[3] = (byte) b.length;
            }
            if (ControlPacketCodec.decode(Unpooled.wrappedBuffer(b), p) == null) {
                accepted++;
            }
        }
        assertThat(accepted).isPositive();
    }
}
