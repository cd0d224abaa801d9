package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Unnumbered peering through {@code gannet run}: the host and its switch share a link with
 * IPv6 link-local addresses only (the host's own address is on its loopback). The switch is a
 * whole FRR (zebra, bgpd) configured by {@code profile render --switch}, which peers with
 * {@code neighbor PORT interface}. Each end learns the other's link-local address from its
 * router advertisements; the node's IPv4 PodCIDR reaches the switch's kernel with an IPv6
 * next hop (RFC 8950), and packets follow it.
 */
class DaemonUnnumberedTest extends DaemonAgainstFrr {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: unnumbered}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, interface: up0, routerId: 10.205.0.2, asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.205.0.1, podCIDR: 10.244.1.0/24, switchPorts: {leaf1: down0}}
            """;

    @Test
    void aNodeAndAnFrrSwitchPeerOverLinkLocalAddressesLearnedFromRouterAdvertisements() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        String rendered = GannetProcess.render(profile, "leaf1");
        assertThat(rendered).contains(" neighbor down0 interface remote-as 4200000001\n").doesNotContain("update-source");
        NetworkNamespace host = NetworkNamespace.create("dunh");
        NetworkNamespace sw = NetworkNamespace.create("duns");
        FrrRouter frr = null;
        try {
            NetworkNamespace.Shell.run("ip", "link", "add", "up0", "netns", host.name(), "type", "veth", "peer", "name", "down0",
                    "netns", sw.name());
            host.exec("ip", "link", "set", "lo", "up");
            host.exec("ip", "addr", "add", "10.205.0.1/32", "dev", "lo");
            host.exec("ip", "link", "set", "up0", "up");
            sw.exec("ip", "link", "set", "lo", "up");
            sw.exec("ip", "link", "set", "down0", "up");
            frr = FrrRouter.start(sw, dir.resolve("frr"), rendered);
            FrrRouter f = frr;
            gannet = GannetProcess.start(host, dir, profile, "node1");
            gannet.awaitTrue("the unnumbered session is Established", () -> gannet.established("leaf1"),
                    () -> f.vtysh("show bgp summary") + f.log());
            assertThat(gannet.peer("leaf1").path("address").asText()).startsWith("fe80:");
            gannet.awaitTrue("the switch's kernel routes the PodCIDR over the link",
                    () -> sw.exec("ip", "-4", "route", "show", "10.244.1.0/24").contains("dev down0"),
                    () -> sw.exec("ip", "-4", "route") + f.vtysh("show bgp ipv4 unicast 10.244.1.0/24") + f.log());
            JsonNode path = JSON.readTree(f.vtysh("show bgp ipv4 unicast 10.244.1.0/24 json")).path("paths").path(0);
            assertThat(path.path("nexthops").toString()).contains("fe80:");
            // Packets follow it: the switch (its router id on its loopback) reaches an address of the
            // node's PodCIDR; the node answers through a static route over the link (it learns nothing).
            host.exec("ip", "addr", "add", "10.244.1.1/32", "dev", "lo");
            sw.exec("ip", "addr", "add", "10.205.0.2/32", "dev", "lo");
            String swLinkLocal = sw.exec("ip", "-6", "-o", "addr", "show", "dev", "down0", "scope", "link").trim().split("\\s+")[3];
            host.exec("ip", "route", "add", "10.205.0.2/32", "via", "inet6", swLinkLocal.substring(0, swLinkLocal.indexOf('/')),
                    "dev", "up0");
            assertThat(sw.exec("ping", "-c", "1", "-W", "2", "-I", "10.205.0.2", "10.244.1.1")).contains("1 received");
            gannet.close();
            gannet = null;
        } finally {
            if (frr != null) {
                frr.close();
            }
            host.close();
            sw.close();
        }
    }
}
