package io.gannet.bgp.wire.attr;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Golden byte vectors for every attribute and whole UPDATEs, decode and encode (RFC 4271 4.3). */
class UpdateCodecTest {
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);

    // All attributes this speaker understands, as an iBGP peer with 4-octet ASNs would send them,
    // in type-code order: exactly what AttributeEncoder writes back.
    static final String ALL_ATTRIBUTES = """
            40 01 01 00                              # ORIGIN, well-known transitive, len 1: IGP
            40 02 0e 02 03 0000fde8 0000fde9 00011170 # AS_PATH len 14: AS_SEQUENCE of 3: 65000 65001 70000
            40 03 04 c6336401                        # NEXT_HOP 198.51.100.1
            80 04 04 00000064                        # MULTI_EXIT_DISC, optional non-transitive: 100
            40 05 04 000000c8                        # LOCAL_PREF 200
            40 06 00                                 # ATOMIC_AGGREGATE, empty
            c0 07 08 0000fde8 c0000201               # AGGREGATOR, optional transitive: AS65000 192.0.2.1
            c0 08 08 fde80064 ffffff01               # COMMUNITIES 65000:100 NO_EXPORT
            80 09 04 c0000202                        # ORIGINATOR_ID 192.0.2.2
            80 0a 08 c0000203 c0000204               # CLUSTER_LIST 192.0.2.3 192.0.2.4
            c0 10 08 0002fde800000064                # EXTENDED_COMMUNITIES route-target 65000:100
            c0 20 0c 0000fde8 00000001 00000002      # LARGE_COMMUNITY 65000:1:2
            """;

    static final String FULL_UPDATE = """
            0000                                     # Withdrawn Routes Length 0
            006f                                     # Total Path Attribute Length 111
            """ + ALL_ATTRIBUTES + """
            18 0a0001                                # NLRI 10.0.1.0/24
            10 ac10                                  # 172.16.0.0/16
            20 c0000201                              # 192.0.2.1/32
            00                                       # 0.0.0.0/0
            """;

    @Test
    void decodesEveryAttributeOfAFullIpv4Update() {
        RecordingHandler h = new RecordingHandler();
        ByteBuf body = Hex.buf(FULL_UPDATE);
        assertThat(decoder.decode(body, true, true, h)).isNull();
        assertThat(h.events).containsExactly("+10.0.1.0/24", "+172.16.0.0/16", "+192.0.2.1/32", "+0.0.0.0/0");
        PathAttributes a = h.attributes;
        assertThat(a.origin()).isEqualTo(AttributeType.ORIGIN_IGP);
        assertThat(a.asPathSegments()).containsExactly(2, 3, 65000, 65001, 70000);
        assertThat(a.asPathLength()).isEqualTo(3);
        assertThat(a.firstAs()).isEqualTo(65000);
        assertThat(PathAttributes.ipv4String(a.nextHop())).isEqualTo("198.51.100.1");
        assertThat(a.med()).isEqualTo(100);
        assertThat(a.localPref()).isEqualTo(200);
        assertThat(a.has(PathAttributes.ATOMIC_AGGREGATE)).isTrue();
        assertThat(a.aggregatorAs()).isEqualTo(65000);
        assertThat(PathAttributes.ipv4String(a.aggregatorAddress())).isEqualTo("192.0.2.1");
        assertThat(a.communities()).containsExactly(65000 << 16 | 100, AttributeType.NO_EXPORT);
        assertThat(PathAttributes.ipv4String(a.originatorId())).isEqualTo("192.0.2.2");
        assertThat(a.clusterList()).containsExactly(0xc0000203, 0xc0000204);
        assertThat(a.extendedCommunities()).containsExactly(0x0002fde800000064L);
        assertThat(a.largeCommunities()).containsExactly(65000, 1, 2);
        assertThat(body.refCnt()).isEqualTo(1);
    }

    @Test
    void encodesAllAttributesBackToTheSameBytes() {
        RecordingHandler h = new RecordingHandler();
        decoder.decode(Hex.buf(FULL_UPDATE), true, true, h);
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, h.attributes, true, true);
        assertThat(Hex.hex(out)).isEqualTo(Hex.hex(Hex.bytes(ALL_ATTRIBUTES)));
    }

    @Test
    void identicalAttributeSetsAreOneInternedObject() {
        RecordingHandler h1 = new RecordingHandler();
        RecordingHandler h2 = new RecordingHandler();
        decoder.decode(Hex.buf(FULL_UPDATE), true, true, h1);
        decoder.decode(Hex.buf(FULL_UPDATE), true, true, h2);
        assertThat(h2.attributes).isSameAs(h1.attributes);
        assertThat(interner.size()).isEqualTo(1);
    }

    @Test
    void localPrefFromAnExternalPeerIsIgnored() {
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(Hex.buf(FULL_UPDATE), true, false, h)).isNull();
        assertThat(h.attributes.has(PathAttributes.HAS_LOCAL_PREF)).isFalse(); // RFC 7606 7.5
        assertThat(h.attributes.has(PathAttributes.HAS_ORIGINATOR_ID)).isFalse();
        assertThat(h.attributes.clusterListLength()).isZero();
    }

    static final String IPV6_UPDATE = """
            0000                                     # Withdrawn Routes Length 0
            0043                                     # Total Path Attribute Length 67
            40 01 01 02                              # ORIGIN INCOMPLETE
            40 02 06 02 01 0000fde8                  # AS_PATH: AS_SEQUENCE 65000
            80 0e 33                                 # MP_REACH_NLRI, optional, len 51
               0002 01                               #   AFI 2 (IPv6), SAFI 1 (unicast)
               20                                    #   next hop length 32: global + link-local (RFC 2545 3)
               20010db8000000000000000000000001      #   2001:db8::1
               fe800000000000000000000000000001      #   fe80::1
               00                                    #   reserved
               20 20010db8                           #   2001:db8::/32
               40 20010db800010000                   #   2001:db8:1::/64
            """;

    @Test
    void decodesMpReachWithGlobalAndLinkLocalNextHop() {
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(Hex.buf(IPV6_UPDATE), true, false, h)).isNull();
        assertThat(h.events).containsExactly("+2001:db8:0:0:0:0:0:0/32", "+2001:db8:1:0:0:0:0:0/64");
        assertThat(Hex.hex(h.attributes.nextHop6()))
                .isEqualTo("20010db8000000000000000000000001fe800000000000000000000000000001");
        assertThat(h.attributes.origin()).isEqualTo(AttributeType.ORIGIN_INCOMPLETE);
    }

    @Test
    void decodesWithdrawalsInBothFamilies() {
        RecordingHandler h = new RecordingHandler();
        String body = """
                0006                  # Withdrawn Routes Length 6
                18 0a0001             # 10.0.1.0/24
                08 0b                 # 11.0.0.0/8
                000d                  # Total Path Attribute Length 13
                80 0f 0a              # MP_UNREACH_NLRI len 10
                   0002 01            #   AFI 2, SAFI 1
                   30 20010db80002    #   2001:db8:2::/48
                """;
        assertThat(decoder.decode(Hex.buf(body), true, false, h)).isNull();
        assertThat(h.events).containsExactly("-10.0.1.0/24", "-11.0.0.0/8", "-2001:db8:2:0:0:0:0:0/48");
    }

    @Test
    void recognisesEndOfRibForBothFamilies() {
        RecordingHandler h = new RecordingHandler();
        decoder.decode(Hex.buf("0000 0000  # empty UPDATE: IPv4 End-of-RIB"), true, false, h);
        decoder.decode(Hex.buf("0000 0006 800f03 000201  # MP_UNREACH with AFI 2 SAFI 1 only"), true, false, h);
        assertThat(h.events).containsExactly("EoR 1/1", "EoR 2/1");
    }

    @Test
    void encodesEndOfRib() {
        ByteBuf v4 = UpdateWriter.endOfRib(UnpooledByteBufAllocator.DEFAULT, 1, 1);
        ByteBuf v6 = UpdateWriter.endOfRib(UnpooledByteBufAllocator.DEFAULT, 2, 1);
        assertThat(Hex.hex(v4)).isEqualTo("ffffffffffffffffffffffffffffffff" + "0017" + "02" + "0000" + "0000");
        assertThat(Hex.hex(v6)).isEqualTo("ffffffffffffffffffffffffffffffff" + "001d" + "02" + "0000" + "0006"
                + "800f03" + "0002" + "01");
        v4.release();
        v6.release();
    }

    @Test
    void hostBitsBeyondThePrefixLengthAreCleared() {
        RecordingHandler h = new RecordingHandler();
        String body = "0004 17 0a0101 0000 # withdraw 10.1.1.0/23 as sent: host bit set\n";
        decoder.decode(Hex.buf(body), true, false, h);
        assertThat(h.events).containsExactly("-10.1.0.0/23");
    }

    @Test
    void writerPacksIpv4AnnouncementGolden() {
        AttributesBuilder b = new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, 65000)
                .nextHop(0xc6336401);
        PathAttributes a = interner.intern(b);
        UpdateWriter w = new UpdateWriter();
        w.startAnnounce4(UnpooledByteBufAllocator.DEFAULT, 4096, a, true);
        assertThat(w.add4(0x0a000100, 24)).isTrue();
        assertThat(w.add4(0xc0000201, 32)).isTrue();
        ByteBuf m = w.finish();
        assertThat(Hex.hex(m)).isEqualTo(Hex.hex(Hex.bytes("""
                ffffffffffffffffffffffffffffffff   # marker
                0034                               # length 52
                02                                 # type UPDATE
                0000                               # no withdrawn routes
                0014                               # attributes 20
                40 01 01 00                        # ORIGIN IGP
                40 02 06 02 01 0000fde8            # AS_PATH 65000
                40 03 04 c6336401                  # NEXT_HOP 198.51.100.1
                18 0a0001                          # 10.0.1.0/24
                20 c0000201                        # 192.0.2.1/32
                """)));
        m.release();
    }

    static final String IPV4_VIA_IPV6_UPDATE = """
            0000                                     # Withdrawn Routes Length 0
            002c                                     # Total Path Attribute Length 44
            40 01 01 00                              # ORIGIN IGP
            40 02 06 02 01 0000fde8                  # AS_PATH: AS_SEQUENCE 65000
            80 0e 1c                                 # MP_REACH_NLRI, optional, len 28
               0001 01                               #   AFI 1 (IPv4), SAFI 1 (unicast)
               10                                    #   next hop length 16: IPv6 (RFC 8950 4)
               20010db8000000000000000000000001      #   2001:db8::1
               00                                    #   reserved
               18 0a0001                             #   10.0.1.0/24
               10 0b01                               #   11.1.0.0/16
            """;

    @Test
    void rfc8950Ipv4NlriWithAnIpv6NextHopDecodesOnlyWhereNegotiated() {
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(Hex.buf(IPV4_VIA_IPV6_UPDATE), true, false, true, h)).isNull();
        assertThat(h.events).containsExactly("+10.0.1.0/24", "+11.1.0.0/16");
        assertThat(h.attributes.has(PathAttributes.HAS_NEXT_HOP)).isFalse();
        assertThat(Hex.hex(h.attributes.nextHop6())).isEqualTo("20010db8000000000000000000000001");

        // Without the capability the next hop length does not fit AFI 1: RFC 7606 7.11, session reset.
        RecordingHandler without = new RecordingHandler();
        UpdateError e = decoder.decode(Hex.buf(IPV4_VIA_IPV6_UPDATE), true, false, false, without);
        assertThat(e.action()).isEqualTo(UpdateError.Action.SESSION_RESET);
        assertThat(without.events).isEmpty();
    }

    @Test
    void rfc8950WriterPutsIpv4PrefixesIntoMpReachWithTheIpv6NextHop() {
        AttributesBuilder b = new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, 65000)
                .nextHop6(Hex.bytes("20010db8000000000000000000000001"));
        PathAttributes a = interner.intern(b);
        UpdateWriter w = new UpdateWriter();
        w.startAnnounce4Via6(UnpooledByteBufAllocator.DEFAULT, 4096, a, true);
        assertThat(w.add4(0x0a000100, 24)).isTrue();
        assertThat(w.add4(0x0b010000, 16)).isTrue();
        ByteBuf m = w.finish();
        // The same bytes as the UPDATE above decodes, but for the MP_REACH_NLRI's extended length flag.
        assertThat(Hex.hex(m)).isEqualTo(Hex.hex(Hex.bytes("""
                ffffffffffffffffffffffffffffffff   # marker
                0044                               # length 68
                02                                 # type UPDATE
                0000                               # no withdrawn routes
                002d                               # attributes 45
                40 01 01 00                        # ORIGIN IGP
                40 02 06 02 01 0000fde8            # AS_PATH 65000
                90 0e 001c                         # MP_REACH_NLRI, optional, extended length 28
                   0001 01 10                      #   AFI 1, SAFI 1, next hop 16 octets
                   20010db8000000000000000000000001
                   00
                   18 0a0001 10 0b01
                """)));
        m.skipBytes(19);
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(m, true, false, true, h)).isNull();
        assertThat(h.events).containsExactly("+10.0.1.0/24", "+11.1.0.0/16");
        m.release();
    }

    @Test
    void writerPacksIpv6AnnouncementAndWithdrawalGolden() {
        byte[] nh = Hex.bytes("20010db8000000000000000000000001");
        PathAttributes a = interner.intern(new AttributesBuilder().origin(0).emptyAsPath().nextHop6(nh));
        UpdateWriter w = new UpdateWriter();
        w.startAnnounce6(UnpooledByteBufAllocator.DEFAULT, 4096, a, true);
        w.add6(0x20010db800000000L, 0, 32);
        ByteBuf m = w.finish();
        assertThat(Hex.hex(m)).isEqualTo(Hex.hex(Hex.bytes("""
                ffffffffffffffffffffffffffffffff 003c 02  # header, length 60
                0000                               # no withdrawn routes
                0025                               # attributes 37
                40 01 01 00                        # ORIGIN IGP
                40 02 00                           # AS_PATH empty (originated here)
                90 0e 001a                         # MP_REACH_NLRI, extended length 26
                   0002 01 10                      #   AFI 2 SAFI 1, next hop 16 octets
                   20010db8000000000000000000000001 #  2001:db8::1
                   00                              #   reserved
                   20 20010db8                     #   2001:db8::/32
                """)));
        m.release();
        w.startWithdraw6(UnpooledByteBufAllocator.DEFAULT, 4096);
        w.add6(0x20010db800000000L, 0, 32);
        m = w.finish();
        assertThat(Hex.hex(m)).isEqualTo(Hex.hex(Hex.bytes("""
                ffffffffffffffffffffffffffffffff 0023 02  # header, length 35
                0000 000c                          # no withdrawn routes, attributes 12
                90 0f 0008 0002 01 20 20010db8     # MP_UNREACH_NLRI: AFI 2 SAFI 1 2001:db8::/32
                """)));
        m.release();
        w.startWithdraw4(UnpooledByteBufAllocator.DEFAULT, 4096);
        w.add4(0x0a000000, 8);
        m = w.finish();
        assertThat(Hex.hex(m)).isEqualTo("ffffffffffffffffffffffffffffffff" + "0019" + "02" + "0002" + "080a" + "0000");
        m.release();
    }

    /** Every IPv4 prefix length, 0 to 32: the length byte and (length + 7) / 8 address bytes (RFC 4271 4.3). */
    @Test
    void writerEncodesEveryIpv4PrefixLength() {
        UpdateWriter w = new UpdateWriter();
        w.startWithdraw4(UnpooledByteBufAllocator.DEFAULT, 4096);
        StringBuilder expected = new StringBuilder();
        int address = 0xc0a8_7f01; // 192.168.127.1, host bits cleared per length below
        for (int length = 0; length <= 32; length++) {
            int a = length == 0 ? 0 : address & (int) (0xFFFF_FFFFL << (32 - length));
            assertThat(w.add4(a, length)).isTrue();
            expected.append(String.format("%02x", length));
            for (int k = 0; k < (length + 7) / 8; k++) {
                expected.append(String.format("%02x", (a >>> (24 - 8 * k)) & 0xFF));
            }
        }
        ByteBuf m = w.finish();
        int withdrawn = m.getUnsignedShort(19);
        assertThat(Hex.hex(m.slice(21, withdrawn))).isEqualTo(expected.toString());
        RecordingHandler back = new RecordingHandler();
        assertThat(decoder.decode(m.slice(19, m.readableBytes() - 19), true, true, back)).isNull();
        assertThat(back.events).hasSize(33).startsWith("-0.0.0.0/0").endsWith("-192.168.127.1/32");
        m.release();
    }

    @Test
    void writerEncodesEveryIpv6PrefixLength() {
        UpdateWriter w = new UpdateWriter();
        w.startWithdraw6(UnpooledByteBufAllocator.DEFAULT, 8192);
        StringBuilder expected = new StringBuilder();
        long hi = 0x2001_0db8_a5c3_7e19L;
        long lo = 0x0f1e_2d3c_4b5a_6978L;
        for (int length = 0; length <= 128; length++) {
            long h = length == 0 ? 0 : length >= 64 ? hi : hi & (-1L << (64 - length));
            long l = length <= 64 ? 0 : length == 128 ? lo : lo & (-1L << (128 - length));
            assertThat(w.add6(h, l, length)).isTrue();
            expected.append(String.format("%02x", length));
            for (int k = 0; k < (length + 7) / 8; k++) {
                expected.append(String.format("%02x", (k < 8 ? h >>> (56 - 8 * k) : l >>> (120 - 8 * k)) & 0xFF));
            }
        }
        ByteBuf m = w.finish();
        assertThat(Hex.hex(m)).endsWith(expected.toString());
        RecordingHandler back = new RecordingHandler();
        assertThat(decoder.decode(m.slice(19, m.readableBytes() - 19), true, true, back)).isNull();
        assertThat(back.events).hasSize(129).endsWith("-2001:db8:a5c3:7e19:f1e:2d3c:4b5a:6978/128");
        m.release();
    }

    @Test
    void encodedUpdatesDecodeBackToTheSameRoutes() {
        RecordingHandler h = new RecordingHandler();
        decoder.decode(Hex.buf(IPV6_UPDATE), true, true, h);
        UpdateWriter w = new UpdateWriter();
        w.startAnnounce6(UnpooledByteBufAllocator.DEFAULT, 4096, h.attributes, true);
        w.add6(0x20010db800000000L, 0, 32);
        w.add6(0x20010db800010000L, 0, 64);
        ByteBuf m = w.finish();
        RecordingHandler back = new RecordingHandler();
        assertThat(decoder.decode(m.slice(19, m.readableBytes() - 19), true, true, back)).isNull();
        assertThat(back.events).isEqualTo(h.events);
        assertThat(back.attributes).isSameAs(h.attributes);
        m.release();
    }

    @Test
    void unknownOptionalTransitiveIsKeptWithPartialAndNonTransitiveDropped() {
        String body = """
                0000 0017                     # attributes 23
                40 01 01 00                   # ORIGIN
                40 02 00                      # AS_PATH empty
                40 03 04 0a000001             # NEXT_HOP 10.0.0.1
                c0 63 02 abcd                 # unknown optional transitive type 99
                80 64 01 00                   # unknown optional non-transitive type 100
                08 0a                         # 10.0.0.0/8
                """;
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(Hex.buf(body), true, false, h)).isNull();
        assertThat(Hex.hex(h.attributes.unknownAttributes())).isEqualTo("e06302abcd"); // Partial bit now set
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, h.attributes, true, true);
        assertThat(Hex.hex(out)).isEqualTo("40010100" + "400200" + "4003040a000001" + "e06302abcd");
    }

    @Test
    void extendedLengthIsAcceptedOnInputAndUsedOnOutputOnlyWhenNeeded() {
        String body = """
                0000 000f
                50 01 0001 00                 # ORIGIN with Extended Length flag: len 0x0001
                40 02 00
                40 03 04 0a000001
                08 0a
                """;
        RecordingHandler h = new RecordingHandler();
        assertThat(decoder.decode(Hex.buf(body), true, false, h)).isNull();
        AttributesBuilder b = new AttributesBuilder().load(h.attributes);
        for (int i = 0; i < 70; i++) {
            b.addCommunity(65000 << 16 | i);
        }
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, interner.intern(b), true, true);
        // 70 communities = 280 octets > 255: flags 0xd0 (optional, transitive, extended), 2-octet length 0x0118
        assertThat(Hex.hex(out)).contains("d0080118fde80000fde80001");
        assertThat(Hex.hex(out)).startsWith("40010100"); // small ones stay short
    }

    @Test
    void packsManyPrefixesWithOneAttributeSetIntoFewUpdates() {
        PathAttributes a = interner.intern(new AttributesBuilder().origin(0)
                .appendSegment(AttributeType.AS_SEQUENCE, 65000).nextHop(0xc6336401));
        // Leak tracking off for this allocator only: paranoid mode records every write, and this
        // test writes a hundred thousand prefixes (the other tests keep it on).
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
        for (int max : new int[] {4096, 65535}) {
            int n = 100_000;
            int attrLen = 4 + 9 + 7;
            int perMessage = (max - 19 - 2 - 2 - attrLen) / 4; // a /24 costs 4 octets
            UpdateWriter w = new UpdateWriter();
            int messages = 0;
            int prefixes = 0;
            RecordingCounter counter = new RecordingCounter();
            for (int i = 0; i < n; i++) {
                int addr = 0x0a000000 + (i << 8);
                if (!w.active()) {
                    w.startAnnounce4(alloc, max, a, true);
                }
                if (!w.add4(addr, 24)) {
                    messages += emit(w, counter);
                    w.startAnnounce4(alloc, max, a, true);
                    w.add4(addr, 24);
                }
                prefixes++;
            }
            messages += emit(w, counter);
            assertThat(messages).isEqualTo((n + perMessage - 1) / perMessage);
            assertThat(counter.announced).isEqualTo(prefixes);
            assertThat(counter.maxSize).isLessThanOrEqualTo(max);
        }
    }

    private int emit(UpdateWriter w, RecordingCounter counter) {
        ByteBuf m = w.finish();
        counter.maxSize = Math.max(counter.maxSize, m.readableBytes());
        assertThat(m.getUnsignedShort(16)).isEqualTo(m.readableBytes());
        assertThat(decoder.decode(m.slice(19, m.readableBytes() - 19), true, false, counter)).isNull();
        m.release();
        return 1;
    }

    static final class RecordingCounter implements UpdateHandler {
        int announced;
        int maxSize;

        @Override
        public void withdraw4(int address, int length) {
        }

        @Override
        public void announce4(int address, int length, PathAttributes attributes) {
            announced++;
        }

        @Override
        public void withdraw6(long hi, long lo, int length) {
        }

        @Override
        public void announce6(long hi, long lo, int length, PathAttributes attributes) {
            announced++;
        }

        @Override
        public void endOfRib(int afi, int safi) {
        }
    }
}
