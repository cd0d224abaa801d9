package io.gannet.bpf.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.maps.PolicyMapKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The entries-to-keys encoding as data, without a kernel. */
class PolicyEncodingTest {
    @Test
    void aPortOnAnyProtocolIsWrittenPerPortProtocol() {
        Map<PolicyMapKey, PolicyEncoding.Verdict> m = PolicyEncoding.encode(5, List.of(new IngressEntry(300, 0, 53, 16, false, 1)));
        assertThat(m.keySet()).containsExactlyInAnyOrder(PolicyMapKey.of(5, 300, 6, 53, 16),
                PolicyMapKey.of(5, 300, 17, 53, 16), PolicyMapKey.of(5, 300, 132, 53, 16));
    }

    @Test
    void anAllowInsideADenyOfTheSameIdentityBecomesThatDeny() {
        Map<PolicyMapKey, PolicyEncoding.Verdict> m = PolicyEncoding.encode(5, List.of(
                new IngressEntry(300, 6, 6379, 16, false, 1),
                new IngressEntry(300, 6, 6144, 6, true, 2),   // ports 6144-7167, holding 6379
                new IngressEntry(301, 6, 6379, 16, false, 3), // another identity: untouched
                new IngressEntry(300, 6, 80, 16, false, 4),   // outside the deny
                new IngressEntry(300, 6, 80, 16, true, 5)));  // same key, deny wins
        assertThat(m.get(PolicyMapKey.of(5, 300, 6, 6379, 16))).isEqualTo(new PolicyEncoding.Verdict(true, 2));
        assertThat(m.get(PolicyMapKey.of(5, 301, 6, 6379, 16))).isEqualTo(new PolicyEncoding.Verdict(false, 3));
        assertThat(m.get(PolicyMapKey.of(5, 300, 6, 80, 16))).isEqualTo(new PolicyEncoding.Verdict(true, 5));
        assertThat(m).hasSize(4);
    }
}
