package io.gannet.bgp.wire.attr;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** RFC 7606 revised error handling, attribute by attribute (section 7) and for the message (sections 3-5). */
class UpdateErrorHandlingTest {
    static final String ORIGIN = "40 01 01 00 ";
    static final String AS_PATH = "40 02 06 02 01 0000fde8 ";
    static final String NEXT_HOP = "40 03 04 0a000001 ";
    static final String MANDATORY = ORIGIN + AS_PATH + NEXT_HOP;
    static final String NLRI = "18 0a0001 10 ac10"; // 10.0.1.0/24, 172.16.0.0/16

    private final UpdateDecoder decoder = new UpdateDecoder(new AttributeInterner());

    /** Builds an UPDATE body around hex attributes and NLRI, computing both length fields. */
    static ByteBuf body(String withdrawn, String attrs, String nlri) {
        byte[] w = Hex.bytes(withdrawn);
        byte[] a = Hex.bytes(attrs);
        byte[] n = Hex.bytes(nlri);
        ByteBuf b = Unpooled.buffer();
        b.writeShort(w.length).writeBytes(w).writeShort(a.length).writeBytes(a).writeBytes(n);
        return b;
    }

    static Stream<Arguments> attributeErrors() {
        return Stream.of(
                // name, attributes, action, subcode
                Arguments.of("ORIGIN length 2 (7.1)", "40 01 02 0000 " + AS_PATH + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("ORIGIN value 3 (7.1)", "40 01 01 03 " + AS_PATH + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 6),
                Arguments.of("ORIGIN marked optional (3.c)", "c0 01 01 00 " + AS_PATH + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 4),
                Arguments.of("AS_PATH segment overrun (7.2)", ORIGIN + "40 02 04 02 02 fde8 " + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("AS_PATH segment type 7 (7.2)", ORIGIN + "40 02 06 07 01 0000fde8 " + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("AS_PATH zero-length segment (7.2)", ORIGIN + "40 02 02 02 00 " + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("NEXT_HOP length 5 (7.3)", ORIGIN + AS_PATH + "40 03 05 0a00000100 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("NEXT_HOP 0.0.0.0 (RFC 4271 6.3, 7606 7.3)", ORIGIN + AS_PATH + "40 03 04 00000000 ", Action.TREAT_AS_WITHDRAW, 8),
                Arguments.of("NEXT_HOP multicast 224.0.0.5", ORIGIN + AS_PATH + "40 03 04 e0000005 ", Action.TREAT_AS_WITHDRAW, 8),
                Arguments.of("NEXT_HOP broadcast", ORIGIN + AS_PATH + "40 03 04 ffffffff ", Action.TREAT_AS_WITHDRAW, 8),
                Arguments.of("MED length 3 (7.4)", MANDATORY + "80 04 03 000001 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("LOCAL_PREF length 2 (7.5)", MANDATORY + "40 05 02 0001 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("ATOMIC_AGGREGATE length 1 (7.6)", MANDATORY + "40 06 01 00 ", Action.ATTRIBUTE_DISCARD, 5),
                Arguments.of("AGGREGATOR length 7 (7.7)", MANDATORY + "c0 07 07 0000fde80a0000 ", Action.ATTRIBUTE_DISCARD, 5),
                Arguments.of("COMMUNITIES length 3 (7.8)", MANDATORY + "c0 08 03 000001 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("COMMUNITIES length 0 (7.8)", MANDATORY + "c0 08 00 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("ORIGINATOR_ID length 3 (7.9)", MANDATORY + "80 09 03 0a0000 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("CLUSTER_LIST length 5 (7.10)", MANDATORY + "80 0a 05 0a00000100 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("EXTENDED_COMMUNITIES length 7 (7.14)", MANDATORY + "c0 10 07 00020000000000 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("LARGE_COMMUNITY length 11 (RFC 8092 5)", MANDATORY + "c0 20 0b 0000000100000002000000 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("MED repeated (3.g)", MANDATORY + "80 04 04 00000001 80 04 04 00000002 ", Action.ATTRIBUTE_DISCARD, 1),
                Arguments.of("ORIGIN missing (3.d)", AS_PATH + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 3),
                Arguments.of("AS_PATH missing (3.d)", ORIGIN + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 3),
                Arguments.of("NEXT_HOP missing with NLRI (3.d)", ORIGIN + AS_PATH, Action.TREAT_AS_WITHDRAW, 3),
                Arguments.of("attribute overruns the field (4)", MANDATORY + "c0 08 08 00000001 ", Action.TREAT_AS_WITHDRAW, 5),
                Arguments.of("MP_REACH IPv6 next hop length 15 (7.11)", MANDATORY
                        + "80 0e 15 0002 01 0f 20010db800000000000000000000000100", Action.SESSION_RESET, 9),
                Arguments.of("MP_REACH repeated (3.g)", MANDATORY + "80 0e 05 0003 01 00 00 80 0e 05 0003 01 00 00",
                        Action.SESSION_RESET, 1),
                Arguments.of("MP_REACH prefix length 129 (5.3)", MANDATORY
                        + "80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81", Action.SESSION_RESET, 9),
                Arguments.of("MP_UNREACH too short (7.12)", MANDATORY + "80 0f 02 0002", Action.SESSION_RESET, 9),
                Arguments.of("MP_UNREACH prefix overrun (5.3)", MANDATORY + "80 0f 05 0002 01 20 20", Action.SESSION_RESET, 9),
                Arguments.of("unrecognized well-known attribute", MANDATORY + "40 63 00 ", Action.SESSION_RESET, 2),
                Arguments.of("AS4_PATH malformed from 2-octet peer (RFC 6793 6)", MANDATORY.replace(AS_PATH, "40 02 04 02 01 fde8 ")
                        + "c0 11 03 020100 ", Action.ATTRIBUTE_DISCARD, 9),
                Arguments.of("AS 0 in AS_PATH (RFC 7607 2)", ORIGIN + "40 02 0a 02 02 0000fde8 00000000 " + NEXT_HOP,
                        Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("AS 0 in an AS_SET (RFC 7607 2)", ORIGIN + "40 02 0e 02 01 0000fde8 01 02 00000000 0000fde9 "
                        + NEXT_HOP, Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("AS 0 in AS4_PATH from a 2-octet peer (RFC 7607 2)",
                        MANDATORY.replace(AS_PATH, "40 02 06 02 02 5ba0 fde8 ") + "c0 11 0a 02 02 00000000 0000fde8 ",
                        Action.TREAT_AS_WITHDRAW, 11),
                Arguments.of("AS 0 in AGGREGATOR (RFC 7607 2)", MANDATORY + "c0 07 08 00000000 0a000001 ",
                        Action.TREAT_AS_WITHDRAW, 9),
                Arguments.of("AS 0 in AS4_AGGREGATOR from a 2-octet peer (RFC 7607 2)",
                        MANDATORY.replace(AS_PATH, "40 02 04 02 01 fde8 ") + "c0 07 06 5ba0 0a000001 c0 12 08 00000000 0a000001 ",
                        Action.TREAT_AS_WITHDRAW, 9));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attributeErrors")
    void classifiesAttributeErrorsAsTheRfcSays(String name, String attrs, Action action, int subcode) {
        boolean fourOctet = !name.contains("2-octet");
        RecordingHandler h = new RecordingHandler();
        UpdateError e = decoder.decode(body("", attrs, NLRI), fourOctet, true, h);
        assertThat(e).as(name).isNotNull();
        assertThat(e.action()).as(name).isEqualTo(action);
        assertThat(e.code()).isEqualTo(3);
        assertThat(e.subcode()).as(name).isEqualTo(subcode);
        switch (action) {
            case SESSION_RESET -> assertThat(h.events).as("a reset delivers nothing").isEmpty();
            case TREAT_AS_WITHDRAW -> assertThat(h.events).containsExactly("-10.0.1.0/24", "-172.16.0.0/16");
            case ATTRIBUTE_DISCARD -> assertThat(h.events).containsExactly("+10.0.1.0/24", "+172.16.0.0/16");
        }
    }

    @Test
    void confederationSegmentsFromAnExternalPeerAreTreatAsWithdraw() {
        String confedSequence = ORIGIN + "40 02 0c 03 01 0000fdea 02 01 0000fde8 " + NEXT_HOP;
        String confedSet = ORIGIN + "40 02 0c 02 01 0000fde8 04 01 0000fdea " + NEXT_HOP;
        for (String attrs : new String[] {confedSequence, confedSet}) {
            RecordingHandler ebgp = new RecordingHandler();
            UpdateError e = decoder.decode(body("", attrs, NLRI), true, false, ebgp);
            assertThat(e.action()).isEqualTo(Action.TREAT_AS_WITHDRAW); // RFC 5065 5, RFC 7606 3
            assertThat(e.subcode()).isEqualTo(11);
            assertThat(ebgp.events).containsExactly("-10.0.1.0/24", "-172.16.0.0/16");
            // From an internal peer (a confederation member we share an AS with) the path stays.
            RecordingHandler ibgp = new RecordingHandler();
            assertThat(decoder.decode(body("", attrs, NLRI), true, true, ibgp)).isNull();
            assertThat(ibgp.events).containsExactly("+10.0.1.0/24", "+172.16.0.0/16");
        }
    }

    @Test
    void discardKeepsTheFirstOfRepeatedAttributesAndDropsTheMalformedOne() {
        RecordingHandler h = new RecordingHandler();
        decoder.decode(body("", MANDATORY + "80 04 04 00000001 80 04 04 00000002 40 06 01 00", NLRI), true, true, h);
        assertThat(h.attributes.med()).isEqualTo(1);
        assertThat(h.attributes.has(PathAttributes.ATOMIC_AGGREGATE)).isFalse();
    }

    @Test
    void notificationDataCarriesTheOffendingAttribute() {
        UpdateError e = decoder.decode(body("", MANDATORY + "40 63 02 abcd", NLRI), true, true, new RecordingHandler());
        assertThat(Hex.hex(e.data())).isEqualTo("406302abcd"); // RFC 4271 6.3
        UpdateError missing = decoder.decode(body("", AS_PATH + NEXT_HOP, NLRI), true, true, new RecordingHandler());
        assertThat(Hex.hex(missing.data())).isEqualTo("01"); // the missing type code
    }

    @Test
    void nextHopIsNotRequiredWhenOnlyMpReachCarriesNlri() {
        RecordingHandler h = new RecordingHandler();
        String mp = "80 0e 16 0002 01 10 20010db8000000000000000000000001 00 20 20010db8";
        mp = "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8";
        assertThat(decoder.decode(body("", ORIGIN + AS_PATH + mp, ""), true, false, h)).isNull();
        assertThat(h.events).containsExactly("+2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void treatAsWithdrawAlsoWithdrawsMpReachPrefixes() {
        RecordingHandler h = new RecordingHandler();
        String mp = "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8";
        UpdateError e = decoder.decode(body("", "40 01 01 09 " + AS_PATH + mp, ""), true, false, h);
        assertThat(e.action()).isEqualTo(Action.TREAT_AS_WITHDRAW);
        assertThat(h.events).containsExactly("-2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void messageLevelErrorsResetTheSession() {
        ByteBuf[] bad = {
                Hex.buf("00"),                                     // shorter than 4 octets
                Hex.buf("0009 18 0a0001 0000"),                    // withdrawn length overruns
                Hex.buf("0000 00ff 40010100"),                     // attribute length overruns
                body("21 0a000001", "", ""),                       // withdrawn prefix /33
                body("", MANDATORY, "21 0a00000100"),              // NLRI prefix /33
                body("", MANDATORY, "18 0a00"),                    // NLRI prefix truncated
        };
        for (ByteBuf b : bad) {
            RecordingHandler h = new RecordingHandler();
            UpdateError e = decoder.decode(b, true, false, h);
            assertThat(e.action()).as(Hex.hex(b)).isEqualTo(Action.SESSION_RESET);
            assertThat(e.subcode()).isIn(1, 10);
            assertThat(h.events).isEmpty();
        }
    }
}
