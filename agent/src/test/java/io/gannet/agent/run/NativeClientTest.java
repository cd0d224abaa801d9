package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "the CLI answers like birdc": the native client {@code gannet-show} (built by the
 * agent's build from src/main/c) against a running daemon prints byte for byte what the Java
 * CLI prints, for every view it handles and for errors, with the same exit codes; what it does
 * not handle it hands back (exit 200) for the launcher to run the Java CLI.
 */
class NativeClientTest {
    private static final Path CLIENT = Path.of("target", "gannet-show").toAbsolutePath();

    @TempDir
    Path dir;
    private GannetProcess gannet;

    @AfterEach
    void stop() {
        if (gannet != null) {
            gannet.close();
        }
    }

    record Run(int exit, String out, String err) {}

    private Run nativeClient(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CLIENT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void nativeClientPrintsWhatTheJavaCliPrints() throws Exception {
        assertThat(CLIENT).as("built by the agent's compile phase (gcc)").isExecutable();
        gannet = LoopbackDaemon.start(dir);
        assertThat(gannet.cliResult("announce", "10.244.1.128/25").exit()).isZero();
        String socket = gannet.socket().toString();
        List<List<String>> views = List.of(List.of("show", "peers"), List.of("show", "routes"),
                List.of("show", "routes", LoopbackDaemon.POD_CIDR), List.of("show", "routes", "for", "10.244.1.200"),
                List.of("show", "peer", "sw1"), List.of("show", "bfd"), List.of("show", "peer", "nosuch"),
                List.of("show", "routes", "for", "8.8.8.8"));
        for (List<String> view : views) {
            // The session to sw1 may move between Connect and Active between two calls: retry a mismatch.
            Run n = null;
            GannetProcess.CliResult j = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                n = nativeClient(with(view, "--socket", socket));
                j = gannet.cliResult(view.toArray(String[]::new));
                if (n.out().equals(j.out()) && n.err().equals(j.err())) {
                    break;
                }
            }
            assertThat(n.exit()).as("exit of %s", view).isEqualTo(j.exit());
            assertThat(n.out()).as("stdout of %s", view).isEqualTo(j.out());
            assertThat(n.err()).as("stderr of %s", view).isEqualTo(j.err());
        }
        assertThat(nativeClient("show", "routes", "for", "10.244.1.200", "--socket", socket).out())
                .contains("10.244.1.128/25").contains("operator");
        assertThat(nativeClient("show", "peer", "nosuch", "--socket", socket).exit()).isEqualTo(4);

        Run missing = nativeClient("show", "peers", "--socket", dir.resolve("nothing.sock").toString());
        GannetProcess.CliResult javaMissing = GannetProcess.cliExactly("show", "peers", "--socket",
                dir.resolve("nothing.sock").toString());
        assertThat(missing.exit()).isEqualTo(3).isEqualTo(javaMissing.exit());
        assertThat(missing.err()).isEqualTo(javaMissing.err());

        for (String[] other : new String[][] {{"show", "peers", "--json"}, {"show", "vips"}, {"peer", "disable", "sw1"},
                {"show", "routes", "--peer", "sw1"}}) {
            Run r = nativeClient(other);
            assertThat(r.exit()).as("handed back: %s", List.of(other)).isEqualTo(200);
            assertThat(r.out() + r.err()).isEmpty();
        }
    }

    private static String[] with(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(more));
        return l.toArray(String[]::new);
    }
}
