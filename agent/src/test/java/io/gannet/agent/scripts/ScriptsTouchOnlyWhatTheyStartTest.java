package io.gannet.agent.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: the scripts run on the host Gannet is meant for, beside production BIRD and FRR.
 * None kills by process name or by a system daemon's pid file, and the demo's
 * lab (its namespaces and state directory) is named per run, so two demos side by side never
 * share (or delete) each other's.
 */
class ScriptsTouchOnlyWhatTheyStartTest {
    private static final Path SCRIPTS = Path.of("..", "scripts");

    @Test
    void noScriptKillsByNameOrBySystemPidFiles() throws Exception {
        for (String script : List.of("demo", "setup-host", "test")) {
            Path p = SCRIPTS.resolve(script);
            if (!Files.exists(p)) {
                continue;
            }
            String text = Files.readString(p);
            assertThat(text).as(script).doesNotContainPattern("(?m)^[^#]*\\bpkill\\b").doesNotContainPattern("(?m)^[^#]*\\bkillall\\b")
                    .doesNotContainPattern("(?m)^[^#]*/run/(bird|frr|etcd)/");
        }
    }

    @Test
    void theDemoNamesItsLabPerRunAndRemovesOnlyThatLab() throws Exception {
        String demo = Files.readString(SCRIPTS.resolve("demo"));
        // The lab's namespaces (gl-NAME-*) and state (/run/gannet-lab/NAME) follow its name.
        assertThat(demo).containsPattern("(?m)^name=\"demo\\$\\(\\( \\$\\$ % 1000000 \\)\\)\"$")
                .containsPattern("(?m)^[^#]*lab up --name \"\\$name\"")
                .containsPattern("(?m)^[^#]*lab down --name \"\\$name\"")
                .doesNotContainPattern("(?m)^[^#]*\\bip netns (del|delete)\\b")
                .doesNotContainPattern("(?m)^[^#]*rm -rf /run/gannet-lab(/)?[\"' ]*$");
    }
}
