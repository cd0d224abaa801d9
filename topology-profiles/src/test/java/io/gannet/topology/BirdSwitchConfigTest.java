package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.Requirements;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.SwitchView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every switch of every example, rendered for BIRD, passes {@code bird -p} (BIRD's own parser). */
class BirdSwitchConfigTest {

    static java.util.stream.Stream<Arguments> switches() throws Exception {
        return FrrSwitchConfigTest.switches();
    }

    @ParameterizedTest
    @MethodSource("switches")
    void renderedConfigurationParsesWithBird(String example, String switchName, @TempDir Path dir) throws Exception {
        Requirements.requireCommand("bird");
        LoadedProfile p = TopologyProfiles.load(Fixtures.example(example));
        SwitchView view = p.switchView(switchName, FrrSwitchConfigTest.secretsFor(dir));
        String config = BirdSwitchRenderer.render(view);
        Path file = dir.resolve("bird.conf");
        Files.writeString(file, config);
        Process bird = new ProcessBuilder(List.of(Requirements.findCommand("bird").toString(), "-p", "-c", file.toString()))
                .redirectErrorStream(true).start();
        String out = new String(bird.getInputStream().readAllBytes());
        assertThat(bird.waitFor()).as("bird -p said: %s%n%s", out, config).isZero();
        for (SwitchView.Session s : view.sessions()) {
            assertThat(config).contains("neighbor " + IpAddresses.format(s.hostAddress()) + " port " + s.hostPort() + " as " + s.hostAs() + ";");
        }
        assertThat(config).contains("export none;").contains("merge paths on limit " + view.maxPaths());
        if (switchName.equals("core1")) {
            // node4 overrides its BFD timers, which BIRD 2.0 cannot express per neighbor: said, not hidden.
            assertThat(BirdSwitchRenderer.perNeighborBfdDifferences(view)).containsExactly("node4");
            assertThat(config).contains("# host node4 overrides BFD timers");
        }
        if (switchName.equals("sw1")) {
            assertThat(config).contains("local 127.0.0.2 port 1790 as 4200000100;");
        }
    }
}
