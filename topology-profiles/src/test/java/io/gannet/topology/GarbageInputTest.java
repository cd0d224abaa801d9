package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.FrrSwitchRenderer;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never crashes loading or rendering: random bytes, mutated examples, deep
 * nesting, alias bombs and non-UTF-8 files all end as problems (or, if a mutation happens to
 * stay valid, as a profile that renders every host and switch).
 */
class GarbageInputTest {

    @Test
    void randomBytesBecomeProblems() {
        Random r = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[r.nextInt(400)];
            r.nextBytes(b);
            LoadedProfile p = TopologyProfiles.parse("garbage.yaml", new String(b, StandardCharsets.ISO_8859_1));
            assertThat(p.hasErrors()).isTrue();
        }
    }

    @Test
    void mutatedExamplesNeverThrow() throws Exception {
        Random r = new Random(7);
        int rendered = 0;
        for (String name : new String[] {"ibgp-core.yaml", "ebgp-leaf.yaml", "demo.yaml"}) {
            String text = Files.readString(Fixtures.example(name));
            for (int i = 0; i < 400; i++) {
                LoadedProfile p = TopologyProfiles.parse(name, mutate(text, r));
                assertThat(p.problems()).allSatisfy(pr -> assertThat(pr.location().line()).isPositive());
                if (!p.hasErrors()) {
                    for (String h : p.hostNames()) {
                        NodeConfig n = p.nodeConfig(h, SecretResolver.referencesOnly());
                        assertThat(NodeConfigWriter.yaml(n)).contains(h);
                    }
                    for (String s : p.switchNames()) {
                        var v = p.switchView(s, ref -> new io.gannet.topology.config.Md5Secret(ref.source(), ref.reference(), "k"));
                        assertThat(FrrSwitchRenderer.render(v)).contains("router bgp");
                        assertThat(BirdSwitchRenderer.render(v)).contains("router id");
                    }
                    rendered++;
                }
            }
        }
        assertThat(rendered).as("some mutations stay valid and render").isPositive();
    }

    @Test
    void deepNestingAndAliasBombsAreRefused() {
        String deep = "apiVersion: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertThat(TopologyProfiles.parse("deep.yaml", deep).hasErrors()).isTrue();
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(prev).append(", *").append(prev).append(", *").append(prev)
                    .append(", *").append(prev).append(", *").append(prev).append(", *").append(prev).append("]\n");
        }
        assertThat(TopologyProfiles.parse("bomb.yaml", bomb.toString()).hasErrors()).isTrue();
        assertThat(TopologyProfiles.parse("two.yaml", "a: 1\n---\nb: 2\n").problems())
                .anyMatch(p -> p.message().contains("exactly one YAML document"));
        assertThat(TopologyProfiles.parse("empty.yaml", "").problems()).anyMatch(p -> p.message().contains("empty"));
        assertThat(TopologyProfiles.parse("scalar.yaml", "42").problems()).anyMatch(p -> p.message().contains("must be a mapping"));
    }

    @Test
    void nonUtf8FileIsAProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        LoadedProfile p = TopologyProfiles.load(f);
        assertThat(p.problems()).anyMatch(pr -> pr.message().contains("not UTF-8"));
    }

    private static final String SYNTAX = "{}[]:-,'\"&*!|>#\n 0129.";

    private static String mutate(String text, Random r) {
        StringBuilder b = new StringBuilder(text);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length() > 1; e++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(5)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, SYNTAX.charAt(r.nextInt(SYNTAX.length())));
                case 2 -> b.setCharAt(at, (char) ('0' + r.nextInt(10)));
                case 3 -> {
                    int end = Math.min(b.length(), at + r.nextInt(40));
                    b.insert(r.nextInt(b.length()), b.substring(at, end));
                }
                default -> b.setCharAt(at, ' ');
            }
        }
        return b.toString();
    }
}
