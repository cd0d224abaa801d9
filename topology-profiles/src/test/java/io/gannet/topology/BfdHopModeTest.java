package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.FrrSwitchRenderer;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The BFD hop mode of each session (single-hop RFC 5881 or multihop RFC 5883), resolved from the
 * profile as the switches decide it, and the switch renderings that make FRR and BIRD choose the
 * same: BIRD runs multihop BFD exactly for a "multihop" session, FRR 8.4 for an eBGP neighbor
 * whose TTL is not 1 and for an iBGP neighbor off its connected subnets.
 */
class BfdHopModeTest {
    static final SecretResolver REFS = SecretResolver.referencesOnly();

    private static String example(String name) throws Exception {
        return Files.readString(Fixtures.example(name));
    }

    private static LoadedProfile parse(String text) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        return p;
    }

    private static io.gannet.topology.render.SwitchView view(LoadedProfile p, String sw) throws Exception {
        return p.switchView(sw, ref -> new Md5Secret(ref.source(), ref.reference(), "k"));
    }

    @Test
    void ibgpToTheCoreIsMultihopAcceptingAnyTtl() throws Exception {
        LoadedProfile p = parse(example("ibgp-core.yaml"));
        NodeConfig n = p.nodeConfig("node1", REFS);
        assertThat(n.neighbors()).hasSize(2).allSatisfy(nb -> {
            assertThat(nb.ibgp()).isTrue();
            assertThat(nb.bfd().multihop()).isTrue();
            assertThat(nb.bfd().minReceivedTtl()).isEqualTo(1);
        });
        assertThat(NodeConfigWriter.yaml(n)).contains("multihop: true").contains("minReceivedTtl: 1");
        assertThat(BirdSwitchRenderer.render(view(p, "core1"))).contains("  multihop;\n").doesNotContain("direct;");
        assertThat(FrrSwitchRenderer.render(view(p, "core1")))
                .contains("! node1: multihop BFD (UDP 4784) on the host; FRR agrees when the host is not on a connected subnet");
    }

    @Test
    void ibgpOnTheSwitchSubnetSaysSingleHopAndBirdGoesDirect() throws Exception {
        LoadedProfile p = parse(example("ibgp-core.yaml").replace("    multiplier: 3\n", "    multiplier: 3\n    multihop: false\n"));
        NodeConfig n = p.nodeConfig("node1", REFS);
        assertThat(n.neighbors()).allSatisfy(nb -> {
            assertThat(nb.bfd().multihop()).isFalse();
            assertThat(nb.bfd().minReceivedTtl()).isEqualTo(255);
        });
        assertThat(NodeConfigWriter.yaml(n)).contains("multihop: false").doesNotContain("minReceivedTtl");
        String bird = BirdSwitchRenderer.render(view(p, "core1"));
        assertThat(bird).contains("  direct;  # bfd.multihop: false (single-hop BFD)\n").doesNotContain("  multihop;");
        assertThat(FrrSwitchRenderer.render(view(p, "core1"))).contains("single-hop BFD (UDP 3784) on the host");
    }

    @Test
    void gtsmLeavesAreMultihopAsFrrDecidesAndBirdIsRenderedToMatch() throws Exception {
        LoadedProfile p = parse(example("ebgp-leaf.yaml"));
        for (NeighborConfig nb : p.nodeConfig("r1-node1", REFS).neighbors()) {
            assertThat(nb.ibgp()).isFalse();
            assertThat(nb.ttlSecurityHops()).isEqualTo(1);
            assertThat(nb.bfd().multihop()).isTrue();
            // Any TTL, though GTSM guards the BGP session: BIRD sends multihop BFD with TTL 64.
            assertThat(nb.bfd().minReceivedTtl()).isEqualTo(1);
        }
        String bird = BirdSwitchRenderer.render(view(p, "leaf-r1-a"));
        assertThat(bird).contains("  ttl security on;\n  multihop 1;").doesNotContain("direct;");
        assertThat(FrrSwitchRenderer.render(view(p, "leaf-r1-a"))).contains("ttl-security hops 1").doesNotContain("WARNING");
    }

    @Test
    void directlyConnectedEbgpIsSingleHop() throws Exception {
        LoadedProfile p = parse(example("ebgp-leaf.yaml").replace("    ttlSecurity: 1            # GTSM: leaves are one hop away\n", ""));
        for (NeighborConfig nb : p.nodeConfig("r1-node1", REFS).neighbors()) {
            assertThat(nb.ttlSecurityHops()).isZero();
            assertThat(nb.multihopTtl()).isEqualTo(1);
            assertThat(nb.bfd().multihop()).isFalse();
        }
        assertThat(BirdSwitchRenderer.render(view(p, "leaf-r1-a"))).contains("  direct;\n").doesNotContainPattern("  multihop( \\d+)?;");
        assertThat(FrrSwitchRenderer.render(view(p, "leaf-r1-a"))).doesNotContain("WARNING").doesNotContain("ebgp-multihop");
    }

    @Test
    void anExplicitChoiceWinsPerHostAndFrrSaysWhenItCannotFollow() throws Exception {
        LoadedProfile p = parse(example("ebgp-leaf.yaml").replace("      bfd: {multiplier: 5}", "      bfd: {multiplier: 5, multihop: false}"));
        assertThat(p.nodeConfig("r2-node2", REFS).neighbors()).allSatisfy(nb -> assertThat(nb.bfd().multihop()).isFalse());
        assertThat(p.nodeConfig("r2-node1", REFS).neighbors()).allSatisfy(nb -> assertThat(nb.bfd().multihop()).isTrue());
        // BIRD follows (GTSM without "multihop": direct, single-hop BFD); FRR 8.4 has no knob.
        String bird = BirdSwitchRenderer.render(view(p, "leaf-r2-a"));
        assertThat(bird).containsPattern("host_r2_node2 \\{[^}]*ttl security on;\\n  bfd graceful;");
        assertThat(FrrSwitchRenderer.render(view(p, "leaf-r2-a")))
                .contains("! r2-node2: WARNING: bfd.multihop is false but FRR runs multihop BFD for this neighbor")
                .doesNotContain("r2-node1: WARNING");
    }

    @Test
    void singleHopForSessionsBeyondOneHopIsAWarningWithItsLine() throws Exception {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", example("ebgp-leaf.yaml")
                .replace("    ttlSecurity: 1            # GTSM: leaves are one hop away\n", "    ttlSecurity: 2\n")
                .replace("    multiplier: 3\n", "    multiplier: 3\n    multihop: false\n"));
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        assertThat(p.problems().toString()).contains("t.yaml:33:15: warning: spec: bfd.multihop false (single-hop BFD, TTL 255 only)"
                + " for sessions up to 2 hops away (bgp ttlSecurity)");
    }

    @Test
    void aNonBooleanMultihopIsAnErrorWithItsLine() throws Exception {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", example("ebgp-leaf.yaml").replace("    multiplier: 3\n", "    multiplier: 3\n    multihop: 2\n"));
        assertThat(p.hasErrors()).isTrue();
        assertThat(p.problems().toString()).contains("multihop must be true or false").contains("t.yaml:33");
    }
}
