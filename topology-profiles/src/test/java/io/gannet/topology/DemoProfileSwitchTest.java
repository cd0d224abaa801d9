package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-machine demo profile works as written: inside a namespace's own loopback, a BIRD
 * (and, separately, an FRR bgpd) running the rendered {@code --switch sw1} configuration
 * (127.0.0.2 port 1790) peers with a
 * BIRD playing node1 from its NodeConfig (127.0.0.1 port 1791, export policy's next hop
 * 198.51.100.1) and accepts exactly node1's PodCIDR. A namespace keeps the switch's kernel
 * protocol away from the host's routing table.
 */
class DemoProfileSwitchTest {

    @Test
    void renderedBirdSwitchAcceptsTheDemoNodesPodCidr(@TempDir Path dir) throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        LoadedProfile p = TopologyProfiles.load(Fixtures.example("demo.yaml"));
        NodeConfig node1 = p.nodeConfig("node1", SecretResolver.system());
        Path switchConf = dir.resolve("switch.conf");
        Files.writeString(switchConf, p.renderSwitch("sw1", SwitchFormat.BIRD, SecretResolver.system()));
        Path nodeConf = dir.resolve("node.conf");
        Files.writeString(nodeConf, birdNode(node1));
        try (NetworkNamespace ns = NetworkNamespace.create("tpdemo")) {
            Process sw = ns.start("bird", "-f", "-c", switchConf.toString(), "-s", dir.resolve("sw.ctl").toString(), "-P", dir.resolve("sw.pid").toString());
            Process node = ns.start("bird", "-f", "-c", nodeConf.toString(), "-s", dir.resolve("node.ctl").toString(), "-P", dir.resolve("node.pid").toString());
            try {
                String routes = await(ns, dir.resolve("sw.ctl"), "show route all protocol host_node1", node1.podCidr().toString(), Duration.ofSeconds(30));
                assertThat(routes).as(birdc(ns, dir.resolve("sw.ctl"), "show protocols all")).contains(node1.podCidr().toString());
                assertThat(routes).contains("198.51.100.1").doesNotContain("192.0.2.0/24");
                String nodeState = birdc(ns, dir.resolve("node.ctl"), "show protocols all sw1");
                assertThat(nodeState).contains("Established").contains("0 imported");
            } finally {
                sw.destroy();
                node.destroy();
                sw.waitFor();
                node.waitFor();
            }
        }
    }

    @Test
    void renderedFrrSwitchAcceptsTheDemoNodesPodCidr(@TempDir Path dir) throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand(FrrBgpd.BGPD);
        Requirements.requireCommand("vtysh");
        Requirements.requireCommand("bird");
        LoadedProfile p = TopologyProfiles.load(Fixtures.example("demo.yaml"));
        NodeConfig node1 = p.nodeConfig("node1", SecretResolver.system());
        Path switchConf = dir.resolve("frr.conf");
        String frrText = p.renderSwitch("sw1", SwitchFormat.FRR, SecretResolver.system());
        assertThat(frrText).contains("start bgpd with -p 1790");
        Files.writeString(switchConf, frrText);
        Path nodeConf = dir.resolve("node.conf");
        Files.writeString(nodeConf, birdNode(node1));
        try (NetworkNamespace ns = NetworkNamespace.create("tpdemf")) {
            Process node = ns.start("bird", "-f", "-c", nodeConf.toString(), "-s", dir.resolve("node.ctl").toString(), "-P", dir.resolve("node.pid").toString());
            try (FrrBgpd frr = FrrBgpd.start(dir, switchConf, 1790, ns.inside())) {
                String table = frr.awaitOutput("show bgp ipv4 unicast json", node1.podCidr().toString(), Duration.ofSeconds(30));
                assertThat(table).as(frr.vtysh("show bgp summary")).contains("\"" + node1.podCidr() + "\"").contains("198.51.100.1")
                        .doesNotContain("192.0.2.0/24");
                assertThat(birdc(ns, dir.resolve("node.ctl"), "show protocols all sw1")).contains("Established").contains("0 imported");
            } finally {
                node.destroy();
                node.waitFor();
            }
        }
    }

    private static String await(NetworkNamespace ns, Path ctl, String command, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String out = birdc(ns, ctl, command);
        while (!out.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            out = birdc(ns, ctl, command);
        }
        return out;
    }

    private static String birdc(NetworkNamespace ns, Path ctl, String command) {
        return NetworkNamespace.Shell.runQuietly(ns.inside("birdc", "-s", ctl.toString(), command).toArray(String[]::new));
    }

    /** node1 as BIRD, from its NodeConfig only; the export policy's next-hop statement becomes bgp_next_hop. */
    static String birdNode(NodeConfig n) {
        NeighborConfig nb = n.neighbors().get(0);
        String nextHop = n.exportPolicy().statements().stream().map(PolicyStatement::set)
                .filter(s -> s.nextHop() != null).map(s -> IpAddresses.format(s.nextHop())).findFirst().orElse(null);
        return "router id " + n.routerId().getHostAddress() + ";\n"
                + "protocol device {}\n"
                + "protocol static origin { ipv4; route " + n.podCidr() + " blackhole; route 192.0.2.0/24 blackhole; }\n"
                + "protocol bgp " + nb.name() + " {\n"
                + "  local " + IpAddresses.format(nb.localAddress()) + " port " + n.listenPort() + " as " + nb.localAs() + ";\n"
                + "  neighbor " + IpAddresses.format(nb.address()) + " port " + nb.port() + " as " + nb.remoteAs() + ";\n"
                + "  hold time " + nb.holdTimeSeconds() + "; keepalive time " + nb.keepaliveSeconds() + ";\n"
                + "  connect retry time " + nb.connectRetrySeconds() + ";\n"
                + "  multihop 1;\n"
                + "  ipv4 { import all; export filter { if proto != \"origin\" then reject; "
                + (nextHop == null ? "" : "bgp_next_hop = " + nextHop + "; ") + "accept; }; };\n"
                + "}\n";
    }
}
