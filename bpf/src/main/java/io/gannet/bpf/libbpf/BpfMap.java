package io.gannet.bpf.libbpf;

import java.util.function.BiConsumer;
import jnr.ffi.Pointer;

/**
 * A BPF map by file descriptor, with byte-level access. Typed access is
 * {@link io.gannet.bpf.maps.TypedMap}. The fd belongs to the {@link BpfObject} that loaded
 * the map (or to this instance when obtained by {@link #openPinned}).
 *
 * <p>Thread safety: the kernel serializes element operations; instances hold no mutable state.
 */
public final class BpfMap implements AutoCloseable {
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    private static final int ENOENT = 2;

    private final String name;
    private final int fd;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final boolean ownsFd;

    BpfMap(String name, int fd, int keySize, int valueSize, int maxEntries, boolean ownsFd) {
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.ownsFd = ownsFd;
    }

    /** Opens a pinned map (bpf_obj_get); sizes must be given by the caller's layout. */
    public static BpfMap openPinned(String path, int keySize, int valueSize, int maxEntries) {
        int fd = BpfException.check("bpf_obj_get " + path, Native.get().bpf().bpf_obj_get(path));
        return new BpfMap(path, fd, keySize, valueSize, maxEntries, true);
    }

    /**
     * Opens a pinned map whose layout is read from the kernel (BPF_OBJ_GET_INFO_BY_FD), for
     * maps of an older pin layout; null when nothing is pinned at {@code path}.
     */
    public static BpfMap openPinnedAsIs(String path) {
        if (!java.nio.file.Files.exists(java.nio.file.Path.of(path))) {
            return null;
        }
        Native nat = Native.get();
        int fd = BpfException.check("bpf_obj_get " + path, nat.bpf().bpf_obj_get(path));
        Pointer info = nat.allocate(96);
        Pointer len = nat.allocate(4);
        len.putInt(0, 96);
        int ret = nat.bpf().bpf_obj_get_info_by_fd(fd, info, len);
        if (ret < 0) {
            nat.libc().close(fd);
            throw BpfException.fromErrno("bpf_obj_get_info_by_fd " + path, ret);
        }
        return new BpfMap(path, fd, info.getInt(8), info.getInt(12), info.getInt(16), true);
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** The kernel's facts about this map (BPF_OBJ_GET_INFO_BY_FD): its type and flags. */
    public Info info() {
        Native nat = Native.get();
        Pointer info = nat.allocate(96);
        Pointer len = nat.allocate(4);
        len.putInt(0, 96);
        BpfException.check("bpf_obj_get_info_by_fd " + name, nat.bpf().bpf_obj_get_info_by_fd(fd, info, len));
        return new Info(info.getInt(0), info.getInt(20));
    }

    /**
     * struct bpf_map_info's {@code type} (enum bpf_map_type) and {@code map_flags}.
     *
     * @param type  e.g. {@link #HASH}, {@link #ARRAY}, {@link #PERCPU_ARRAY}, {@link #QUEUE}
     * @param flags e.g. {@link #F_RDONLY_PROG} (libbpf's frozen {@code .rodata} maps)
     */
    public record Info(int type, int flags) {
        public static final int HASH = 1;
        public static final int ARRAY = 2;
        public static final int PERCPU_HASH = 5;
        public static final int PERCPU_ARRAY = 6;
        public static final int LRU_HASH = 9;
        public static final int LRU_PERCPU_HASH = 10;
        public static final int LPM_TRIE = 11;
        public static final int QUEUE = 22;
        public static final int F_RDONLY_PROG = 1 << 7;

        public boolean perCpu() {
            return type == PERCPU_HASH || type == PERCPU_ARRAY || type == LRU_PERCPU_HASH;
        }

        public boolean readOnlyToPrograms() {
            return (flags & F_RDONLY_PROG) != 0;
        }
    }

    private static Pointer mem(int size) {
        return Native.get().allocate(Math.max(size, 1));
    }

    private Pointer copyIn(byte[] bytes, int expected, String what) {
        if (bytes.length != expected) {
            throw new IllegalArgumentException(name + ": " + what + " is " + bytes.length + " bytes, map wants " + expected);
        }
        Pointer p = mem(expected);
        p.put(0, bytes, 0, expected);
        return p;
    }

    public void update(byte[] key, byte[] value, long flags) {
        int ret = Native.get().bpf().bpf_map_update_elem(fd, copyIn(key, keySize, "key"),
                copyIn(value, valueSize, "value"), flags);
        BpfException.check("bpf_map_update_elem " + name, ret);
    }

    /** The value under {@code key}, or null when absent. */
    public byte[] lookup(byte[] key) {
        Pointer v = mem(valueSize);
        int ret = Native.get().bpf().bpf_map_lookup_elem(fd, copyIn(key, keySize, "key"), v);
        if (ret == -ENOENT) {
            return null;
        }
        BpfException.check("bpf_map_lookup_elem " + name, ret);
        byte[] out = new byte[valueSize];
        v.get(0, out, 0, valueSize);
        return out;
    }

    /**
     * The raw value bytes under {@code key} for per-CPU maps, where user space sees one
     * 8-byte-aligned value per possible CPU; null when absent.
     */
    public byte[] lookupPerCpu(byte[] key) {
        int cpus = Native.get().bpf().libbpf_num_possible_cpus();
        int stride = (valueSize + 7) & ~7;
        Pointer v = mem(stride * cpus);
        int ret = Native.get().bpf().bpf_map_lookup_elem(fd, copyIn(key, keySize, "key"), v);
        if (ret == -ENOENT) {
            return null;
        }
        BpfException.check("bpf_map_lookup_elem " + name, ret);
        byte[] out = new byte[stride * cpus];
        v.get(0, out, 0, out.length);
        return out;
    }

    /**
     * Writes the raw per-CPU value bytes under {@code key} of a per-CPU map: one value per
     * possible CPU, each padded to 8 bytes, as {@link #lookupPerCpu} returns them.
     */
    public void updatePerCpu(byte[] key, byte[] values, long flags) {
        int cpus = Native.get().bpf().libbpf_num_possible_cpus();
        int stride = (valueSize + 7) & ~7;
        if (values.length != stride * cpus) {
            throw new IllegalArgumentException(name + ": per-CPU value is " + values.length + " bytes, map wants "
                    + stride * cpus + " (" + cpus + " CPUs of " + stride + ")");
        }
        Pointer v = mem(values.length);
        v.put(0, values, 0, values.length);
        BpfException.check("bpf_map_update_elem " + name,
                Native.get().bpf().bpf_map_update_elem(fd, copyIn(key, keySize, "key"), v, flags));
    }

    /** Pushes {@code value} onto a queue map (BPF_MAP_TYPE_QUEUE, which has no key). */
    public void push(byte[] value) {
        BpfException.check("bpf_map_update_elem " + name,
                Native.get().bpf().bpf_map_update_elem(fd, null, copyIn(value, valueSize, "value"), BPF_ANY));
    }

    /** Pops the oldest value of a queue map (BPF_MAP_TYPE_QUEUE), or null when it is empty. */
    public byte[] pop() {
        Pointer v = mem(valueSize);
        int ret = Native.get().bpf().bpf_map_lookup_and_delete_elem(fd, null, v);
        if (ret == -ENOENT) {
            return null;
        }
        BpfException.check("bpf_map_lookup_and_delete_elem " + name, ret);
        byte[] out = new byte[valueSize];
        v.get(0, out, 0, valueSize);
        return out;
    }

    /** Deletes {@code key}; false when it was absent. */
    public boolean delete(byte[] key) {
        int ret = Native.get().bpf().bpf_map_delete_elem(fd, copyIn(key, keySize, "key"));
        if (ret == -ENOENT) {
            return false;
        }
        BpfException.check("bpf_map_delete_elem " + name, ret);
        return true;
    }

    /** The key after {@code key} (the first key when null), or null at the end. */
    public byte[] nextKey(byte[] key) {
        Pointer next = mem(keySize);
        int ret = Native.get().bpf().bpf_map_get_next_key(fd, key == null ? null : copyIn(key, keySize, "key"), next);
        if (ret == -ENOENT) {
            return null;
        }
        BpfException.check("bpf_map_get_next_key " + name, ret);
        byte[] out = new byte[keySize];
        next.get(0, out, 0, keySize);
        return out;
    }

    /**
     * Writes {@code count} packed keys and values in one syscall (BPF_MAP_UPDATE_BATCH,
     * Linux 5.6+). {@code elemFlags} is BPF_ANY/BPF_NOEXIST/BPF_EXIST for every element.
     */
    public void updateBatch(byte[] keys, byte[] values, int count, long elemFlags) {
        if (count == 0) {
            return;
        }
        Pointer k = mem(count * keySize);
        k.put(0, keys, 0, count * keySize);
        Pointer v = mem(count * valueSize);
        v.put(0, values, 0, count * valueSize);
        Pointer n = mem(4);
        n.putInt(0, count);
        Pointer opts = Opts.alloc(Opts.MapBatch.SIZE);
        opts.putLong(Opts.MapBatch.ELEM_FLAGS, elemFlags);
        int ret = Native.get().bpf().bpf_map_update_batch(fd, k, v, n, opts);
        if (ret < 0) {
            throw BpfException.fromErrno("bpf_map_update_batch " + name + " (" + n.getInt(0) + " of " + count + " written)", ret);
        }
    }

    /** Deletes {@code count} packed keys (BPF_MAP_DELETE_BATCH); every key must exist. */
    public void deleteBatch(byte[] keys, int count) {
        if (count == 0) {
            return;
        }
        Pointer k = mem(count * keySize);
        k.put(0, keys, 0, count * keySize);
        Pointer n = mem(4);
        n.putInt(0, count);
        int ret = Native.get().bpf().bpf_map_delete_batch(fd, k, n, Opts.alloc(Opts.MapBatch.SIZE));
        if (ret < 0) {
            throw BpfException.fromErrno("bpf_map_delete_batch " + name + " (" + n.getInt(0) + " of " + count + " deleted)", ret);
        }
    }

    /**
     * Visits every entry with BPF_MAP_LOOKUP_BATCH, {@code chunk} entries per syscall.
     * Entries changed concurrently may be seen or not, as with any map walk.
     */
    public void forEachBatch(int chunk, BiConsumer<byte[], byte[]> visitor) {
        Native nat = Native.get();
        Pointer keys = mem(chunk * keySize);
        Pointer values = mem(chunk * valueSize);
        Pointer inBatch = mem(Math.max(8, keySize));
        Pointer outBatch = mem(Math.max(8, keySize));
        Pointer n = mem(4);
        Pointer opts = Opts.alloc(Opts.MapBatch.SIZE);
        boolean first = true;
        while (true) {
            n.putInt(0, chunk);
            int ret = nat.bpf().bpf_map_lookup_batch(fd, first ? null : inBatch, outBatch, keys, values, n, opts);
            int got = n.getInt(0);
            if (ret < 0 && ret != -ENOENT) {
                throw BpfException.fromErrno("bpf_map_lookup_batch " + name, ret);
            }
            for (int i = 0; i < got; i++) {
                byte[] k = new byte[keySize];
                byte[] v = new byte[valueSize];
                keys.get((long) i * keySize, k, 0, keySize);
                values.get((long) i * valueSize, v, 0, valueSize);
                visitor.accept(k, v);
            }
            if (ret == -ENOENT) {
                return;
            }
            byte[] token = new byte[Math.max(8, keySize)];
            outBatch.get(0, token, 0, token.length);
            inBatch.put(0, token, 0, token.length);
            first = false;
        }
    }

    /** Pins the map at {@code path} on a bpffs. */
    public void pin(String path) {
        BpfException.check("bpf_obj_pin " + path, Native.get().bpf().bpf_obj_pin(fd, path));
    }

    @Override
    public void close() {
        if (ownsFd) {
            Native.get().libc().close(fd);
        }
    }
}
