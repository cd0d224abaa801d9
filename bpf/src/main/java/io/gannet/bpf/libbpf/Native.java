package io.gannet.bpf.libbpf;

import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Loads libbpf and libc once per JVM. libbpf is Debian's {@code libbpf.so.1} (package
 * libbpf1, pulled in by libbpf-dev); {@code GANNET_LIBBPF} overrides the path.
 */
public final class Native {
    private static final String[] LIBBPF_CANDIDATES = {
        "/usr/lib/x86_64-linux-gnu/libbpf.so.1", "/usr/lib/aarch64-linux-gnu/libbpf.so.1",
        "/usr/lib64/libbpf.so.1", "/usr/lib/libbpf.so.1",
    };

    private static volatile Native instance;

    private final LibBpf bpf;
    private final io.gannet.linux.LibC libc;
    private final Runtime runtime;

    private Native(LibBpf bpf, io.gannet.linux.LibC libc) {
        this.bpf = bpf;
        this.libc = libc;
        this.runtime = Runtime.getRuntime(bpf);
    }

    public static Native get() {
        Native n = instance;
        if (n == null) {
            synchronized (Native.class) {
                n = instance;
                if (n == null) {
                    n = new Native(loadLibbpf(), io.gannet.linux.LibC.INSTANCE);
                    instance = n;
                }
            }
        }
        return n;
    }

    private static LibBpf loadLibbpf() {
        String override = System.getenv("GANNET_LIBBPF");
        String chosen = null;
        if (override != null && !override.isBlank()) {
            chosen = override;
        } else {
            for (String c : LIBBPF_CANDIDATES) {
                if (Files.exists(Path.of(c))) {
                    chosen = c;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new BpfException(BpfException.Kind.MISSING_LIBRARY, "load libbpf", 0,
                    "libbpf.so.1 not found: install the Debian package libbpf1 (or libbpf-dev),"
                            + " or set GANNET_LIBBPF to its path");
        }
        try {
            return LibraryLoader.create(LibBpf.class).failImmediately().load(chosen);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new BpfException(BpfException.Kind.MISSING_LIBRARY, "load " + chosen, 0,
                    "cannot bind libbpf 1.x (" + e.getMessage() + "): Gannet needs libbpf >= 1.1");
        }
    }

    public LibBpf bpf() {
        return bpf;
    }

    /** libc, through linux-sys's binding. */
    public io.gannet.linux.LibC libc() {
        return libc;
    }

    public Runtime runtime() {
        return runtime;
    }

    /** errno of the last native call on this thread (jnr-ffi saves it after each call). */
    public int lastErrno() {
        return runtime.getLastError();
    }

    /** Zeroed native memory, freed by the GC. */
    public Pointer allocate(long size) {
        return Memory.allocateDirect(runtime, (int) size, true);
    }

    /** libbpf's text for a (positive or negative) error code. */
    public String strerror(int err) {
        Pointer buf = allocate(256);
        bpf.libbpf_strerror(Math.abs(err), buf, 256);
        return buf.getString(0);
    }
}
