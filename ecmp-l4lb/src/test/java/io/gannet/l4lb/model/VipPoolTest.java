package io.gannet.l4lb.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The VIP pool holds IPv4 and IPv6 prefixes and matches an address against its own family only. */
class VipPoolTest {
    final VipPool pool = VipPool.of(List.of("203.0.113.0/24", "2001:db8:113::/64", "2001:db8:200::7"));

    @Test
    void ipv6AddressesInsideAndOutside() {
        assertThat(pool.contains(Ipv6.parse("2001:db8:113::10"))).isTrue();
        assertThat(pool.contains(Ipv6.parse("2001:db8:113:0:ffff:ffff:ffff:ffff"))).as("last of the /64").isTrue();
        assertThat(pool.contains(Ipv6.parse("2001:db8:113:1::10"))).as("next /64").isFalse();
        assertThat(pool.contains(Ipv6.parse("2001:db8:200::7"))).as("a lone address is a /128").isTrue();
        assertThat(pool.contains(Ipv6.parse("2001:db8:200::8"))).isFalse();
        assertThat(pool.contains(Ipv6.parse("64:ff9b::cb00:710a"))).as("no IPv4 prefix matches an IPv6 address (NAT64 form)").isFalse();
        assertThat(pool.contains(Ipv4.parse("203.0.113.10"))).isTrue();
        assertThat(pool.contains(Ipv4.parse("0.0.0.7"))).as("no IPv6 prefix matches an IPv4 address").isFalse();
    }

    @Test
    void ipv6PrefixesAcrossTheSixtyFourBitHalves() {
        VipPool p = VipPool.of(List.of("2001:db8::/32", "2001:db8:ffff:ffff:8000::/65", "::/0"));
        assertThat(p.containsPrefix(Ipv6.parse("2001:db8:1::"), 48)).isTrue();
        assertThat(p.containsPrefix(Ipv6.parse("2001:db8::"), 31)).as("wider than every prefix but ::/0").isTrue();
        VipPool narrow = VipPool.of(List.of("2001:db8:ffff:ffff:8000::/65"));
        assertThat(narrow.contains(Ipv6.parse("2001:db8:ffff:ffff:8000::1"))).isTrue();
        assertThat(narrow.contains(Ipv6.parse("2001:db8:ffff:ffff:7fff::1"))).as("bit 65 differs").isFalse();
        assertThat(narrow.containsPrefix(Ipv6.parse("2001:db8:ffff:ffff:8000::10"), 128)).isTrue();
        assertThat(narrow.containsPrefix(Ipv6.parse("2001:db8:ffff:ffff::"), 64)).as("wider than the pool").isFalse();
        assertThat(VipPool.of(List.of("203.0.113.0/24")).contains(Ipv6.parse("2001:db8::1"))).isFalse();
    }

    @Test
    void printsBothFamiliesAndRefusesBadLengths() {
        assertThat(pool).hasToString("203.0.113.0/24, 2001:db8:113::/64, 2001:db8:200::7/128");
        assertThatThrownBy(() -> VipPool.of(List.of("2001:db8::/129"))).hasMessageContaining("0-128");
        assertThatThrownBy(() -> VipPool.of(List.of("203.0.113.0/33"))).hasMessageContaining("0-32");
    }
}
