package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.diff.NodeConfigDiff;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.FrrSwitchRenderer;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * {@code bfd.strict} (draft-ietf-idr-bgp-bfd-strict-mode): off by default, set profile-wide or
 * per host, carried into each neighbor's BfdConfig and the rendered node config, and not
 * rendered for the switches (FRR 8.4 and BIRD 2.0 have no strict-mode knob).
 */
class BfdStrictTest {
    static final SecretResolver REFS = SecretResolver.referencesOnly();

    static String example() throws Exception {
        return Files.readString(Fixtures.example("ebgp-leaf.yaml"));
    }

    static LoadedProfile parse(String text) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        return p;
    }

    static String strictProfile() throws Exception {
        String text = example().replace("    multiplier: 3\n", "    multiplier: 3\n    strict: true\n")
                .replace("      bfd: {multiplier: 5}", "      bfd: {multiplier: 5, strict: false}");
        assertThat(text).contains("strict: true").contains("strict: false");
        return text;
    }

    @Test
    void strictIsOffByDefault() throws Exception {
        NodeConfig n = parse(example()).nodeConfig("r1-node1", REFS);
        assertThat(n.neighbors()).isNotEmpty().allSatisfy(nb -> assertThat(nb.bfd().strict()).isFalse());
        assertThat(NodeConfigWriter.yaml(n)).contains("strict: false");
    }

    @Test
    void strictSetProfileWideAndOverriddenPerHost() throws Exception {
        LoadedProfile p = parse(strictProfile());
        NodeConfig strict = p.nodeConfig("r1-node1", REFS);
        assertThat(strict.neighbors()).isNotEmpty().allSatisfy(nb -> {
            assertThat(nb.bfd().strict()).isTrue();
            assertThat(nb.bfd().minTxMs()).isEqualTo(200);
        });
        assertThat(NodeConfigWriter.yaml(strict)).contains("strict: true");
        NodeConfig relaxed = p.nodeConfig("r2-node2", REFS);
        assertThat(relaxed.neighbors()).isNotEmpty().allSatisfy(nb -> {
            assertThat(nb.bfd().strict()).isFalse();
            assertThat(nb.bfd().multiplier()).isEqualTo(5);
        });
    }

    @Test
    void turningStrictOnIsABfdChangeOfEachSession() throws Exception {
        NodeConfig a = parse(example()).nodeConfig("r1-node1", REFS);
        NodeConfig b = parse(strictProfile()).nodeConfig("r1-node1", REFS);
        NodeConfigDiff d = NodeConfigDiff.between(a, b);
        assertThat(d.changed()).isNotEmpty().allSatisfy(c -> assertThat(c.fields()).containsExactly("bfd"));
    }

    @Test
    void nonBooleanStrictIsAnErrorWithItsLine() throws Exception {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", example().replace("    multiplier: 3\n", "    multiplier: 3\n    strict: yes-please\n"));
        assertThat(p.hasErrors()).isTrue();
        assertThat(p.problems().toString()).contains("strict must be true or false").contains("t.yaml:33");
    }

    @Test
    void switchConfigsDoNotCarryStrictMode() throws Exception {
        LoadedProfile p = parse(strictProfile());
        var view = p.switchView("leaf-r1-a", ref -> new io.gannet.topology.config.Md5Secret(ref.source(), ref.reference(), "k"));
        String frr = FrrSwitchRenderer.render(view);
        assertThat(frr).contains(" bfd 3 200 200").doesNotContain("strict");
        assertThat(BirdSwitchRenderer.render(view)).contains("bfd graceful;").doesNotContain("strict");
        for (NeighborConfig nb : p.nodeConfig("r1-node1", REFS).neighbors()) {
            assertThat(nb.bfd().enabled()).isTrue();
        }
    }
}
