package io.gannet.bgp.wire;

import static io.gannet.bgp.wire.Hex.MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class RouteRefreshMessageTest {
    @Test
    void normalRequestGolden() throws BgpError {
        String golden = MARKER + "| 0017 | 05 | 0001 | 00 | 01";
        assertThat(Hex.hex(new RouteRefreshMessage(AddressFamily.IPV4_UNICAST, 0).encode(UnpooledByteBufAllocator.DEFAULT)))
                .isEqualTo(Hex.clean(golden));
        var whole = Hex.buf(golden);
        assertThat(RouteRefreshMessage.decode(whole.slice(19, 4), whole)).isEqualTo(new RouteRefreshMessage(1, 1, 0));
    }

    @Test
    void enhancedSubtypesGolden() throws BgpError {
        // RFC 7313 3.2: subtype in the former reserved octet; IPv6 BoRR and EoRR.
        String borr = MARKER + "| 0017 | 05 | 0002 | 01 | 01";
        assertThat(Hex.hex(new RouteRefreshMessage(AddressFamily.IPV6_UNICAST, 1).encode(UnpooledByteBufAllocator.DEFAULT)))
                .isEqualTo(Hex.clean(borr));
        var eorr = Hex.buf(MARKER + "| 0017 | 05 | 0002 | 02 | 01");
        assertThat(RouteRefreshMessage.decode(eorr.slice(19, 4), eorr).subtype()).isEqualTo(RouteRefreshMessage.EORR);
    }

    @Test
    void wrongLengthIsRouteRefreshErrorWithWholeMessage() {
        var whole = Hex.buf(MARKER + "| 0018 | 05 | 0001 | 00 | 01 | 00");
        BgpError e = catchThrowableOfType(BgpError.class, () -> RouteRefreshMessage.decode(whole.slice(19, 5), whole));
        assertThat(e.code()).isEqualTo(7);
        assertThat(e.subcode()).isEqualTo(1);
        assertThat(e.data()).hasSize(24);
    }
}
