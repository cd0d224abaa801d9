package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.Requirements;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.render.FrrSwitchRenderer;
import io.gannet.topology.render.SwitchView;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every switch of every example, rendered for FRR, is loaded into a real bgpd: the log must
 * show no rejected line, and bgpd's own state must show each host's neighbor with the
 * profile's AS, timers, MD5 key and BFD parameters, plus the prefix lists and route-maps.
 */
class FrrSwitchConfigTest {
    static Stream<Arguments> switches() throws Exception {
        return Stream.of("ibgp-core.yaml", "ebgp-leaf.yaml", "demo.yaml", "../src/test/resources/valid/every-key.yaml").flatMap(f -> {
            try {
                LoadedProfile p = TopologyProfiles.load(Fixtures.example(f));
                return p.switchNames().stream().map(s -> Arguments.of(f, s));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("switches")
    void renderedConfigurationIsAcceptedByARealBgpd(String example, String switchName, @TempDir Path dir) throws Exception {
        Requirements.requireRoot();
        Requirements.requireCommand(FrrBgpd.BGPD);
        Requirements.requireCommand("vtysh");
        LoadedProfile p = TopologyProfiles.load(Fixtures.example(example));
        SecretResolver secrets = secretsFor(dir);
        SwitchView view = p.switchView(switchName, secrets);
        String config = FrrSwitchRenderer.render(view);
        Path file = dir.resolve("frr.conf");
        Files.writeString(file, config);

        String dry = FrrBgpd.dryRun(dir, file);
        assertThat(dry).as("bgpd -C on\n%s", config).doesNotContain("No such command").doesNotContain("Unknown command")
                .doesNotContain("[EC 100663304]");

        try (FrrBgpd bgpd = FrrBgpd.start(dir, file, 0, List.of())) {
            String running = bgpd.vtysh("show running-config");
            assertThat(bgpd.log()).doesNotContain("No such command").doesNotContain("Error on line");
            assertThat(running).contains("router bgp " + view.asn());
            assertThat(running).contains("route-map GANNET-HOSTS-OUT deny 10");
            assertThat(running).contains("maximum-paths ibgp " + view.maxPaths());
            if (view.podCidrPool(true) != null) {
                assertThat(running).contains("ip prefix-list GANNET-PODCIDR seq 5 permit " + view.podCidrPool(true).cidr() + " ge 24 le 25");
            }
            for (SwitchView.Session s : view.sessions()) {
                String ip = IpAddresses.format(s.hostAddress());
                NodeConfig host = s.hostConfig();
                assertThat(running).contains("neighbor " + ip + " remote-as " + s.hostAs());
                assertThat(running).contains("neighbor " + ip + " timers " + s.fromHost().keepaliveSeconds() + " " + s.fromHost().holdTimeSeconds());
                assertThat(running).contains("neighbor " + ip + " route-map " + (host.role().yamlName().equals("node") ? "GANNET-NODES-IN" : "GANNET-L4LB-IN")
                        + (s.hostAddress() instanceof java.net.Inet4Address ? "" : "-V6") + " in");
                if (s.fromHost().md5() != null) {
                    assertThat(running).contains("neighbor " + ip + " password " + s.fromHost().md5().reveal());
                }
                String json = bgpd.vtysh("show bgp neighbors " + ip + " json");
                if (s.fromHost().bfd().enabled()) {
                    assertThat(json).contains("\"detectMultiplier\":" + s.fromHost().bfd().multiplier());
                    assertThat(json).contains("\"rxMinInterval\":" + s.fromHost().bfd().minTxMs());
                } else {
                    assertThat(json).doesNotContain("peerBfdInfo");
                }
            }
        }
    }

    /** Every reference (env or file) resolves to a test key, so no test touches /etc or the real environment. */
    static SecretResolver secretsFor(Path dir) {
        return ref -> new io.gannet.topology.config.Md5Secret(ref.source(), ref.reference(), "key-" + Math.abs(ref.reference().hashCode()));
    }
}
