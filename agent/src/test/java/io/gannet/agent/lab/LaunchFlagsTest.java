package io.gannet.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags a gannet started from a class path gets (the lab's fallback, the daemon tests:
 * {@link io.gannet.agent.LauncherFlags}) are the ones the {@code ./gannet} launcher gives users.
 */
class LaunchFlagsTest {
    private static final Path REPO = Path.of(System.getenv().getOrDefault("GANNET_REPO", "..")).toAbsolutePath().normalize();

    @Test
    void theLaunchersJvmFlagsAndEnvironmentAreTheLabsOwn() throws Exception {
        String launcher = Files.readString(REPO.resolve("gannet"));
        // The collector's flags (left out when GANNET_JAVA_OPTS names another collector), then the java command line.
        String execLine = launcher.substring(launcher.indexOf("gc_opts=("));
        assertThat(execLine).contains("exec \"$JAVA_HOME/bin/java\" \"${gc_opts[@]}\"");
        for (String flag : io.gannet.agent.LauncherFlags.COMMON) {
            assertThat(execLine).as("the launcher's java command line").contains(flag);
        }
        assertThat(execLine).contains("\"${mem_opts[@]}\"");
        io.gannet.agent.LauncherFlags.SINCE.forEach((flag, feature) -> assertThat(launcher)
                .as("the launcher gives %s from JDK %d", flag, feature)
                .contains("if [ \"$major\" -ge " + feature + " ]; then mem_opts+=(" + flag + "); fi"));
        assertThat(io.gannet.agent.LauncherFlags.forJdk(21)).doesNotContain("-XX:+UseCompactObjectHeaders", "-XX:TrimNativeHeapInterval=1000");
        assertThat(io.gannet.agent.LauncherFlags.forJdk(25)).contains("-XX:+UseCompactObjectHeaders", "-XX:TrimNativeHeapInterval=1000");
        assertThat(execLine).doesNotContain("UseZGC");
        assertThat(launcher).contains("export MALLOC_ARENA_MAX=\"${MALLOC_ARENA_MAX:-" + io.gannet.agent.LauncherFlags.ENV.get("MALLOC_ARENA_MAX") + "}\"");
        assertThat(LabCommand.Launch.env(REPO)).containsAllEntriesOf(io.gannet.agent.LauncherFlags.ENV);
    }
}
