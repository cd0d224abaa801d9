package io.gannet.lab;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One BIRD 2 daemon inside a namespace, with its config ({@code bird.conf}), control socket and
 * pid file in a test directory; {@code birdc} talks to that socket. BIRD daemonizes itself, so
 * close kills it by its pid file.
 */
public final class BirdSwitch implements AutoCloseable {
    private final Path dir;

    private BirdSwitch(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code conf} to {@code dir/bird.conf} and starts BIRD with it in {@code ns}. */
    public static BirdSwitch start(NetworkNamespace ns, Path dir, String conf) throws IOException {
        BirdSwitch bird = new BirdSwitch(dir);
        Files.writeString(bird.conf(), conf);
        ns.exec("bird", "-c", bird.conf().toString(), "-s", dir.resolve("bird.ctl").toString(), "-P",
                dir.resolve("bird.pid").toString());
        return bird;
    }

    /** The configuration file BIRD reads (also on {@code birdc configure}). */
    public Path conf() {
        return dir.resolve("bird.conf");
    }

    public String birdc(String... args) {
        List<String> cmd = new ArrayList<>(List.of("birdc", "-s", dir.resolve("bird.ctl").toString()));
        cmd.addAll(List.of(args));
        return NetworkNamespace.Shell.runQuietly(cmd.toArray(String[]::new));
    }

    /** {@code birdc show protocols all} under a heading: for a test's failure message. */
    public String diagnostics() {
        return "\n--- birdc show protocols all:\n" + birdc("show", "protocols", "all");
    }

    @Override
    public void close() throws IOException {
        Path pid = dir.resolve("bird.pid");
        if (Files.exists(pid)) {
            NetworkNamespace.Shell.runQuietly("kill", Files.readString(pid).trim());
        }
    }
}
