package io.gannet.bpf.libbpf;

import jnr.ffi.Pointer;

/**
 * A loaded program of a {@link BpfObject}: its fd stays valid until the object closes.
 * Attachments made through netlink (TC) or XDP hold their own kernel reference, so traffic
 * keeps flowing after the object is closed.
 */
public final class BpfProgram {
    private final String name;
    private final Pointer handle;
    private final int fd;

    BpfProgram(String name, Pointer handle, int fd) {
        this.name = name;
        this.handle = handle;
        this.fd = fd;
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** Pins the program at {@code path} (which must not exist) on a bpffs. */
    public void pin(String path) {
        BpfException.check("bpf_program__pin " + path, Native.get().bpf().bpf_program__pin(handle, path));
    }

    /** Runs the program once per {@code repeat} on {@code packet} (BPF_PROG_TEST_RUN). */
    public TestRun.Result testRun(byte[] packet, int repeat) {
        return TestRun.run(this, packet, repeat);
    }
}
