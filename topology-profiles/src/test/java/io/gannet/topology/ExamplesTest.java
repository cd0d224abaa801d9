package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.FabricModel;
import io.gannet.topology.config.MaxPrefixAction;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.Role;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.Community;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped examples load without errors and render the configuration their comments promise. */
class ExamplesTest {
    static final SecretResolver SECRETS = SecretResolver.fromMap(Map.of("GANNET_CORE_MD5", "core-secret"));

    static LoadedProfile load(String name) throws Exception {
        LoadedProfile p = TopologyProfiles.load(Fixtures.example(name));
        assertThat(p.problems().stream().filter(Problem::isError)).as(name).isEmpty();
        return p;
    }

    @Test
    void ibgpCoreNodesPeerWithBothCoresInTheDataCentersAs() throws Exception {
        LoadedProfile p = load("ibgp-core.yaml");
        assertThat(p.problems()).isEmpty();
        assertThat(p.hostNames()).containsExactly("node1", "node2", "node3", "node4", "lb1", "lb2");
        NodeConfig node2 = p.nodeConfig("node2", SECRETS);
        assertThat(node2.model()).isEqualTo(FabricModel.IBGP_CORE);
        assertThat(node2.role()).isEqualTo(Role.NODE);
        assertThat(node2.localAs()).isEqualTo(4_200_000_000L);
        assertThat(node2.routerId().getHostAddress()).isEqualTo("10.1.1.12");
        // node1 pinned 10.244.1.0/24, so node2 takes the lowest free block.
        assertThat(node2.podCidr()).isEqualTo(Cidr.of("10.244.0.0/24"));
        assertThat(p.nodeConfig("node3", SECRETS).podCidr()).isEqualTo(Cidr.of("10.244.2.0/24"));
        assertThat(node2.podCidrCommunities()).containsExactly(Community.standard(64512, 100));
        assertThat(node2.neighbors()).extracting(NeighborConfig::name).containsExactly("core1", "core2");
        NeighborConfig core1 = node2.neighbors().get(0);
        assertThat(core1.ibgp()).isTrue();
        assertThat(core1.remoteAs()).isEqualTo(4_200_000_000L);
        assertThat(core1.address().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(core1.localAddress().getHostAddress()).isEqualTo("10.1.1.12");
        assertThat(core1.holdTimeSeconds()).isEqualTo(9);
        assertThat(core1.keepaliveSeconds()).isEqualTo(3);
        assertThat(core1.multihopTtl()).isEqualTo(255);
        assertThat(core1.md5().reveal()).isEqualTo("core-secret");
        assertThat(core1.maxPrefixes()).isEqualTo(100);
        assertThat(core1.maxPrefixAction()).isEqualTo(MaxPrefixAction.RESTART);
        assertThat(node2.importPolicy().statements()).extracting(PolicyStatement::name)
                .containsExactly("nothing-from-the-core", "default-reject");
        assertThat(node2.exportPolicy().statements()).extracting(PolicyStatement::name)
                .containsExactly("own-podcidr", "default-reject");
        assertThat(node2.exportPolicy().statements().get(0).match().prefixes().get(0).toString()).isEqualTo("10.244.0.0/24");

        NodeConfig node4 = p.nodeConfig("node4", SECRETS);
        assertThat(node4.neighbors().get(0).holdTimeSeconds()).isEqualTo(30);
        assertThat(node4.neighbors().get(0).keepaliveSeconds()).isEqualTo(10);
        assertThat(node4.neighbors().get(0).bfd().minTxMs()).isEqualTo(100);
        assertThat(node4.neighbors().get(0).bfd().multiplier()).isEqualTo(3);

        NodeConfig lb1 = p.nodeConfig("lb1", SECRETS);
        assertThat(lb1.role()).isEqualTo(Role.L4LB);
        assertThat(lb1.podCidr()).isNull();
        assertThat(lb1.vips()).containsExactly(Cidr.of("203.0.113.10/32"), Cidr.of("203.0.113.11/32"));
        assertThat(lb1.vipCommunities()).hasSize(2);
        assertThat(lb1.exportPolicy().statements()).extracting(PolicyStatement::name)
                .containsExactly("vip-preference", "own-vips", "default-reject");
        assertThat(lb1.exportPolicy().statements().get(0).set().med()).isEqualTo(10L);
    }

    @Test
    void ebgpLeafHostsFollowThePerRackSchemeAndPeerWithTheirLeaves() throws Exception {
        LoadedProfile p = load("ebgp-leaf.yaml");
        assertThat(p.problems()).isEmpty();
        assertThat(p.nodeConfig("r1-node1", SECRETS).localAs()).isEqualTo(4_200_000_001L);
        assertThat(p.nodeConfig("r1-node2", SECRETS).localAs()).isEqualTo(4_200_000_001L);
        assertThat(p.nodeConfig("r2-node1", SECRETS).localAs()).isEqualTo(4_200_000_002L);
        assertThat(p.nodeConfig("r3-lb1", SecretResolver.referencesOnly()).localAs()).isEqualTo(4_200_000_100L);
        assertThat(p.nodeConfig("r1-node1", SECRETS).podCidr()).isEqualTo(Cidr.of("10.32.0.0/25"));
        assertThat(p.nodeConfig("r1-node2", SECRETS).podCidr()).isEqualTo(Cidr.of("10.32.0.128/25"));
        assertThat(p.nodeConfig("r2-node1", SECRETS).podCidr()).isEqualTo(Cidr.of("10.32.100.0/25"));
        assertThat(p.nodeConfig("r2-node2", SECRETS).podCidr()).isEqualTo(Cidr.of("10.32.1.0/25"));

        NodeConfig n = p.nodeConfig("r2-node2", SECRETS);
        assertThat(n.neighbors()).extracting(NeighborConfig::name).containsExactly("leaf-r2-a", "leaf-r2-b");
        NeighborConfig a = n.neighbors().get(0);
        assertThat(a.ibgp()).isFalse();
        assertThat(a.remoteAs()).isEqualTo(4_200_100_003L);
        assertThat(a.ttlSecurityHops()).isEqualTo(1);
        assertThat(a.multihopTtl()).isEqualTo(1);
        assertThat(a.connectRetrySeconds()).isEqualTo(5);
        assertThat(a.bfd().multiplier()).isEqualTo(5);
        assertThat(a.bfd().minRxMs()).isEqualTo(200);
        assertThat(a.md5()).isNull();
        assertThat(n.podCidrCommunities()).extracting(Object::toString).containsExactly("65000:1", "65000:99");
        assertThat(n.maxPaths()).isEqualTo(16);

        NodeConfig lb = p.nodeConfig("r3-lb1", SecretResolver.referencesOnly());
        assertThat(lb.neighbors().get(0).md5().describe()).isEqualTo("<from file /etc/gannet/md5/leaf-r3>");
        assertThat(lb.vipCommunities()).contains(Community.standard(0xFFFF, 0xFF01));
    }

    @Test
    void demoPeersOverLoopbackOnUnprivilegedPorts() throws Exception {
        LoadedProfile p = load("demo.yaml");
        assertThat(p.problems()).extracting(Problem::severity).containsOnly(Problem.Severity.WARNING);
        NodeConfig n = p.nodeConfig("node1", SecretResolver.system());
        assertThat(n.listenAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(n.listenPort()).isEqualTo(1791);
        assertThat(n.localAs()).isEqualTo(4_200_000_001L);
        assertThat(n.podCidr()).isEqualTo(Cidr.of("10.244.1.0/24"));
        NeighborConfig sw1 = n.neighbors().get(0);
        assertThat(sw1.address().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(sw1.port()).isEqualTo(1790);
        assertThat(sw1.remoteAs()).isEqualTo(4_200_000_100L);
        assertThat(sw1.bfd().enabled()).isFalse();
        PolicyStatement nh = n.exportPolicy().statements().get(0);
        assertThat(nh.action()).isEqualTo(PolicyStatement.Action.NEXT);
        assertThat(nh.set().nextHop().getHostAddress()).isEqualTo("198.51.100.1");
        assertThat(n.announcements()).isEqualTo(List.of(Cidr.of("10.244.1.0/24")));
    }
}
