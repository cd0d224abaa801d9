package io.gannet.bfd.transport;

import java.io.IOException;
import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Small helpers over {@link LibC}: errno, int socket options, native buffers. */
final class Native {
    static final LibC C = LibC.INSTANCE;
    static final Runtime RUNTIME = Runtime.getRuntime(C);

    private Native() {}

    static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    static IOException error(String what) {
        int e = errno();
        return new IOException(what + ": " + C.strerror(e) + " (errno " + e + ")");
    }

    static Pointer allocate(int bytes) {
        Pointer p = Memory.allocateDirect(RUNTIME, bytes, true);
        return p;
    }

    static void setInt(int fd, int level, int option, int value, String what) throws IOException {
        Pointer v = allocate(4);
        v.putInt(0, value);
        if (C.setsockopt(fd, level, option, v, 4) != 0) {
            throw error("setsockopt " + what);
        }
    }

    /**
     * Enters the network namespace at {@code path} (e.g. /var/run/netns/NAME) on the
     * calling thread only: Linux applies setns(CLONE_NEWNET) per thread, and a socket keeps
     * the namespace it was created in for its whole life.
     */
    static void enterNetworkNamespace(String path) throws IOException {
        int fd = C.open(path, LibC.O_RDONLY);
        if (fd < 0) {
            throw error("open " + path);
        }
        try {
            if (C.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw error("setns " + path);
            }
        } finally {
            C.close(fd);
        }
    }
}
