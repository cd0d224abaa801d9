package io.gannet.bpf.libbpf;

import io.gannet.linux.SysException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Runs datapath work inside another network namespace, through linux-sys's {@link
 * io.gannet.linux.Netns} (a fresh platform thread enters the namespace, runs the work and
 * ends), with a namespace that cannot be entered reported as a {@link BpfException}.
 */
public final class Netns {
    private Netns() {}

    /** Path of a named namespace as created by {@code ip netns add}. */
    public static String named(String name) {
        return io.gannet.linux.Netns.named(name).toString();
    }

    public static <T> T call(String nsPath, Callable<T> work) {
        Path ns = nsPath == null ? null : Path.of(nsPath);
        try {
            return io.gannet.linux.Netns.call(ns, work);
        } catch (SysException e) {
            if (ns != null && e.operation().endsWith("network namespace " + ns)) { // not the work's own failure
                throw e.errno() == 2 ? new BpfException(BpfException.Kind.NOT_FOUND, e.operation(), 2, "no such network namespace")
                        : BpfException.fromErrno(e.operation(), -e.errno());
            }
            throw e;
        }
    }

    public static void run(String nsPath, Runnable work) {
        call(nsPath, () -> {
            work.run();
            return null;
        });
    }
}
