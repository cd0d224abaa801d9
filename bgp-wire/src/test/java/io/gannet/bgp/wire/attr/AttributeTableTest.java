package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.FLAG_OPTIONAL;
import static io.gannet.bgp.wire.attr.AttributeType.FLAG_TRANSITIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks {@link AttributeTable} against the RFCs, written out here independently of it: every type
 * Gannet knows has a row with the RFC's flags and RFC 7606 action, and the decoder, given a
 * malformed instance of each type (bad flags, bad length or bad structure), does what the row says.
 */
class AttributeTableTest {
    private static final int WK = FLAG_TRANSITIVE;                       // well-known (O=0, T=1)
    private static final int ON = FLAG_OPTIONAL;                         // optional non-transitive
    private static final int OT = FLAG_OPTIONAL | FLAG_TRANSITIVE;       // optional transitive
    private static final Action WITHDRAW = Action.TREAT_AS_WITHDRAW;
    private static final Action DISCARD = Action.ATTRIBUTE_DISCARD;
    private static final Action RESET = Action.SESSION_RESET;

    private static final String ORIGIN = "40 01 01 00 ";
    private static final String AS_PATH4 = "40 02 06 02 01 0000fde8 ";
    private static final String AS_PATH2 = "40 02 04 02 01 fde8 ";
    private static final String NEXT_HOP = "40 03 04 0a000001 ";
    private static final String NLRI = "18 0a0001";

    /**
     * Code, name, flags, malformed action (with where each says so), a well-formed value, a value
     * of a wrong length or structure (null when the length is not the decoder's to judge alone).
     */
    record Rfc(int code, String name, int flags, Action malformed, String goodValue, String badValue) {
    }

    static final List<Rfc> RFC = List.of(
            new Rfc(1, "ORIGIN", WK, WITHDRAW, "00", "0000"),                         // RFC 4271 5.1.1; 7606 7.1
            new Rfc(2, "AS_PATH", WK, WITHDRAW, "02 01 0000fde8", "02 05 0000fde8"),  // RFC 4271 5.1.2; 7606 7.2
            new Rfc(3, "NEXT_HOP", WK, WITHDRAW, "0a000001", "0a00000100"),           // RFC 4271 5.1.3; 7606 7.3
            new Rfc(4, "MULTI_EXIT_DISC", ON, WITHDRAW, "00000001", "000001"),        // RFC 4271 5.1.4; 7606 7.4
            new Rfc(5, "LOCAL_PREF", WK, WITHDRAW, "00000064", "0064"),               // RFC 4271 5.1.5; 7606 7.5
            new Rfc(6, "ATOMIC_AGGREGATE", WK, DISCARD, "", "00"),                    // RFC 4271 5.1.6; 7606 7.6
            new Rfc(7, "AGGREGATOR", OT, DISCARD, "0000fde8 0a000001", "0000fde8 0a0000"), // 4271 5.1.7; 7606 7.7
            new Rfc(8, "COMMUNITIES", OT, WITHDRAW, "fde80001", "fde800"),            // RFC 1997; 7606 7.8
            new Rfc(9, "ORIGINATOR_ID", ON, WITHDRAW, "0a000002", "0a0000"),          // RFC 4456 8; 7606 7.9
            new Rfc(10, "CLUSTER_LIST", ON, WITHDRAW, "0a000003", "0a00000300"),      // RFC 4456 8; 7606 7.10
            new Rfc(14, "MP_REACH_NLRI", ON, RESET,                                   // RFC 4760 3; 7606 7.11
                    "0002 01 10 20010db8000000000000000000000001 00", "0002 01 00"),
            new Rfc(15, "MP_UNREACH_NLRI", ON, RESET, "0002 01", "0002"),             // RFC 4760 4; 7606 7.12
            new Rfc(16, "EXTENDED_COMMUNITIES", OT, WITHDRAW, "0002fde800000064", "0002fde8000000"), // 4360; 7606 7.14
            new Rfc(17, "AS4_PATH", OT, DISCARD, "02 01 0000fde8", "02 01 fde8"),     // RFC 6793 3, 6
            new Rfc(18, "AS4_AGGREGATOR", OT, DISCARD, "0000fde8 0a000001", "0000fde8"), // RFC 6793 3, 6
            new Rfc(32, "LARGE_COMMUNITY", OT, WITHDRAW,                              // RFC 8092 2, 5
                    "0000fde8 00000001 00000002", "0000fde8 00000001"));

    static Stream<Arguments> rows() {
        return RFC.stream().map(r -> Arguments.of(r.name(), r));
    }

    @Test
    void everyKnownTypeHasARowAndNoOtherTypeHasOne() {
        List<Integer> known = new ArrayList<>();
        for (int type = 0; type < 256; type++) {
            if (AttributeTable.spec(type) != null) {
                known.add(type);
            }
        }
        assertThat(known).containsExactlyElementsOf(RFC.stream().map(Rfc::code).toList());
        assertThat(AttributeType.name(99)).isEqualTo("ATTR99");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rowHasTheRfcFlagsAndAction(String name, Rfc rfc) {
        AttributeSpec s = AttributeTable.spec(rfc.code());
        assertThat(s.name).isEqualTo(rfc.name()).isEqualTo(AttributeType.name(rfc.code()));
        assertThat(s.flags).as("Optional/Transitive bits").isEqualTo(rfc.flags());
        assertThat(s.malformed.action()).as("RFC 7606 action").isEqualTo(rfc.malformed());
        assertThat(s.decode).isNotNull();
        // MP_REACH/MP_UNREACH are written by UpdateWriter around the NLRI; the rest by the table.
        assertThat(s.encode == null).isEqualTo(rfc.code() == 14 || rfc.code() == 15);
        assertThat(s.length.fits(Hex.bytes(rfc.goodValue()).length, rfc.code() == 7 ? 4 : 2)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decoderActsOnBadFlagsAsTheRowSays(String name, Rfc rfc) {
        AttributeSpec s = AttributeTable.spec(rfc.code());
        UpdateError e = decode(rfc, rfc.flags() ^ FLAG_OPTIONAL, rfc.goodValue(), true);
        assertThat(e).as(name).isNotNull();
        assertThat(e.action()).isEqualTo(s.malformed.action()).isEqualTo(rfc.malformed());
        assertThat(e.subcode()).isEqualTo(s.malformed.flagsSubcode());
        // The attribute as received goes into the NOTIFICATION data (RFC 4271 6.3).
        assertThat(e.data()[1] & 0xFF).isEqualTo(rfc.code());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decoderActsOnABadValueAsTheRowSays(String name, Rfc rfc) {
        AttributeSpec s = AttributeTable.spec(rfc.code());
        RecordingHandler h = new RecordingHandler();
        UpdateError e = decode(rfc, rfc.flags(), rfc.badValue(), true, h);
        assertThat(e).as(name).isNotNull();
        assertThat(e.action()).isEqualTo(s.malformed.action()).isEqualTo(rfc.malformed());
        if (rfc.code() == 2) {
            assertThat(e.subcode()).isEqualTo(UpdateError.MALFORMED_AS_PATH); // RFC 7606 7.2
        } else {
            assertThat(e.subcode()).isEqualTo(s.malformed.lengthSubcode());
        }
        switch (e.action()) {
            case SESSION_RESET -> assertThat(h.events).isEmpty();
            case TREAT_AS_WITHDRAW -> assertThat(h.events).containsExactly("-10.0.1.0/24");
            case ATTRIBUTE_DISCARD -> assertThat(h.events).containsExactly("+10.0.1.0/24");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aWellFormedInstanceIsClean(String name, Rfc rfc) {
        RecordingHandler h = new RecordingHandler();
        assertThat(decode(rfc, rfc.flags(), rfc.goodValue(), true, h)).as(name).isNull();
        assertThat(h.events).containsExactly("+10.0.1.0/24");
    }

    @Test
    void reflectionAndLocalPrefAreIgnoredFromAnExternalPeerEvenWhenMalformed() {
        for (Rfc rfc : RFC) {
            if (AttributeTable.spec(rfc.code()).has(AttributeSpec.IBGP_ONLY)) {
                assertThat(decode(rfc, rfc.flags() ^ FLAG_OPTIONAL, rfc.badValue(), false)).as(rfc.name()).isNull();
            }
        }
        assertThat(RFC.stream().filter(r -> AttributeTable.spec(r.code()).has(AttributeSpec.IBGP_ONLY))
                .map(Rfc::name)).containsExactly("LOCAL_PREF", "ORIGINATOR_ID", "CLUSTER_LIST");
    }

    @Test
    void encoderWritesEachAttributeWithItsRowsFlags() {
        AttributesBuilder b = new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, 70000, 65000)
                .nextHop(0x0a000001).med(1).localPref(100).atomicAggregate(true).aggregator(70000, 0x0a000002)
                .addCommunity(1).originatorId(2).prependClusterId(3).addExtendedCommunity(4).addLargeCommunity(5, 6, 7);
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, new AttributeInterner().intern(b), false, true); // 2-octet: AS4_* too
        List<Integer> written = new ArrayList<>();
        while (out.isReadable()) {
            int flags = out.readUnsignedByte();
            int type = out.readUnsignedByte();
            int len = (flags & AttributeType.FLAG_EXTENDED_LENGTH) != 0 ? out.readUnsignedShort() : out.readUnsignedByte();
            out.skipBytes(len);
            assertThat(flags & OT).as(AttributeType.name(type)).isEqualTo(AttributeTable.spec(type).flags);
            written.add(type);
        }
        assertThat(written).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 32);
    }

    private UpdateError decode(Rfc rfc, int flags, String value, boolean ibgp) {
        return decode(rfc, flags, value, ibgp, new RecordingHandler());
    }

    /**
     * An UPDATE with one IPv4 prefix, the mandatory attributes (less the one under test) and the
     * attribute under test; AS4_* go to a 2-octet session (between 4-octet speakers they are ignored).
     */
    private static UpdateError decode(Rfc rfc, int flags, String value, boolean ibgp, RecordingHandler h) {
        boolean fourOctetAs = !AttributeTable.spec(rfc.code()).has(AttributeSpec.TWO_OCTET_AS_ONLY);
        byte[] v = Hex.bytes(value);
        ByteBuf attrs = Unpooled.buffer();
        attrs.writeBytes(Hex.bytes(rfc.code() == 1 ? "" : ORIGIN));
        attrs.writeBytes(Hex.bytes(rfc.code() == 2 ? "" : fourOctetAs ? AS_PATH4 : AS_PATH2));
        attrs.writeBytes(Hex.bytes(rfc.code() == 3 ? "" : NEXT_HOP));
        attrs.writeByte(flags).writeByte(rfc.code()).writeByte(v.length).writeBytes(v);
        ByteBuf body = Unpooled.buffer().writeShort(0).writeShort(attrs.readableBytes()).writeBytes(attrs)
                .writeBytes(Hex.bytes(NLRI));
        return new UpdateDecoder(new AttributeInterner()).decode(body, fourOctetAs, ibgp, h);
    }
}
