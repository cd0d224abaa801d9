package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv6;
import io.gannet.linux.netlink.Address;
import io.gannet.linux.netlink.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which IPv6 node addresses serve node ports, and which one Cluster flows of external frontends
 * are SNATed to (the first): a SLAAC host's temporary or deprecated address, which the kernel
 * may list first, must not be picked as the SNAT source, and a tentative or DAD-failed one is
 * not served at all.
 */
class NodeAddressesTest {
    private static Address addr(String cidr, int flags) {
        return new Address(2, Prefix.host(cidr), 0, flags);
    }

    private static Ipv6 v6(String a) {
        return Ipv6.of(Prefix.host(a + "/128").address().getAddress());
    }

    @Test
    void preferredAddressesComeFirstAndUnusableOnesAreLeftOut() {
        List<Ipv6> got = NodeAddresses.usable6(List.of(
                addr("2001:db8:1::aaaa/64", Address.F_TEMPORARY),
                addr("2001:db8:1::dead/64", Address.F_DEPRECATED),
                addr("2001:db8:1::bad/64", Address.F_DADFAILED),
                addr("2001:db8:1::7e57/64", Address.F_TENTATIVE),
                addr("2001:db8:1::1/64", Address.F_PERMANENT),
                addr("2001:db8:1::2/64", 0),
                addr("2001:db8:1::1/64", Address.F_PERMANENT)));
        assertThat(got).containsExactly(v6("2001:db8:1::1"), v6("2001:db8:1::2"), v6("2001:db8:1::aaaa"), v6("2001:db8:1::dead"));
    }

    @Test
    void withOnlyADeprecatedAddressItIsStillServed() {
        assertThat(NodeAddresses.usable6(List.of(addr("2001:db8:1::dead/64", Address.F_DEPRECATED))))
                .containsExactly(v6("2001:db8:1::dead"));
    }
}
