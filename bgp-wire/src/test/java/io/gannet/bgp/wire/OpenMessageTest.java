package io.gannet.bgp.wire;

import static io.gannet.bgp.wire.Hex.MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenMessageTest {
    /** Version 4, AS 65001, hold 90, id 10.0.0.1, capabilities MP IPv4, route refresh, 4-octet AS. */
    static final String SMALL = MARKER + "| 002d | 01"
            + "| 04 | fde9 | 005a | 0a000001 | 10"       // version, My AS, hold, id, opt param len 16
            + "| 02 0e"                                 // Capabilities parameter, 14 bytes
            + "| 01 04 0001 00 01"                      // MP: AFI 1, SAFI 1 (RFC 4760)
            + "| 02 00"                                 // route refresh (RFC 2918)
            + "| 41 04 0000fde9";                       // 4-octet AS 65001 (RFC 6793)

    @Test
    void smallOpenGolden() throws BgpError {
        OpenMessage open = new OpenMessage(4, 65001, 90, 0x0A000001L, List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.RouteRefresh(),
                new Capability.FourOctetAs(65001)));
        assertThat(Hex.hex(open.encode(UnpooledByteBufAllocator.DEFAULT))).isEqualTo(Hex.clean(SMALL));
        assertThat(OpenMessage.decode(Hex.buf(SMALL).skipBytes(19))).isEqualTo(open);
    }

    @Test
    void everyCapabilityRoundTripsWithGoldenBytes() throws BgpError {
        String body = "04 | 5ba0 | 00b4 | c0000201 | 23"    // AS_TRANS 23456, hold 180, id 192.0.2.1, 35 bytes
                + "| 02 21"
                + "| 01 04 0002 00 01"                      // MP IPv6 unicast
                + "| 46 00"                                 // enhanced route refresh (RFC 7313)
                + "| 06 00"                                 // extended message (RFC 8654)
                + "| 41 04 fa56ea01"                        // 4-octet AS 4200000001
                + "| 40 06 8078 0002 01 80"                 // GR: R bit, 120 s, IPv6 unicast F bit (RFC 4724)
                + "| 49 07 05 67616e6e6574";                // unknown code 73 (FQDN), kept verbatim
        OpenMessage open = OpenMessage.decode(Hex.buf(body));
        assertThat(open.myAs()).isEqualTo(OpenMessage.AS_TRANS);
        assertThat(open.effectiveAs()).isEqualTo(4200000001L);
        assertThat(open.families()).containsExactly(AddressFamily.IPV6_UNICAST);
        Capability.GracefulRestart gr = open.capability(Capability.GracefulRestart.class);
        assertThat(gr.restartState()).isTrue();
        assertThat(gr.restartTimeSeconds()).isEqualTo(120);
        assertThat(gr.families()).containsExactly(new Capability.GracefulRestart.Family(AddressFamily.IPV6_UNICAST, true));
        assertThat(open.capabilities()).contains(new Capability.Unknown(73, Hex.bytes("0567616e6e6574")));
        assertThat(Hex.hex(open.encode(UnpooledByteBufAllocator.DEFAULT)))
                .isEqualTo(Hex.clean(MARKER + "| 0040 | 01 |" + body));
    }

    @Test
    void rfc8950ExtendedNextHopCapabilityRoundTripsAndABadLengthIsAnOpenError() throws BgpError {
        String body = "04 | fde8 | 00b4 | c0000201 | 0a"
                + "| 02 08"
                + "| 05 06 0001 0001 0002";                 // IPv4 unicast NLRI, IPv6 next hop
        OpenMessage open = OpenMessage.decode(Hex.buf(body));
        Capability.ExtendedNextHop enh = open.capability(Capability.ExtendedNextHop.class);
        assertThat(enh.allows(AddressFamily.IPV4_UNICAST, 2)).isTrue();
        assertThat(enh.allows(AddressFamily.IPV6_UNICAST, 1)).isFalse();
        assertThat(Hex.hex(open.encode(UnpooledByteBufAllocator.DEFAULT))).isEqualTo(Hex.clean(MARKER + "| 0027 | 01 |" + body));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> OpenMessage.decode(Hex.buf("04 | fde8 | 00b4 | c0000201 | 07 | 02 05 | 05 03 0001 00")))
                .isInstanceOf(BgpError.class).hasMessageContaining("capability 5 has bad length 3");
    }

    @Test
    void noMultiprotocolCapabilityMeansIpv4Unicast() throws BgpError {
        OpenMessage open = OpenMessage.decode(Hex.buf("04 fde9 005a 0a000001 00"));
        assertThat(open.families()).containsExactly(AddressFamily.IPV4_UNICAST);
        assertThat(open.capabilities()).isEmpty();
    }

    @Test
    void rfc9072ExtendedParametersAreDecoded() throws BgpError {
        // Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length 9, param type 2 with 2-octet length 6.
        OpenMessage open = OpenMessage.decode(Hex.buf("04 fde9 005a 0a000001 ff | ff 0009 | 02 0006 | 01 04 0001 00 01"));
        assertThat(open.families()).containsExactly(AddressFamily.IPV4_UNICAST);
    }

    @Test
    void unsupportedVersionCarriesOurVersion() {
        BgpError e = catchThrowableOfType(BgpError.class, () -> OpenMessage.decode(Hex.buf("03 fde9 005a 0a000001 00")));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.subcode()).isEqualTo(1);
        assertThat(e.data()).containsExactly(0, 4);
    }

    @Test
    void unknownOptionalParameterIsUnsupported() {
        // Type 1 (deprecated authentication) is not supported either.
        BgpError e = catchThrowableOfType(BgpError.class, () -> OpenMessage.decode(Hex.buf("04 fde9 005a 0a000001 03 | 01 01 00")));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.subcode()).isEqualTo(4);
    }

    @Test
    void truncatedParametersAreOpenErrors() {
        for (String bad : List.of("04 fde9 005a 0a000001 05 | 02 06 01 04 00",   // param longer than the rest
                "04 fde9 005a 0a000001 04 | 02 02 01 04",                          // capability longer than param
                "04 fde9 005a 0a000001 05 | 02 03 41 01 00",                       // 4-octet AS of length 1
                "04 fde9 005a 0a000001 09")) {                                     // declared length beyond body
            BgpError e = catchThrowableOfType(BgpError.class, () -> OpenMessage.decode(Hex.buf(bad)));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.code()).as(bad).isEqualTo(2);
        }
    }
}
