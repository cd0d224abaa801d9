package io.gannet.bfd.transport;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
import io.gannet.linux.SysException;
import java.io.IOException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Native buffers and interface lookups for the service; allocate once, reuse forever. */
public final class NativeMemory {
    private static final Runtime RUNTIME = Runtime.getRuntime(LibC.INSTANCE);

    private NativeMemory() {}

    /** Zeroed native memory that lives until garbage collected. */
    public static Pointer allocate(int bytes) {
        return Memory.allocateDirect(RUNTIME, bytes, true);
    }

    /** if_nametoindex(3) in the calling thread's network namespace. */
    public static int interfaceIndex(String name) throws IOException {
        int index = LibC.INSTANCE.if_nametoindex(name);
        if (index == 0) {
            throw lastError("no interface " + name);
        }
        return index;
    }

    /**
     * The calling thread's last libc error, in linux-sys's words ({@code setsockopt IP_TTL:
     * EPERM (Operation not permitted)}), as the IOException the transport's callers handle.
     */
    static IOException lastError(String operation) {
        SysException e = new SysException(operation, Errno.last());
        return new IOException(e.getMessage(), e);
    }
}
