package io.gannet.netpolicy.pods;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Store values of published pods: an IPv4 address, or the IPv6 address of an IPv6-only pod, and a
 * dual-stack pod's IPv6 address as address6; anything else is a problem.
 */
class PublishedPodTest {
    private static Optional<PublishedPod> read(String address, StringBuilder problem) {
        return PublishedPod.fromStore(PublishedPod.PREFIX + "node2/shop/web-0", "{\"address\": \"" + address + "\"}", problem);
    }

    @Test
    void anIpv6OnlyPodsAddressReadsBackAsPublished() {
        PublishedPod p = new PublishedPod("node2", "shop", "web-0", "fd00:10:245:1::3");
        StringBuilder problem = new StringBuilder();
        assertThat(PublishedPod.fromStore(p.storeKey(), p.toJson(), problem)).contains(p);
        assertThat(problem).isEmpty();
        assertThat(read("10.244.2.7", problem)).map(PublishedPod::address).contains("10.244.2.7");
    }

    @Test
    void aDualStackPodsTwoAddressesReadBackAndAValueWithoutAddress6IsOnePodAddress() {
        PublishedPod p = new PublishedPod("node2", "shop", "web-0", "10.244.2.7", "fd00:10:245:1::3");
        assertThat(p.toJson()).isEqualTo("{\"address\":\"10.244.2.7\",\"address6\":\"fd00:10:245:1::3\"}");
        StringBuilder problem = new StringBuilder();
        assertThat(PublishedPod.fromStore(p.storeKey(), p.toJson(), problem)).contains(p);
        assertThat(p.addresses()).containsExactly("10.244.2.7", "fd00:10:245:1::3");
        assertThat(read("10.244.2.7", problem).orElseThrow().addresses()).as("as older nodes write").containsExactly("10.244.2.7");
        assertThat(PublishedPod.fromStore(p.storeKey(), "{\"address\": \"10.244.2.7\", \"address6\": \"10.1.1.1\"}", problem)).isEmpty();
        assertThat(problem.toString()).contains("address6 '10.1.1.1' is not an IPv6 address");
    }

    @Test
    void whatIsNoAddressIsAProblemNamingIt() {
        for (String bad : new String[] {"web-0.shop", "10.244.2", "fd00::1/64", "::ffff:10.1.2.3", ""}) {
            StringBuilder problem = new StringBuilder();
            assertThat(read(bad, problem)).as(bad).isEmpty();
            assertThat(problem.toString()).as(bad).contains("address '" + bad + "' is not an IPv4 or IPv6 address");
        }
    }
}
