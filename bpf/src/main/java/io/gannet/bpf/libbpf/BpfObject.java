package io.gannet.bpf.libbpf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * One BPF ELF object opened and loaded by libbpf ({@code bpf_object__open_file} +
 * {@code bpf_object__load}). Maps declared with {@code LIBBPF_PIN_BY_NAME} are pinned
 * under {@code pinRoot}, or re-used from there when already pinned: that is how several
 * objects share one set of maps and how a restarted agent re-adopts them.
 *
 * <p>The verifier log is captured through {@code kernel_log_buf}/{@code kernel_log_size}
 * of bpf_object_open_opts (libbpf 1.1 retries a failed load at log level 1 into it), since
 * jnr-ffi cannot implement libbpf's va_list print callback.
 */
public final class BpfObject implements AutoCloseable {
    private static final int LOG_SIZE = 4 * 1024 * 1024;

    private final Path file;
    private final Pointer obj;
    // Native strings/buffers referenced by the open opts must outlive the object.
    private final List<Pointer> keepAlive = new ArrayList<>();
    private final Pointer logBuf;
    private boolean closed;

    private BpfObject(Path file, Pointer obj, Pointer logBuf, List<Pointer> keepAlive) {
        this.file = file;
        this.obj = obj;
        this.logBuf = logBuf;
        this.keepAlive.addAll(keepAlive);
    }

    /** Opens and loads {@code file}; {@code pinRoot} may be null (no map pinning). */
    public static BpfObject load(Path file, String pinRoot) {
        return load(file, pinRoot, java.util.Map.of());
    }

    /**
     * Opens {@code file}, gives the named maps another max_entries than compiled (a map the
     * object lacks is skipped), and loads it; {@code pinRoot} may be null (no map pinning).
     */
    public static BpfObject load(Path file, String pinRoot, java.util.Map<String, Integer> maxEntries) {
        return load(file, pinRoot, new Sizing(maxEntries, java.util.Map.of(), java.util.Map.of()));
    }

    /**
     * What the agent decides at load time instead of the compiler.
     *
     * @param maxEntries  max_entries by map name
     * @param valueSizes  value sizes by map name (maps declared with {@code value_size}, not a BTF value type)
     * @param rodataU32   read-only constants by section ({@code .rodata.NAME} holding one {@code const volatile __u32})
     */
    public record Sizing(java.util.Map<String, Integer> maxEntries, java.util.Map<String, Integer> valueSizes,
                         java.util.Map<String, Integer> rodataU32) {}

    /** Opens {@code file}, applies {@code sizing} (a map or section the object lacks is skipped) and loads it. */
    public static BpfObject load(Path file, String pinRoot, Sizing sizing) {
        java.util.Map<String, Integer> maxEntries = sizing.maxEntries();
        Native n = Native.get();
        List<Pointer> keep = new ArrayList<>();
        Pointer opts = Opts.alloc(Opts.ObjectOpen.SIZE);
        keep.add(opts);
        if (pinRoot != null) {
            Pointer s = cString(pinRoot);
            keep.add(s);
            opts.putPointer(Opts.ObjectOpen.PIN_ROOT_PATH, s);
        }
        Pointer log = n.allocate(LOG_SIZE);
        keep.add(log);
        opts.putPointer(Opts.ObjectOpen.KERNEL_LOG_BUF, log);
        opts.putLong(Opts.ObjectOpen.KERNEL_LOG_SIZE, LOG_SIZE);
        opts.putInt(Opts.ObjectOpen.KERNEL_LOG_LEVEL, 0);
        Pointer obj = n.bpf().bpf_object__open_file(file.toString(), opts);
        if (obj == null || obj.address() == 0) {
            int errno = n.lastErrno();
            throw BpfException.fromErrno("bpf_object__open_file " + file, -(errno == 0 ? 22 : errno));
        }
        BpfObject o = new BpfObject(file, obj, log, keep);
        for (java.util.Map.Entry<String, Integer> e : maxEntries.entrySet()) {
            Pointer m = n.bpf().bpf_object__find_map_by_name(obj, e.getKey());
            if (m != null && m.address() != 0) {
                int r = n.bpf().bpf_map__set_max_entries(m, e.getValue());
                if (r < 0) {
                    o.close();
                    throw BpfException.fromErrno("bpf_map__set_max_entries " + e.getKey() + " " + e.getValue(), r);
                }
            }
        }
        for (java.util.Map.Entry<String, Integer> e : sizing.valueSizes().entrySet()) {
            Pointer m = n.bpf().bpf_object__find_map_by_name(obj, e.getKey());
            if (m != null && m.address() != 0) {
                int r = n.bpf().bpf_map__set_value_size(m, e.getValue());
                if (r < 0) {
                    o.close();
                    throw BpfException.fromErrno("bpf_map__set_value_size " + e.getKey() + " " + e.getValue(), r);
                }
            }
        }
        for (java.util.Map.Entry<String, Integer> e : sizing.rodataU32().entrySet()) {
            Pointer m = n.bpf().bpf_object__find_map_by_name(obj, e.getKey());
            if (m == null || m.address() == 0) {
                continue;
            }
            Pointer size = n.allocate(8);
            Pointer data = n.bpf().bpf_map__initial_value(m, size);
            if (data == null || data.address() == 0 || size.getLong(0) != 4) {
                o.close();
                throw new BpfException(BpfException.Kind.OTHER, "set " + e.getKey() + " in " + file.getFileName(), 0,
                        e.getKey() + " must hold exactly one __u32 (found " + size.getLong(0) + " bytes)");
            }
            data.putInt(0, e.getValue()); // host byte order, as the program reads it
        }
        int ret = n.bpf().bpf_object__load(obj);
        if (ret < 0) {
            String vlog = log.getString(0, LOG_SIZE, java.nio.charset.StandardCharsets.UTF_8).trim();
            o.close();
            if (!vlog.isEmpty() && Math.abs(ret) != 1) {
                throw new BpfException(BpfException.Kind.VERIFIER, "bpf_object__load " + file, Math.abs(ret),
                        "the kernel verifier rejected a program of " + file.getFileName()
                                + "; fix the C source (log below) or check the kernel is >= 5.10", vlog);
            }
            if (pinRoot != null && Math.abs(ret) == 22) {
                throw new BpfException(BpfException.Kind.OTHER, "bpf_object__load " + file, 22,
                        "a map pinned under " + pinRoot + " does not match this object's definition (type, key/value"
                                + " size or max_entries changed?); remove the stale pins (Datapath.removePins) to start"
                                + " fresh, which drops established flows' conntrack state");
            }
            throw BpfException.fromErrno("bpf_object__load " + file, ret);
        }
        return o;
    }

    static Pointer cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Pointer p = Native.get().allocate(b.length + 1);
        p.put(0, b, 0, b.length);
        p.putByte(b.length, (byte) 0);
        return p;
    }

    public Path file() {
        return file;
    }

    public BpfProgram program(String name) {
        Native n = Native.get();
        Pointer p = n.bpf().bpf_object__find_program_by_name(obj, name);
        if (p == null || p.address() == 0) {
            throw new BpfException(BpfException.Kind.NOT_FOUND, "find program " + name, 0,
                    file.getFileName() + " has no program named " + name);
        }
        return new BpfProgram(name, p, n.bpf().bpf_program__fd(p));
    }

    public BpfMap map(String name) {
        Native n = Native.get();
        Pointer m = n.bpf().bpf_object__find_map_by_name(obj, name);
        if (m == null || m.address() == 0) {
            throw new BpfException(BpfException.Kind.NOT_FOUND, "find map " + name, 0,
                    file.getFileName() + " has no map named " + name);
        }
        return map(n, name, m);
    }

    /**
     * Every map of the loaded object, in the object's order: the pinned ones it shares with
     * other objects, its own unpinned ones and libbpf's internal maps ({@code .rodata*}).
     */
    public List<BpfMap> maps() {
        Native n = Native.get();
        List<BpfMap> out = new ArrayList<>();
        for (Pointer m = n.bpf().bpf_object__next_map(obj, null); m != null && m.address() != 0;
                m = n.bpf().bpf_object__next_map(obj, m)) {
            out.add(map(n, n.bpf().bpf_map__name(m), m));
        }
        return out;
    }

    private static BpfMap map(Native n, String name, Pointer m) {
        return new BpfMap(name, n.bpf().bpf_map__fd(m), n.bpf().bpf_map__key_size(m),
                n.bpf().bpf_map__value_size(m), n.bpf().bpf_map__max_entries(m), false);
    }

    /** The verifier output of the last load (empty when the load succeeded at level 0). */
    public String log() {
        return logBuf.getString(0, LOG_SIZE, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    /** Closes the object's fds; pinned maps/programs and attachments stay in the kernel. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.get().bpf().bpf_object__close(obj);
        }
    }
}
