package io.gannet.linux;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Network namespaces. setns(2) moves only the calling thread, so {@link #call} runs work on
 * a fresh platform thread that enters the namespace, runs, and ends; the caller's thread and
 * the JVM's other threads never change namespace. A socket opened there stays in that
 * namespace after the thread ends. {@link #enterOnThisThread} is for a thread that lives in
 * one namespace.
 */
public final class Netns {
    private Netns() {}

    /** Path of a namespace named by {@code ip netns add NAME}. */
    public static Path named(String name) {
        return Path.of("/run/netns", name);
    }

    /**
     * Opens a namespace file ({@code /run/netns/NAME}, {@code /proc/PID/ns/net}) read-only and
     * close-on-exec; the caller closes the fd. ENOENT when it does not exist.
     */
    public static int open(Path nsPath) {
        int fd = LibC.INSTANCE.open(nsPath.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new SysException("open network namespace " + nsPath, Errno.last());
        }
        return fd;
    }

    /**
     * The calling thread's network namespace cookie (SO_NETNS_COOKIE, Linux 5.14): what a BPF
     * program's bpf_get_netns_cookie returns for a socket of this namespace.
     */
    public static long cookieHere() {
        int fd = LibC.INSTANCE.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new SysException("socket for the network namespace cookie", Errno.last());
        }
        try {
            java.nio.ByteBuffer v = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
            int[] len = {8};
            if (LibC.INSTANCE.getsockopt(fd, 1 /* SOL_SOCKET */, 71 /* SO_NETNS_COOKIE */, v, len) != 0) {
                throw new SysException("getsockopt SO_NETNS_COOKIE", Errno.last());
            }
            return v.getLong(0);
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Closes a descriptor from {@link #open}. */
    public static void close(int fd) {
        LibC.INSTANCE.close(fd);
    }

    /**
     * Runs {@code work} inside the namespace at {@code nsPath} (null: the caller's own namespace,
     * on the caller's thread) and returns its result; its exceptions reach the caller unchanged.
     */
    public static <T> T call(Path nsPath, Callable<T> work) {
        if (nsPath == null) {
            return callHere(work);
        }
        int fd = open(nsPath);
        FutureTask<T> task = new FutureTask<>(() -> {
            enter(fd, nsPath);
            return work.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + nsPath.getFileName()).daemon(true).start(task);
        try {
            t.join();
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + nsPath, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Moves the calling thread, for the rest of its life, into the namespace at {@code nsPath};
     * for a thread its caller owns and dedicates to that namespace (BFD's timer thread opens
     * every socket of its service there). Other threads keep their namespace. Prefer {@link
     * #call} for one-off work.
     */
    public static void enterOnThisThread(Path nsPath) {
        enter(open(nsPath), nsPath);
    }

    public static void run(Path nsPath, Runnable work) {
        call(nsPath, () -> {
            work.run();
            return null;
        });
    }

    /** setns(fd, CLONE_NEWNET) on the calling thread; closes {@code fd}. */
    private static void enter(int fd, Path nsPath) {
        try {
            if (LibC.INSTANCE.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw new SysException("enter network namespace " + nsPath, Errno.last());
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static <T> T callHere(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
