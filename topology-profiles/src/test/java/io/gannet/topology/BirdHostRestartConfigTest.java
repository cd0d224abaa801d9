package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.Requirements;
import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.render.BirdSwitchRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: a host restart must not blackhole its PodCIDR at a BIRD leaf. With graceful restart
 * and BFD both on, the rendered session says {@code bfd graceful} (BFD Down during the host's
 * restart is handled as graceful restart, RFC 5882 4.3) and every host session carries error
 * wait/forget times sized for a host, not BIRD's 60-300 s defaults.
 */
class BirdHostRestartConfigTest {

    private static String render(String profileText, String switchName) throws ProfileException {
        LoadedProfile p = BfdStrictTest.parse(profileText);
        return BirdSwitchRenderer.render(p.switchView(switchName, ref -> new Md5Secret(ref.source(), ref.reference(), "k")));
    }

    @Test
    void gracefulRestartWithBfdRendersBfdGracefulAndHostSizedErrorWait(@TempDir Path dir) throws Exception {
        String example = BfdStrictTest.example();
        assertThat(example).contains("gracefulRestart: {enabled: true}");
        String conf = render(example, "leaf-r1-a");
        assertThat(conf).contains("  bfd graceful;\n").doesNotContain("bfd on;")
                .contains("  error wait time 2, 30;\n").contains("  error forget time 120;\n");
        // BIRD's own parser accepts it.
        Requirements.requireCommand("bird");
        Path file = dir.resolve("bird.conf");
        Files.writeString(file, conf);
        Process bird = new ProcessBuilder(List.of(Requirements.findCommand("bird").toString(), "-p", "-c", file.toString()))
                .redirectErrorStream(true).start();
        String out = new String(bird.getInputStream().readAllBytes());
        assertThat(bird.waitFor()).as(out).isZero();
    }

    @Test
    void withoutGracefulRestartBfdDownStillEndsTheSession() throws Exception {
        String text = BfdStrictTest.example().replace("gracefulRestart: {enabled: true}", "gracefulRestart: {enabled: false}");
        String conf = render(text, "leaf-r1-a");
        assertThat(conf).contains("  bfd on;\n").doesNotContain("bfd graceful").contains("  error wait time 2, 30;\n");
    }
}
