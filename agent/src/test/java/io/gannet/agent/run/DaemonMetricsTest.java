package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.control.RawHttp;
import io.gannet.agent.metrics.PrometheusTextParser;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "state that is true": metrics that were constants, each changed by a real BIRD leaf
 * and read from the running daemon's /metrics through a Prometheus parser. BIRD announces two
 * routes, the profile's import policy takes one: the best-path counts
 * ({@code gannet_bgp_prefixes_best}, {@code bird_protocol_prefix_preferred_count}) become 1, the
 * route change counters count 2 received / 1 filtered / 1 accepted, the Adj-RIB-In (before
 * import policy, as its help says) holds 2; BIRD withdraws both: the withdraw counters move and
 * the best count drops to 0; a reset sets the last error and its timestamp.
 */
class DaemonMetricsTest extends DaemonAgainstBird {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: metrics-e2e
            spec:
              model: ebgp-leaf
              asn:
                scheme: per-node
                base: 4200000001
              podCIDRPool:
                cidr: 10.244.0.0/16
                prefixLength: 24
              bgp:
                holdTime: 9
                connectRetry: 1
              bfd:
                enabled: false
              policies:
                node:
                  import:
                    - {name: take-testnet3, match: {prefixes: [{prefix: 203.0.113.0/24}]}, action: accept}
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.21.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.21.1, podCIDR: 10.244.21.0/24}
            """;

    DaemonMetricsTest() {
        super("mxn", "mx-node", "10.255.21.1/30", "mxs", "mx-sw", "10.255.21.2/30");
    }

    @Test
    void bestPathChangeCountersAndLastErrorTimeFollowTheSwitch() throws Exception {
        Files.writeString(profile, PROFILE);
        // 192.0.2.0/24 goes out with our own AS in its path: an AS loop, which BIRD counts as rejected.
        String conf = GannetProcess.render(profile, "sw1", "bird").replace("export none;", "export filter { if proto != \"mx_static\" then reject;"
                + " if net = 192.0.2.0/24 then bgp_path.prepend(4200000001); accept; };")
                + "\nprotocol static mx_static { ipv4; route 203.0.113.0/24 blackhole; route 198.51.100.0/24 blackhole;"
                + " route 192.0.2.0/24 blackhole; }\n";
        bird = BirdSwitch.start(swNs, dir, conf);
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1");
        awaitTrue("three routes received, one accepted, published", () -> metric("gannet_bgp_prefixes_received", "peer", "sw1") == 3
                && metric("gannet_bgp_prefixes_accepted", "peer", "sw1") == 1);

        assertThat(metric("gannet_bgp_prefixes_best", "peer", "sw1")).isEqualTo(1);
        assertThat(metric("bird_protocol_prefix_preferred_count", "name", "sw1")).isEqualTo(1);
        assertThat(metric("bird_protocol_changes_update_import_receive_count", "name", "sw1")).isEqualTo(3);
        assertThat(metric("bird_protocol_changes_update_import_reject_count", "name", "sw1")).as("the AS loop").isEqualTo(1);
        assertThat(metric("bird_protocol_changes_update_import_filter_count", "name", "sw1")).isEqualTo(1);
        assertThat(metric("bird_protocol_changes_update_import_ignore_count", "name", "sw1")).isZero();
        assertThat(metric("bird_protocol_changes_update_import_accept_count", "name", "sw1")).isEqualTo(1);
        assertThat(metric("bird_protocol_changes_update_export_accept_count", "name", "sw1")).isGreaterThanOrEqualTo(1);
        // Before import policy, as the help text says: all three of BIRD's routes.
        assertThat(metric("gannet_bgp_adj_rib_in_paths", "family", "ipv4")).isEqualTo(3);
        assertThat(gannet.cli("show", "routes", "--peer", "sw1", "--rejected")).contains("192.0.2.0/24").contains("198.51.100.0/24")
                .doesNotContain("203.0.113.0/24");

        // BIRD sends its table again (reload out): the same paths change nothing, counted as ignored.
        assertThat(bird.birdc("reload", "out", "host_node1")).doesNotContain("syntax error");
        awaitTrue("the resent routes counted as ignored", () -> metric("bird_protocol_changes_update_import_ignore_count", "name", "sw1") >= 1);
        assertThat(metric("bird_protocol_changes_update_import_accept_count", "name", "sw1")).isEqualTo(1);
        assertThat(scrape()).contains("# HELP gannet_bgp_adj_rib_in_paths Paths in all Adj-RIBs-In, before import policy");

        // BIRD withdraws both.
        assertThat(bird.birdc("disable", "mx_static")).contains("disabled");
        awaitTrue("withdrawals counted", () -> metric("bird_protocol_changes_withdraw_import_receive_count", "name", "sw1") == 3);
        assertThat(metric("bird_protocol_changes_withdraw_import_accept_count", "name", "sw1")).isEqualTo(3);
        assertThat(metric("gannet_bgp_prefixes_best", "peer", "sw1")).isZero();
        assertThat(metric("bird_protocol_prefix_preferred_count", "name", "sw1")).isZero();

        // A reset: the last error and when it happened.
        long before = System.currentTimeMillis() / 1000;
        assertThat(gannet.cliResult("peer", "reset", "sw1", "--message", "metrics test").exit()).isZero();
        awaitTrue("last error time published", () -> metric("gannet_bgp_peer_last_error_timestamp_seconds", "peer", "sw1") >= before);
        assertThat(metric("gannet_bgp_peer_last_error_timestamp_seconds", "peer", "sw1"))
                .isLessThanOrEqualTo(System.currentTimeMillis() / 1000.0 + 1);
    }

    private String scrape() {
        try {
            return RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body();
        } catch (IOException e) {
            return "";
        }
    }

    private double metric(String name, String... labels) {
        try {
            return PrometheusTextParser.find(PrometheusTextParser.parse(scrape()), name, labels).value();
        } catch (RuntimeException | AssertionError e) {
            return Double.NaN;
        }
    }

    private void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(45), Duration.ofMillis(250), bird::diagnostics);
    }
}
