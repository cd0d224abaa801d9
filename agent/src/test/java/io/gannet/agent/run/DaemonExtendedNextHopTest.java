package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.lab.BirdSwitch;
import io.gannet.lab.Fabric;
import io.gannet.linux.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * RFC 8950 through {@code gannet run}: hosts with only an IPv6 address, their switch an FRR
 * configured by {@code profile render --switch} (which asks for {@code capability
 * extended-nexthop}). A node announces its IPv4 PodCIDR over its IPv6 session with its IPv6
 * address as the next hop; a router ({@code --fib}) installs an IPv4 route it learned with an
 * IPv6 next hop into the kernel (an IPv4 route via inet6). A BIRD switch rendered from the same
 * profile learns and installs the node's PodCIDR likewise.
 */
class DaemonExtendedNextHopTest extends DaemonAgainstFrr {
    // BIRD's requirements: the BIRD test below needs them as DaemonAgainstBird's tests do.
    @org.junit.jupiter.api.BeforeAll
    static void birdToo() {
        io.gannet.testsupport.Requirements.requireCommand("bird");
    }

    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: frr-enh}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: ["2001:db8:204::2"], routerId: 10.204.0.2, asn: 4200100001}
                hosts:
                  - {name: HOST, address: "2001:db8:204::1", routerId: 10.204.0.1, ROLE}
            """;

    private Path profile(String host, String role) throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.replace("HOST", host).replace("ROLE", role));
        return profile;
    }

    /**
     * The host's namespace and the switch's, one veth between them with IPv6 addresses only, and
     * a whole FRR (zebra, so bgpd knows the link a link-local next hop belongs to) configured by
     * {@code profile render --switch leaf1}, announcing {@code announce} back.
     */
    private record Link(NetworkNamespace host, NetworkNamespace sw, FrrRouter frr) implements AutoCloseable {
        static Link start(String prefix, Path dir, Path profile, String announce) throws Exception {
            NetworkNamespace host = NetworkNamespace.create(prefix + "h");
            NetworkNamespace sw = NetworkNamespace.create(prefix + "s");
            try {
                host.linkTo(sw, "up0", "2001:db8:204::1/64", "down0", "2001:db8:204::2/64");
                awaitAddresses(host, sw);
                String conf = GannetProcess.render(profile, "leaf1");
                String routerBgp = conf.lines().filter(l -> l.startsWith("router bgp ")).findFirst().orElseThrow();
                conf += routerBgp + "\n no bgp network import-check\n address-family ipv4 unicast\n  network " + announce
                        + "\n exit-address-family\nexit\n";
                return new Link(host, sw, FrrRouter.start(sw, dir.resolve("frr"), conf));
            } catch (Exception e) {
                host.close();
                sw.close();
                throw e;
            }
        }

        /** {@code show bgp ipv4 unicast PREFIX json}'s best path, or a missing node. */
        JsonNode bestPath(String prefix) throws Exception {
            return JSON.readTree(frr.vtysh("show bgp ipv4 unicast " + prefix + " json")).path("paths").path(0);
        }

        @Override
        public void close() {
            frr.close();
            host.close();
            sw.close();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** IPv6 addresses are usable once duplicate address detection is over. */
    private static void awaitAddresses(NetworkNamespace... namespaces) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        for (NetworkNamespace ns : namespaces) {
            while (!ns.exec("ip", "-6", "addr", "show", "tentative").isBlank() && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aNodeWithOnlyAnIpv6AddressAnnouncesItsIpv4PodCidrWithItsIpv6NextHop() throws Exception {
        Path profile = profile("node1", "podCIDR: 10.244.1.0/24");
        try (Link link = Link.start("dxn", dir, profile, Fabric.TEST_NETS.get(0))) {
            gannet = GannetProcess.start(link.host(), dir, profile, "node1");
            gannet.awaitTrue("the session is Established", () -> gannet.established("leaf1"), link.frr()::log);
            gannet.awaitTrue("the leaf has the PodCIDR with an IPv6 next hop", () -> {
                try {
                    return link.bestPath("10.244.1.0/24").path("nexthops").path(0).path("ip").asText().equals("2001:db8:204::1");
                } catch (Exception e) {
                    return false;
                }
            }, () -> link.frr().vtysh("show bgp ipv4 unicast json") + link.frr().log());
            JsonNode path = link.bestPath("10.244.1.0/24");
            assertThat(path.path("nexthops").path(0).path("afi").asText()).isEqualTo("ipv6");
            assertThat(path.path("nexthops").toString()).contains("fe80:"); // RFC 2545 3: and the link-local one
            assertThat(JSON.readTree(link.frr().vtysh("show bgp neighbors 2001:db8:204::1 json")).path("2001:db8:204::1")
                    .path("neighborCapabilities").path("extendedNexthop").asText()).isEqualTo("advertisedAndReceived");
            // zebra installs it: an IPv4 route via the node's IPv6 address.
            gannet.awaitTrue("the switch's kernel routes the PodCIDR via inet6",
                    () -> link.sw().exec("ip", "-4", "route", "show", "10.244.1.0/24").contains("via inet6 "),
                    () -> link.sw().exec("ip", "-4", "route") + link.frr().log());
            assertThat(gannet.cli("show", "peer", "leaf1")).contains("IPv4 routes with IPv6 next hops (RFC 8950)");
            gannet.close();
            gannet = null;
        }
    }

    @Test
    void aBirdSwitchRenderedFromTheProfileLearnsAndInstallsTheIpv6OnlyNodesPodCidr() throws Exception {
        Path profile = profile("node1", "podCIDR: 10.244.1.0/24");
        NetworkNamespace host = NetworkNamespace.create("dxbh");
        NetworkNamespace sw = NetworkNamespace.create("dxbs");
        BirdSwitch bird = null;
        try {
            host.linkTo(sw, "up0", "2001:db8:204::1/64", "down0", "2001:db8:204::2/64");
            awaitAddresses(host, sw);
            bird = BirdSwitch.start(sw, Files.createDirectories(dir.resolve("bird")), GannetProcess.render(profile, "leaf1", "bird"));
            BirdSwitch b = bird;
            gannet = GannetProcess.start(host, dir, profile, "node1");
            gannet.awaitTrue("the session is Established", () -> gannet.established("leaf1"), b::diagnostics);
            assertThat(b.birdc("show", "protocols", "all")).contains("Extended next hop");
            gannet.awaitTrue("BIRD's kernel table routes the PodCIDR via inet6",
                    () -> sw.exec("ip", "-4", "route", "show", "10.244.1.0/24").contains("via inet6 "),
                    () -> sw.exec("ip", "-4", "route") + b.birdc("show", "route", "all") + b.diagnostics());
            gannet.close();
            gannet = null;
        } finally {
            if (bird != null) {
                bird.close();
            }
            host.close();
            sw.close();
        }
    }

    @Test
    void aRouterInstallsAnIpv4RouteLearnedWithAnIpv6NextHopViaInet6() throws Exception {
        // A router originates nothing, so its session's families are the session's own unless listed.
        Path profile = profile("core1", "role: router");
        Files.writeString(profile, Files.readString(profile).replace("bgp: {holdTime: 60, connectRetry: 1}",
                "bgp: {holdTime: 60, connectRetry: 1, families: [ipv4, ipv6]}"));
        String net = Fabric.TEST_NETS.get(1);
        try (Link link = Link.start("dxr", dir, profile, net)) {
            gannet = GannetProcess.start(link.host(), dir, profile, "core1", "--fib");
            gannet.awaitTrue("the session is Established", () -> gannet.established("leaf1"), link.frr()::log);
            gannet.awaitTrue("the kernel routes " + net + " via the leaf's IPv6 address",
                    () -> link.host().exec("ip", "-4", "route", "show", net).contains("via inet6 2001:db8:204::2"),
                    () -> link.host().exec("ip", "-4", "route") + gannet.cli("show", "routes") + link.frr().log());
            assertThat(gannet.peer("leaf1").path("prefixesAccepted").asLong()).isEqualTo(1);
            // Packets follow it: the host (IPv4 only on its loopback, its router id) pings an
            // address of the switch's in that net; the switch answers through an IPv6 next hop too.
            link.sw().exec("ip", "addr", "add", net.replace(".0/24", ".1/32"), "dev", "lo");
            link.host().exec("ip", "addr", "add", "10.204.0.1/32", "dev", "lo");
            link.sw().exec("ip", "route", "add", "10.204.0.1/32", "via", "inet6", "2001:db8:204::1", "dev", "down0");
            assertThat(link.host().exec("ping", "-c", "1", "-W", "2", "-I", "10.204.0.1", net.replace(".0/24", ".1")))
                    .contains("1 received");
            gannet.close();
            gannet = null;
        }
    }
}
