package io.gannet.topology;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the module's example and broken profiles, wherever the test runs from. */
final class Fixtures {
    private Fixtures() {}

    static Path moduleDir() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("examples"))) {
            return here;
        }
        return here.resolve("topology-profiles");
    }

    static Path example(String name) {
        return moduleDir().resolve("examples").resolve(name);
    }

    static Path broken(String name) {
        return moduleDir().resolve("src/test/resources/broken").resolve(name);
    }
}
