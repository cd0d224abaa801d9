package io.gannet.agent.metrics;

import static io.gannet.agent.metrics.PrometheusTextParser.find;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.pod.ipam.BlockUsage;
import io.gannet.pod.ipam.IpBlock;
import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A dual-stack node's /metrics: each block with its own series, fixed IPs of both families counted. */
class IpamGaugesTest {

    @Test
    void aDualStackNodeShowsBothBlocksAndCountsTheFixedIpsOfBoth() throws Exception {
        BlockUsage v4 = new BlockUsage(IpBlock.parse("10.244.3.0/24"), InetAddress.getByName("10.244.3.1"), 253, 4, 1, 248, 1);
        BlockUsage v6 = new BlockUsage(IpBlock.parse("fd00:10:244:3::/64"), InetAddress.getByName("fd00:10:244:3::1"),
                Integer.MAX_VALUE, 4, 0, Integer.MAX_VALUE - 4, 1);
        try (GannetMetrics m = GannetMetrics.create(InstantSource.fixed(Instant.EPOCH))) {
            m.registry().getPrometheusRegistry().register(new IpamGauges(() -> List.of(v4, v6)));
            Map<String, PrometheusTextParser.Family> f = PrometheusTextParser.parse(m.scrape());
            assertThat(find(f, "gannet_ipam_addresses_used", "block", "10.244.3.0/24").value()).isEqualTo(4);
            assertThat(find(f, "gannet_ipam_addresses_free", "block", "10.244.3.0/24").value()).isEqualTo(248);
            assertThat(find(f, "gannet_ipam_addresses_used", "block", "fd00:10:244:3::/64").value()).isEqualTo(4);
            assertThat(find(f, "gannet_ipam_addresses_reserved", "block", "fd00:10:244:3::/64").value()).isZero();
            assertThat(f.get("gannet_ipam_fixed_ips").samples()).singleElement()
                    .satisfies(s -> assertThat(s.value()).as("one fixed IP of each family").isEqualTo(2));
        }
    }
}
