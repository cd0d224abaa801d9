package io.gannet.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/** BIRD 2 with a test's config: `bird -c conf -s sock -P pid -f`, queried with birdc. */
final class BirdDaemon extends ExternalDaemon {
    BirdDaemon(String config) throws IOException {
        super("bird");
        Files.writeString(dir.resolve("bird.conf"), config);
        startProcess();
    }

    @Override
    protected List<String> command() {
        return List.of("bird", "-c", dir.resolve("bird.conf").toString(), "-s", dir.resolve("bird.ctl").toString(),
                "-P", dir.resolve("bird.pid").toString(), "-f");
    }

    String birdc(String... words) {
        List<String> cmd = new java.util.ArrayList<>(List.of("birdc", "-s", dir.resolve("bird.ctl").toString()));
        cmd.addAll(List.of(words));
        return run(cmd);
    }

    boolean established(String protocol) {
        return birdc("show", "protocols", "all", protocol).contains("BGP state:          Established");
    }

    String routes(String... filter) {
        List<String> words = new java.util.ArrayList<>(List.of("show", "route"));
        words.addAll(List.of(filter));
        return birdc(words.toArray(String[]::new));
    }
}
