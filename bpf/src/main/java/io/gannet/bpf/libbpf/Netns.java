package io.gannet.bpf.libbpf;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs work inside another network namespace. setns(2) moves only the calling thread, so
 * each call gets a fresh platform thread that enters the namespace, runs the work and ends;
 * sockets and netlink requests made there stay in that namespace.
 */
public final class Netns {
    private Netns() {}

    /** Path of a named namespace as created by {@code ip netns add}. */
    public static String named(String name) {
        return "/run/netns/" + name;
    }

    public static <T> T call(String nsPath, Callable<T> work) {
        if (nsPath == null) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        FutureTask<T> task = new FutureTask<>(() -> {
            LibC libc = Native.get().libc();
            int fd = libc.open(nsPath, LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0) {
                throw new BpfException(BpfException.Kind.NOT_FOUND, "open " + nsPath, Native.get().lastErrno(),
                        "no such network namespace");
            }
            try {
                if (libc.setns(fd, LibC.CLONE_NEWNET) != 0) {
                    throw BpfException.fromErrno("setns " + nsPath, -Native.get().lastErrno());
                }
            } finally {
                libc.close(fd);
            }
            return work.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + nsPath).start(task);
        try {
            t.join();
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public static void run(String nsPath, Runnable work) {
        call(nsPath, () -> {
            work.run();
            return null;
        });
    }
}
