package io.gannet.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The cgroup v2 hierarchy of this host. */
public final class Cgroup2 {
    private Cgroup2() {}

    /**
     * Where the cgroup2 filesystem is mounted ({@code /sys/fs/cgroup} on a unified host,
     * {@code /sys/fs/cgroup/unified} on a hybrid one), from /proc/self/mounts; null when it is not.
     */
    public static Path mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    return Path.of(f[1]);
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
