package io.gannet.bpf;

import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Opens a Datapath on a unique pin directory and removes the pins afterwards. */
public final class DatapathFixture {
    private DatapathFixture() {}

    public static Path objects() {
        return Path.of(System.getProperty("gannet.bpf.objects", "target/classes/bpf"));
    }

    public static Path uniquePinRoot() {
        return Path.of("/sys/fs/bpf/gannet-test-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
    }

    public static DatapathOptions options(Path pinRoot) {
        Requirements.requireBpf();
        return DatapathOptions.defaults().withPinRoot(pinRoot).withObjectDir(objects()).withConntrackMax(ConntrackSize.COMPILED);
    }
}
