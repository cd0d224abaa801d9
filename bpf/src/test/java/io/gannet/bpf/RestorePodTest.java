package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.EndpointValue6;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link Datapath#restorePod}, what an agent does at start for each pod a previous agent wired:
 * a dual-stack pod attached before dp_endpoints6 existed gets its IPv6 source registered (its
 * programs and its dp_endpoints entry, policy flags included, left alone); a pod without
 * programs (an IPv6-only pod an earlier version wired without the datapath) is attached.
 */
class RestorePodTest {
    @Test
    void aDualStackPodGetsItsIpv6SourceBackAndAnUnattachedIpv6OnlyPodIsAttached() {
        Requirements.requireNetns();
        Path pins = DatapathFixture.uniquePinRoot();
        try (NetworkNamespace a = NetworkNamespace.create("dprst-a"); NetworkNamespace b = NetworkNamespace.create("dprst-b")) {
            a.linkTo(b, "lxc0", "10.202.0.1/30", "eth0", "10.202.0.2/30");
            a.linkTo(b, "lxc1", "10.202.0.5/30", "eth1", "10.202.0.6/30");
            DatapathOptions opts = DatapathFixture.options(pins).withNetns(Netns.named(a.name()));
            int programId;
            int ifindex;
            try (Datapath dp = Datapath.open(opts)) {
                ifindex = dp.attachPod("lxc0", "10.202.0.2", "fd00:202::2");
                programId = dp.attachedProgramId("lxc0", true);
                // as a Gannet before dp_endpoints6 left it: no entry, and a policy flag set meanwhile
                dp.endpoints6().delete(ifindex);
                dp.endpoints().put(ifindex, new EndpointValue(io.gannet.bpf.lb.Ipv4.parse("10.202.0.2"), 1));
            }
            try (Datapath dp = Datapath.open(opts)) {
                assertThat(dp.restorePod("lxc0", "10.202.0.2", "fd00:202::2")).isEqualTo("IPv6 source registered");
                Ipv6 v6 = Ipv6.parse("fd00:202::2");
                assertThat(dp.endpoints6().get(ifindex)).isEqualTo(new EndpointValue6(v6.hi(), v6.lo()));
                assertThat(dp.endpoints().get(ifindex).flags()).as("policy flags left alone").isEqualTo(1);
                assertThat(dp.attachedProgramId("lxc0", true)).as("programs left in place").isEqualTo(programId);
                assertThat(dp.restorePod("lxc0", "10.202.0.2", "fd00:202::2")).isEqualTo("in place");

                assertThat(dp.restorePod("lxc1", null, "fd00:202::6")).isEqualTo("attached");
                int idx1 = dp.ifindex("lxc1");
                assertThat(dp.attachedProgramId("lxc1", true)).isPositive();
                assertThat(dp.attachedProgramId("lxc1", false)).isPositive();
                assertThat(dp.endpoints().get(idx1).podAddr()).as("an IPv6-only pod: no IPv4 address").isZero();
                Ipv6 v61 = Ipv6.parse("fd00:202::6");
                assertThat(dp.endpoints6().get(idx1)).isEqualTo(new EndpointValue6(v61.hi(), v61.lo()));

                assertThat(dp.restorePod("gone0", "10.202.0.9", null)).isEqualTo("gone");
                dp.detachPod("lxc0");
                dp.detachPod("lxc1");
            }
        } finally {
            Datapath.removePins(pins);
        }
    }
}
