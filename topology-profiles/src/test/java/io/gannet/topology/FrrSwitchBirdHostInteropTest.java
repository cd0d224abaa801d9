package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One profile configures both ends. A real FRR bgpd in a "switch" namespace runs the
 * rendered {@code --switch} configuration on a bridge; one real BIRD per host, each in its
 * own namespace, plays the hosts, configured only from their {@link NodeConfig}s (addresses, ASes, timers, MD5 key,
 * TTL rules). Both sessions must come up; the switch must accept exactly the hosts' PodCIDRs
 * and refuse a prefix outside the pool, and announce nothing back. (Gannet's own daemon in
 * place of BIRD is the agent's test; this proves the switch side.)
 */
class FrrSwitchBirdHostInteropTest {
    static final String MD5 = "interop-key";

    static String profile(String model) {
        boolean ibgp = model.equals("ibgp-core");
        return """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: interop}
                spec:
                  model: %s
                  asn: {scheme: %s, base: 4200000001}
                  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
                  bgp: {holdTime: 9, connectRetry: 1, md5: {env: TP_INTEROP_MD5}%s}
                  bfd: {enabled: false}
                  inventory:
                    switches: [{name: sw1, addresses: [10.99.0.1]%s}]
                    hosts:
                      - {name: node1, address: 10.99.0.2}
                      - {name: node2, address: 10.99.0.3, podCIDR: 10.244.7.0/24}
                """.formatted(model, ibgp ? "single" : "per-node", ibgp ? "" : ", ttlSecurity: 1", ibgp ? "" : ", asn: 4200100001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ebgp-leaf", "ibgp-core"})
    void renderedFrrSwitchPeersWithHostsConfiguredFromTheirNodeConfig(String model, @TempDir Path dir) throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand(FrrBgpd.BGPD);
        Requirements.requireCommand("vtysh");
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        LoadedProfile p = TopologyProfiles.parse("interop.yaml", profile(model));
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        SecretResolver secrets = SecretResolver.fromMap(Map.of("TP_INTEROP_MD5", MD5));
        NodeConfig node1 = p.nodeConfig("node1", secrets);
        NodeConfig node2 = p.nodeConfig("node2", secrets);
        Path frrConf = dir.resolve("frr.conf");
        Files.writeString(frrConf, p.renderSwitch("sw1", io.gannet.topology.render.SwitchFormat.FRR, secrets));

        try (NetworkNamespace sw = NetworkNamespace.create("tps");
             NetworkNamespace h1 = NetworkNamespace.create("tph1");
             NetworkNamespace h2 = NetworkNamespace.create("tph2")) {
            // One L2 segment: the switch's address on a bridge, each host on its own veth into it.
            sw.exec("ip", "link", "add", "br0", "type", "bridge");
            sw.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "br0");
            sw.exec("ip", "link", "set", "br0", "up");
            attach(sw, h1, "tpb1", "10.99.0.2/24");
            attach(sw, h2, "tpb2", "10.99.0.3/24");
            List<Process> birds = List.of(startBird(h1, dir, node1), startBird(h2, dir, node2));
            try (FrrBgpd frr = FrrBgpd.start(dir, frrConf, 179, sw.inside())) {
                frr.awaitOutput("show bgp ipv4 unicast json", "10.244.7.0/24", Duration.ofSeconds(40));
                String table = frr.awaitOutput("show bgp ipv4 unicast json", "10.244.0.0/24", Duration.ofSeconds(20));
                String summary = frr.vtysh("show bgp ipv4 unicast summary json");
                assertThat(table).as("%s%n%s", summary, birdc(h2, dir, node2, "show protocols all")).contains("\"10.244.0.0/24\"").contains("\"10.244.7.0/24\"");
                assertThat(summary).doesNotContain("\"state\":\"Active\"").doesNotContain("\"state\":\"Idle\"");
                assertThat(table).as("the switch refuses prefixes outside the PodCIDR pool").doesNotContain("192.0.2.0/24").doesNotContain("10.244.0.0/16\"");
                assertThat(frr.vtysh("show bgp ipv4 unicast neighbors 10.99.0.3 advertised-routes")).doesNotContain("10.244.0.0/24");
                for (var host : List.of(Map.entry(h1, node1), Map.entry(h2, node2))) {
                    String state = birdc(host.getKey(), dir, host.getValue(), "show protocols all");
                    assertThat(state).contains("Established");
                    assertThat(state).as("nothing is announced back to hosts").contains("0 imported").doesNotContain("1 imported");
                }
            } finally {
                for (Process bird : birds) {
                    bird.destroy();
                    bird.waitFor();
                }
            }
        }
    }

    private static void attach(NetworkNamespace sw, NetworkNamespace host, String bridgePort, String hostCidr) {
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", host.name(), "type", "veth", "peer", "name", bridgePort, "netns", sw.name());
        sw.exec("ip", "link", "set", bridgePort, "master", "br0");
        sw.exec("ip", "link", "set", bridgePort, "up");
        host.exec("ip", "addr", "add", hostCidr, "dev", "eth0");
        host.exec("ip", "link", "set", "eth0", "up");
    }

    private static Process startBird(NetworkNamespace ns, Path dir, NodeConfig node) throws Exception {
        Path conf = dir.resolve(node.name() + ".bird.conf");
        Files.writeString(conf, birdHost(node));
        return ns.start("bird", "-f", "-c", conf.toString(), "-s", dir.resolve(node.name() + ".ctl").toString(),
                "-P", dir.resolve(node.name() + ".pid").toString());
    }

    private static String birdc(NetworkNamespace ns, Path dir, NodeConfig node, String command) {
        return NetworkNamespace.Shell.runQuietly(ns.inside("birdc", "-s", dir.resolve(node.name() + ".ctl").toString(), command).toArray(String[]::new));
    }

    /** A BIRD configuration playing one host, built only from its NodeConfig. */
    static String birdHost(NodeConfig n) {
        StringBuilder b = new StringBuilder();
        b.append("router id ").append(n.routerId().getHostAddress()).append(";\n");
        b.append("protocol device {}\n");
        b.append("protocol static origin {\n  ipv4;\n");
        b.append("  route ").append(n.podCidr()).append(" blackhole;\n");
        // A misbehaving host also announces its pool and a foreign prefix; the switch must drop both.
        b.append("  route 10.244.0.0/16 blackhole;\n  route 192.0.2.0/24 blackhole;\n}\n");
        {
            for (NeighborConfig nb : n.neighbors()) {
                b.append("protocol bgp ").append(n.name()).append("_").append(nb.name()).append(" {\n");
                b.append("  local ").append(IpAddresses.format(nb.localAddress())).append(" port ").append(n.listenPort())
                        .append(" as ").append(nb.localAs()).append(";\n");
                b.append("  neighbor ").append(IpAddresses.format(nb.address())).append(" port ").append(nb.port())
                        .append(" as ").append(nb.remoteAs()).append(";\n");
                b.append("  hold time ").append(nb.holdTimeSeconds()).append(";\n");
                b.append("  keepalive time ").append(nb.keepaliveSeconds()).append(";\n");
                b.append("  connect retry time ").append(nb.connectRetrySeconds()).append(";\n");
                if (nb.md5() != null) {
                    b.append("  password \"").append(nb.md5().reveal()).append("\";\n");
                }
                if (nb.ttlSecurityHops() > 0) {
                    b.append("  ttl security on;\n");
                }
                b.append(nb.ibgp() ? "  multihop;\n" : "  direct;\n");
                b.append("  ipv4 { import all; export where source = RTS_STATIC && proto = \"origin\"")
                        .append(" && (net = ").append(n.podCidr()).append(" || net = 10.244.0.0/16 || net = 192.0.2.0/24)")
                        .append(nb.ibgp() ? "; next hop self; };\n" : "; };\n");
                b.append("}\n");
            }
        }
        return b.toString();
    }
}
