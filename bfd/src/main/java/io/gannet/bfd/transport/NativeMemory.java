package io.gannet.bfd.transport;

import java.io.IOException;
import jnr.ffi.Pointer;

/** Native buffers and interface lookups for the service; allocate once, reuse forever. */
public final class NativeMemory {
    private NativeMemory() {}

    /** Zeroed native memory that lives until garbage collected. */
    public static Pointer allocate(int bytes) {
        return Native.allocate(bytes);
    }

    /** if_nametoindex(3) in the calling thread's network namespace. */
    public static int interfaceIndex(String name) throws IOException {
        int index = Native.C.if_nametoindex(name);
        if (index == 0) {
            throw Native.error("no interface " + name);
        }
        return index;
    }
}
