package io.gannet.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Operator-typed values: prefixes, communities, large communities, families. */
class ValuesTest {

    @Test
    void prefixesParseStrictlyAndPrintCanonically() {
        assertThat(IpPrefix.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(IpPrefix.parse("2001:0db8:0:0::/32").toString()).isEqualTo("2001:db8::/32");
        assertThat(IpPrefix.parse("192.0.2.7").toString()).isEqualTo("192.0.2.7/32");
        assertThat(IpPrefix.parse("::/0").toString()).isEqualTo("::/0");
        assertThat(IpPrefix.parse("10.0.0.0/8").covers(IpPrefix.parse("10.1.2.0/24"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.0/8").covers(IpPrefix.parse("11.0.0.0/24"))).isFalse();
        assertThat(IpPrefix.parse("10.0.0.0/8").covers(IpPrefix.parse("2001:db8::/32"))).isFalse();
        String[][] bad = {
            {"", "prefix is empty"},
            {"10.0.0.0/", "prefix '10.0.0.0/' has no valid length after '/'"},
            {"10.0.0.0/+8", "prefix '10.0.0.0/+8' has no valid length after '/'"},
            {"10.0.0.0/8/9", "prefix '10.0.0.0/8/9' has more than one '/'"},
            {"10.0.0.0/129", "prefix length 129 is out of range 0..32"},
            {"2001:db8::1/32", "prefix 2001:db8::1/32 has host bits set (the network is 2001:db8::/32)"},
            {"localhost/32", "prefix address 'localhost' is not an IPv4 or IPv6 address"},
            {"fe80::1%eth0/128", "prefix address 'fe80::1%eth0' has a zone id; give a plain address"},
            {"256.0.0.0/8", "prefix address '256.0.0.0' is not an IPv4 or IPv6 address"},
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> IpPrefix.parse(b[0])).as(b[0]).isInstanceOf(ControlException.class).hasMessage(b[1]);
        }
    }

    @Test
    void communities() {
        assertThat(Community.parse("65000:100").value()).isEqualTo(65000L << 16 | 100);
        assertThat(Community.parse("NO-EXPORT")).isEqualTo(Community.NO_EXPORT);
        assertThat(Community.parse("65535:65281").toString()).isEqualTo("no-export");
        assertThat(Community.parse("65535:666")).isEqualTo(Community.BLACKHOLE);
        assertThat(Community.parse("0:0").toString()).isEqualTo("0:0");
        for (String b : new String[] {"65000", "65000:", ":1", "1:2:3", "-1:2", "65536:0", "1:65536", "a:b", "99999999999:1"}) {
            assertThatThrownBy(() -> Community.parse(b)).as(b).isInstanceOf(ControlException.class);
        }
        assertThat(LargeCommunity.parse("4294967295:0:1").toString()).isEqualTo("4294967295:0:1");
        for (String b : new String[] {"1:2", "1:2:3:4", "4294967296:0:0", "1::2", "x:1:2"}) {
            assertThatThrownBy(() -> LargeCommunity.parse(b)).as(b).isInstanceOf(ControlException.class);
        }
    }

    @Test
    void familiesAndAsPaths() {
        assertThat(Family.parse("IPv6-unicast")).isEqualTo(Family.IPV6);
        assertThatThrownBy(() -> Family.parse("vpnv4")).hasMessage("family 'vpnv4' is not one of ipv4, ipv6");
        assertThat(AsPathSegment.format(java.util.List.of(AsPathSegment.sequence(65001L, 65002L),
                new AsPathSegment(AsPathSegment.Type.SET, java.util.List.of(3L, 4L))))).isEqualTo("65001 65002 {3 4}");
    }
}
