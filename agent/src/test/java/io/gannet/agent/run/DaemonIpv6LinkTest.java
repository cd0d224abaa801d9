package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * RFC 2545 section 3 through the daemon: an l4lb host with an IPv6 session to a BIRD leaf on
 * the same link sends its VIP with a 32-octet next hop, its global address then its link-local
 * address on that link. BIRD (configured by {@code profile render --switch --format bird})
 * shows both in BGP.next_hop.
 */
class DaemonIpv6LinkTest extends DaemonAgainstBird {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: v6-link}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              vipPool: ["2001:db8:ff::/64"]
              bgp: {holdTime: 9, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: sw1, addresses: ["2001:db8:27::2"], asn: 4200000100, routerId: 10.255.27.2}
                hosts:
                  - {name: lb6, address: "2001:db8:27::1", routerId: 10.255.27.1, role: l4lb, vips: ["2001:db8:ff::7"]}
            """;

    DaemonIpv6LinkTest() {
        super("v6ln", "v6l-node", "2001:db8:27::1/64", "v6ls", "v6l-sw", "2001:db8:27::2/64");
    }

    @Test
    void anIpv6SessionOnASharedLinkCarriesTheGlobalAndTheLinkLocalNextHop() throws Exception {
        Files.writeString(profile, PROFILE);
        // Duplicate address detection keeps new IPv6 addresses unusable for a moment.
        awaitTrue("addresses usable", () -> nodeNs.exec("ip", "-6", "addr", "show", "tentative").isBlank()
                && swNs.exec("ip", "-6", "addr", "show", "tentative").isBlank());
        bird = BirdSwitch.start(swNs, dir, GannetProcess.render(profile, "sw1", "bird"));
        gannet = GannetProcess.start(nodeNs, dir, profile, "lb6");
        awaitTrue("session Established", () -> "Established".equals(gannet.peer("sw1").path("state").asText()));
        awaitTrue("BIRD has the VIP", () -> bird.birdc("show", "route", "protocol", "host_lb6").contains("2001:db8:ff::7/128"));
        String route = bird.birdc("show", "route", "all", "protocol", "host_lb6");
        Matcher m = Pattern.compile("BGP\\.next_hop: (\\S+) (\\S+)").matcher(route);
        assertThat(m.find()).as(route).isTrue();
        assertThat(m.group(1)).isEqualTo("2001:db8:27::1");
        // The second is the node's own link-local address on the veth towards the switch.
        assertThat(m.group(2)).startsWith("fe80:");
        assertThat(nodeNs.exec("ip", "-6", "addr", "show", "dev", "v6l-node", "scope", "link"))
                .contains("inet6 " + m.group(2) + "/64");
    }

    private void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what
                        + (bird == null ? "" : bird.diagnostics()) + (gannet == null ? "" : "\n" + gannet.log()));
            }
            Thread.sleep(200);
        }
    }
}
