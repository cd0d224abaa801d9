package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.lab.BirdSwitch;
import io.gannet.linux.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import io.gannet.testsupport.Requirements;
import org.junit.jupiter.api.Test;

/**
 * Unnumbered peering through {@code gannet run}: the host and its switch share a link with
 * IPv6 link-local addresses only (the host's own address is on its loopback). The switch is a
 * whole FRR (zebra, bgpd) configured by {@code profile render --switch}, which peers with
 * {@code neighbor PORT interface}. Each end learns the other's link-local address from its
 * router advertisements; the node's IPv4 PodCIDR reaches the switch's kernel with an IPv6
 * next hop (RFC 8950), and packets follow it. The same with a BIRD switch rendered from the
 * profile (router advertisements from its radv protocol, a dynamic link-local neighbor).
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

    private static final class Link implements AutoCloseable {
        final NetworkNamespace host = NetworkNamespace.create("dunh");
        final NetworkNamespace sw = NetworkNamespace.create("duns");

        Link() {
            NetworkNamespace.Shell.run("ip", "link", "add", "up0", "netns", host.name(), "type", "veth", "peer", "name", "down0",
                    "netns", sw.name());
            host.exec("ip", "link", "set", "lo", "up");
            host.exec("ip", "addr", "add", "10.205.0.1/32", "dev", "lo");
            host.exec("ip", "link", "set", "up0", "up");
            sw.exec("ip", "link", "set", "lo", "up");
            sw.exec("ip", "link", "set", "down0", "up");
        }

        /**
         * Packets follow the route: the switch (its router id on its loopback) reaches an address
         * of the node's PodCIDR; the node answers through a static route over the link (it learns
         * nothing).
         */
        String pingThePodCidr() {
            host.exec("ip", "addr", "add", "10.244.1.1/32", "dev", "lo");
            sw.exec("ip", "addr", "add", "10.205.0.2/32", "dev", "lo");
            String swLinkLocal = sw.exec("ip", "-6", "-o", "addr", "show", "dev", "down0", "scope", "link").trim().split("\\s+")[3];
            host.exec("ip", "route", "add", "10.205.0.2/32", "via", "inet6", swLinkLocal.substring(0, swLinkLocal.indexOf('/')),
                    "dev", "up0");
            return sw.exec("ping", "-c", "1", "-W", "2", "-I", "10.205.0.2", "10.244.1.1");
        }

        @Override
        public void close() {
            host.close();
            sw.close();
        }
    }

    private Path profile() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        return profile;
    }

    @Test
    void aNodeAndAnFrrSwitchPeerOverLinkLocalAddressesLearnedFromRouterAdvertisements() throws Exception {
        Path profile = profile();
        String rendered = GannetProcess.render(profile, "leaf1");
        assertThat(rendered).contains(" neighbor down0 interface remote-as 4200000001\n").doesNotContain("update-source");
        try (Link link = new Link(); FrrRouter f = FrrRouter.start(link.sw, dir.resolve("frr"), rendered)) {
            gannet = GannetProcess.start(link.host, dir, profile, "node1");
            gannet.awaitTrue("the unnumbered session is Established", () -> gannet.established("leaf1"),
                    () -> f.vtysh("show bgp summary") + f.log());
            assertThat(gannet.peer("leaf1").path("address").asText()).startsWith("fe80:");
            // The node listens on its link-local address too: FRR's own connects are accepted, not refused.
            gannet.awaitTrue("a listener on the node's link-local address", () -> link.host.exec("ss", "-Hltn").contains("[fe80:"),
                    () -> link.host.exec("ss", "-ltn") + gannet.log());
            gannet.awaitTrue("the switch's kernel routes the PodCIDR over the link",
                    () -> link.sw.exec("ip", "-4", "route", "show", "10.244.1.0/24").contains("dev down0"),
                    () -> link.sw.exec("ip", "-4", "route") + f.vtysh("show bgp ipv4 unicast 10.244.1.0/24") + f.log());
            JsonNode path = JSON.readTree(f.vtysh("show bgp ipv4 unicast 10.244.1.0/24 json")).path("paths").path(0);
            assertThat(path.path("nexthops").toString()).contains("fe80:");
            assertThat(link.pingThePodCidr()).contains("1 received");

            // A restart (SIGTERM, graceful restart): FRR keeps the PodCIDR in its kernel meanwhile,
            // and the new daemon learns the switch's address again and takes the session back.
            assertThat(gannet.terminate(java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(link.sw.exec("ip", "-4", "route", "show", "10.244.1.0/24")).contains("dev down0");
            gannet = GannetProcess.start(link.host, dir, profile, "node1");
            gannet.awaitTrue("the unnumbered session is Established again", () -> gannet.established("leaf1"),
                    () -> f.vtysh("show bgp summary") + f.log());
            assertThat(link.sw.exec("ping", "-c", "1", "-W", "2", "-I", "10.205.0.2", "10.244.1.1")).contains("1 received");
            gannet.close();
            gannet = null;
        }
    }

    /**
     * Reloads on an unnumbered host: a new community for the PodCIDR is applied to the live
     * session (FRR sees it, the session never drops); a change that needs a restart (the host's
     * AS) is refused with "restart required" and changes nothing.
     */
    @Test
    void reloadsApplyToTheUnnumberedSessionWithoutDroppingIt() throws Exception {
        Path profile = profile();
        try (Link link = new Link(); FrrRouter f = FrrRouter.start(link.sw, dir.resolve("frr"), GannetProcess.render(profile, "leaf1"))) {
            gannet = GannetProcess.start(link.host, dir, profile, "node1");
            gannet.awaitTrue("the unnumbered session is Established", () -> gannet.established("leaf1"),
                    () -> f.vtysh("show bgp summary") + f.log());
            long flaps = gannet.peer("leaf1").path("flaps").asLong();
            Files.writeString(profile, PROFILE.replace("bfd: {enabled: false}", "bfd: {enabled: false}\n  communities: {podCIDR: [\"65000:7\"]}"));
            GannetProcess.CliResult r = gannet.cliResult("reload");
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            gannet.awaitTrue("FRR has the PodCIDR with the new community", () -> {
                try {
                    return f.vtysh("show bgp ipv4 unicast 10.244.1.0/24 json").contains("65000:7");
                } catch (RuntimeException e) {
                    return false;
                }
            }, () -> f.vtysh("show bgp ipv4 unicast 10.244.1.0/24") + f.log());

            Files.writeString(profile, PROFILE.replace("base: 4200000001", "base: 4200000051"));
            GannetProcess.CliResult refused = gannet.cliResult("reload");
            assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(io.gannet.agent.cli.ReloadCommand.RESTART_REQUIRED);
            assertThat(refused.out()).contains("restart required").contains("localAs");
            Thread.sleep(1500);
            assertThat(gannet.peer("leaf1").path("localAs").asLong()).isEqualTo(4200000001L);
            assertThat(gannet.established("leaf1")).isTrue();
            assertThat(gannet.peer("leaf1").path("flaps").asLong()).as("the session never dropped").isEqualTo(flaps);
            gannet.close();
            gannet = null;
        }
    }

    @Test
    void aNodeAndABirdSwitchPeerOverLinkLocalAddresses() throws Exception {
        Requirements.requireCommand("bird");
        Path profile = profile();
        String rendered = GannetProcess.render(profile, "leaf1", "bird");
        assertThat(rendered).contains("protocol radv").contains("  neighbor range fe80::/10 as 4200000001;");
        try (Link link = new Link()) {
            // The node first: until the switch advertises, show peers lists the session as waiting for it.
            gannet = GannetProcess.start(link.host, dir, profile, "node1");
            gannet.awaitTrue("show peers lists the unnumbered neighbor before its switch speaks",
                    () -> gannet.cli("show", "peers").contains("waiting for the switch's router advertisement on up0"), () -> "");
            assertThat(gannet.cli("show", "peers", "--json")).contains("\"address\":null");
            BirdSwitch bird = BirdSwitch.start(link.sw, Files.createDirectories(dir.resolve("bird")), rendered);
            try {
                gannet.awaitTrue("the unnumbered session is Established", () -> gannet.established("leaf1"), bird::diagnostics);
                assertThat(gannet.cli("show", "peers")).doesNotContain("waiting for the switch's router advertisement");
                assertThat(gannet.peer("leaf1").path("address").asText()).startsWith("fe80:");
                gannet.awaitTrue("BIRD's kernel table routes the PodCIDR over the link",
                        () -> link.sw.exec("ip", "-4", "route", "show", "10.244.1.0/24").contains("dev down0"),
                        () -> link.sw.exec("ip", "-4", "route") + bird.birdc("show", "route", "all") + bird.diagnostics());
                assertThat(link.pingThePodCidr()).contains("1 received");
                gannet.close();
                gannet = null;
            } finally {
                bird.close();
            }
        }
    }

    @Test
    void aRouterInstallsWhatItLearnsOverAnUnnumberedSessionViaTheSwitchsLinkLocalAddress() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.replace("bgp: {holdTime: 60, connectRetry: 1}",
                        "bgp: {holdTime: 60, connectRetry: 1, families: [ipv4, ipv6]}")
                .replace("{name: node1, address: 10.205.0.1, podCIDR: 10.244.1.0/24, switchPorts: {leaf1: down0}}",
                        "{name: core1, address: 10.205.0.1, role: router, switchPorts: {leaf1: down0}}"));
        String rendered = GannetProcess.render(profile, "leaf1");
        String routerBgp = rendered.lines().filter(l -> l.startsWith("router bgp ")).findFirst().orElseThrow();
        rendered += routerBgp + "\n no bgp network import-check\n address-family ipv4 unicast\n  network 198.51.100.0/24\n"
                + " exit-address-family\nexit\n";
        try (Link link = new Link(); FrrRouter f = FrrRouter.start(link.sw, dir.resolve("frr"), rendered)) {
            gannet = GannetProcess.start(link.host, dir, profile, "core1", "--fib");
            gannet.awaitTrue("the unnumbered session is Established", () -> gannet.established("leaf1"),
                    () -> f.vtysh("show bgp summary") + f.log());
            gannet.awaitTrue("the router's kernel routes the leaf's net via its link-local address",
                    () -> link.host.exec("ip", "-4", "route", "show", "198.51.100.0/24").matches("(?s).*via inet6 fe80:\\S+ dev up0.*"),
                    () -> link.host.exec("ip", "-4", "route") + gannet.cli("show", "routes"));
            // Packets follow it: the router (its address on its loopback) pings an address of the
            // leaf's net; the leaf answers through a static route over the link.
            link.sw.exec("ip", "addr", "add", "198.51.100.1/32", "dev", "lo");
            String hostLinkLocal = link.host.exec("ip", "-6", "-o", "addr", "show", "dev", "up0", "scope", "link").trim().split("\\s+")[3];
            link.sw.exec("ip", "route", "add", "10.205.0.1/32", "via", "inet6", hostLinkLocal.substring(0, hostLinkLocal.indexOf('/')),
                    "dev", "down0");
            assertThat(link.host.exec("ping", "-c", "1", "-W", "2", "-I", "10.205.0.1", "198.51.100.1")).contains("1 received");
            gannet.close();
            gannet = null;
        }
    }

    @Test
    void bfdRunsSingleHopOverTheLinkLocalAddressesAndTakesTheSessionDownWhenTheLinkDies() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.replace("bfd: {enabled: false}", "bfd: {enabled: true, minTxMs: 100, minRxMs: 100, multiplier: 3}"));
        String rendered = GannetProcess.render(profile, "leaf1");
        assertThat(rendered).contains(" neighbor down0 bfd 3 100 100\n");
        try (Link link = new Link(); FrrRouter f = FrrRouter.start(link.sw, dir.resolve("frr"), rendered)) {
            gannet = GannetProcess.start(link.host, dir, profile, "node1");
            gannet.awaitTrue("the session is Established and its BFD Up",
                    () -> gannet.established("leaf1") && "Up".equalsIgnoreCase(gannet.peer("leaf1").path("bfdState").asText()),
                    () -> gannet.cli("show", "bfd") + f.vtysh("show bfd peers") + f.log());
            assertThat(f.vtysh("show bfd peers")).contains("Status: up").contains("fe80:");
            // The link dies without a word (the host's side drops every frame, carrier up): BFD,
            // not the 60 s hold timer, ends the session.
            link.host.exec("nft", "add", "table", "netdev", "cut");
            link.host.exec("nft", "add", "chain", "netdev", "cut", "in", "{ type filter hook ingress device up0 priority 0 ; policy drop ; }");
            long cut = System.nanoTime();
            gannet.awaitTrue("the session left Established", () -> !gannet.established("leaf1"),
                    java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(20), () -> gannet.cli("show", "bfd"));
            long ms = (System.nanoTime() - cut) / 1_000_000;
            System.out.println("unnumbered BFD (100 ms x 3): session down " + ms + " ms after the link was cut");
            assertThat(ms).as("session down after the cut, ms").isLessThan(3000);
            gannet.close();
            gannet = null;
        }
    }
}
