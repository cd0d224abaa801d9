package io.gannet.bpf;

import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** A unique pin directory and the options a test's Datapath opens with ({@link DatapathPerTest} opens and removes it). */
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
