package io.gannet.bpf.maps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ReasonTest {
    @Test
    void everyReasonHasOneOfTheDocumentedVerdicts() {
        for (Reason r : Reason.values()) {
            assertThat(r.verdict()).as(r.name()).isIn("pass", "nat", "reject", "drop", "redirect", "conntrack");
            assertThat(r.label()).as(r.name()).matches("[a-z0-9_]+").startsWith(r.verdict().equals("conntrack") ? "ct_" : r.verdict() + "_");
        }
        assertThat(Reason.DROP_NO_ROUTE.verdict()).isEqualTo("drop");
        assertThat(Reason.DROP_NO_ROUTE.label()).isEqualTo("drop_no_route");
        assertThat(Reason.REDIRECT_FIB.verdict()).isEqualTo("redirect");
        assertThat(Reason.CT_NEW_PLAIN.verdict()).isEqualTo("conntrack");
        assertThat(Reason.CT_PORT_REMAP.verdict()).isEqualTo("conntrack");
        assertThat(EnumSet.allOf(Reason.class).stream().filter(r -> r.verdict().equals("drop")).count()).isGreaterThan(5);
    }
}
