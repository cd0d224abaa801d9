package io.gannet.bpf.libbpf;

import jnr.ffi.Pointer;

/**
 * Layouts of the libbpf 1.1 option structs, as offsets on x86_64/aarch64 (LP64). Every
 * struct starts with {@code size_t sz}, which libbpf uses to tell which fields the caller
 * knows: {@link #alloc} always sets it. OptsLayoutTest compiles a C file with offsetof()
 * against the installed headers and checks these numbers.
 */
public final class Opts {
    private Opts() {}

    /** struct bpf_object_open_opts. */
    public static final class ObjectOpen {
        public static final int SIZE = 80;
        public static final int OBJECT_NAME = 8;
        public static final int PIN_ROOT_PATH = 24;
        public static final int KERNEL_LOG_BUF = 56;
        public static final int KERNEL_LOG_SIZE = 64;
        public static final int KERNEL_LOG_LEVEL = 72;

        private ObjectOpen() {}
    }

    /** struct bpf_tc_hook. */
    public static final class TcHook {
        public static final int SIZE = 24;
        public static final int IFINDEX = 8;
        public static final int ATTACH_POINT = 12;
        public static final int PARENT = 16;
        public static final int BPF_TC_INGRESS = 1;
        public static final int BPF_TC_EGRESS = 2;

        private TcHook() {}
    }

    /** struct bpf_tc_opts. */
    public static final class TcOpts {
        public static final int SIZE = 32;
        public static final int PROG_FD = 8;
        public static final int FLAGS = 12;
        public static final int PROG_ID = 16;
        public static final int HANDLE = 20;
        public static final int PRIORITY = 24;
        public static final int BPF_TC_F_REPLACE = 1;

        private TcOpts() {}
    }

    /** struct bpf_test_run_opts. */
    public static final class TestRun {
        public static final int SIZE = 80;
        public static final int DATA_IN = 8;
        public static final int DATA_OUT = 16;
        public static final int DATA_SIZE_IN = 24;
        public static final int DATA_SIZE_OUT = 28;
        public static final int CTX_IN = 32;
        public static final int CTX_OUT = 40;
        public static final int CTX_SIZE_IN = 48;
        public static final int CTX_SIZE_OUT = 52;
        public static final int RETVAL = 56;
        public static final int REPEAT = 60;
        public static final int DURATION = 64;

        private TestRun() {}
    }

    /** struct bpf_map_batch_opts. */
    public static final class MapBatch {
        public static final int SIZE = 24;
        public static final int ELEM_FLAGS = 8;
        public static final int FLAGS = 16;

        private MapBatch() {}
    }

    /** struct bpf_xdp_attach_opts. */
    public static final class XdpAttach {
        public static final int SIZE = 16;
        public static final int OLD_PROG_FD = 8;

        private XdpAttach() {}
    }

    /**
     * struct bpf_link_create_opts up to its {@code flags} (the XDP mode of an XDP link): passed with
     * {@code sz} 16, which libbpf takes as an older, smaller struct (its other members absent).
     */
    public static final class LinkCreate {
        public static final int FLAGS = 8;
        public static final int SIZE_TO_FLAGS = 16;

        private LinkCreate() {}
    }

    /** Zeroed struct memory of {@code size} bytes with {@code sz} set. */
    public static Pointer alloc(int size) {
        Pointer p = Native.get().allocate(size);
        p.putLong(0, size);
        return p;
    }
}
