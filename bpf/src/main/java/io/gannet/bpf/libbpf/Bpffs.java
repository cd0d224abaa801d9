package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks that a pin directory lives on a mounted bpf filesystem (from /proc/self/mounts). */
public final class Bpffs {
    private Bpffs() {}

    /** The bpffs mount point containing {@code dir}, or null. */
    public static Path mountFor(Path dir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mounts"));
        } catch (IOException e) {
            return null;
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path best = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 3 || !"bpf".equals(f[2])) {
                continue;
            }
            Path mnt = Path.of(f[1]);
            if (abs.startsWith(mnt) && (best == null || mnt.getNameCount() > best.getNameCount())) {
                best = mnt;
            }
        }
        return best;
    }

    /** Creates {@code dir} on bpffs, or throws NO_BPFFS naming the mount command. */
    public static void requireDirectory(Path dir) {
        if (mountFor(dir) == null) {
            throw new BpfException(BpfException.Kind.NO_BPFFS, "pin directory " + dir, 0,
                    "no bpf filesystem mounted there: run 'mount -t bpf bpf /sys/fs/bpf'");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "create " + dir, 0, e.toString());
        }
    }
}
