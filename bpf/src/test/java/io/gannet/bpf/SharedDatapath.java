package io.gannet.bpf;

import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.BpfObject;
import io.gannet.bpf.libbpf.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A test class's datapath, loaded once: {@link Datapath#open} runs the verifier over every
 * program of four objects (seconds), BPF_PROG_TEST_RUN of a packet takes microseconds. Each
 * test gets {@link #fresh()}: every map of the loaded objects emptied (hash, LRU and LPM
 * maps lose every key, arrays and per-CPU arrays are zeroed, queues drained), every link pin
 * removed, and a new {@link Datapath} built over them as {@code open} builds one, so it
 * starts from what a fresh open on an empty pin root gives ({@code SharedDatapathTest} checks
 * that map by map). The maps come from the objects ({@link BpfObject#maps()}), not from a
 * list here, so a map added to the C source is reset without a change here; a map of a type
 * this class does not know stops the reset.
 */
public final class SharedDatapath implements AutoCloseable {
    /** This class's pin root, removed by {@link #close}. */
    final Path pinRoot;
    private Datapath loaded;

    private SharedDatapath(Path pinRoot, Datapath loaded) {
        this.pinRoot = pinRoot;
        this.loaded = loaded;
    }

    /** Loads the objects on a pin root of its own, with the options every test opens with. */
    static SharedDatapath load() {
        return load(DatapathFixture::options);
    }

    /** Loads the objects on a pin root of its own, with the options {@code options} gives for it (other modules' tests). */
    public static SharedDatapath load(java.util.function.Function<Path, DatapathOptions> options) {
        Path root = DatapathFixture.uniquePinRoot();
        return new SharedDatapath(root, Datapath.open(options.apply(root)));
    }

    /** Resets every map and link pin, and returns a new Datapath over the loaded objects (closing it keeps them). */
    public Datapath fresh() {
        reset();
        return loaded.sharingObjects();
    }

    /** Empties every map of the loaded objects and removes every link pin. */
    void reset() {
        for (BpfObject o : loaded.objects()) {
            for (BpfMap m : o.maps()) {
                reset(o, m);
            }
        }
        // A link pin a test left (its device gone or not): a fresh pin root has no links directory.
        Path links = PinLayout.linksDir(pinRoot);
        if (Files.isDirectory(links)) {
            try (Stream<Path> s = Files.walk(links)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void reset(BpfObject o, BpfMap m) {
        BpfMap.Info info = m.info();
        switch (info.type()) {
            case BpfMap.Info.HASH, BpfMap.Info.LRU_HASH, BpfMap.Info.LPM_TRIE, BpfMap.Info.PERCPU_HASH,
                 BpfMap.Info.LRU_PERCPU_HASH -> {
                for (byte[] k = m.nextKey(null); k != null; k = m.nextKey(null)) {
                    m.delete(k);
                }
            }
            case BpfMap.Info.ARRAY -> {
                if (info.readOnlyToPrograms()) {
                    return; // libbpf's frozen .rodata: set at load from the options, the same in every open with them
                }
                byte[] zero = new byte[m.valueSize()];
                for (int i = 0; i < m.maxEntries(); i++) {
                    m.update(u32(i), zero, BpfMap.BPF_ANY);
                }
            }
            case BpfMap.Info.PERCPU_ARRAY -> {
                byte[] zero = new byte[perCpuSize(m)];
                for (int i = 0; i < m.maxEntries(); i++) {
                    m.updatePerCpu(u32(i), zero, BpfMap.BPF_ANY);
                }
            }
            case BpfMap.Info.QUEUE -> {
                while (m.pop() != null) {
                    // drained
                }
            }
            default -> throw new IllegalStateException(o.file().getFileName() + ": map " + m.name() + " is of type "
                    + info.type() + ", which SharedDatapath cannot reset: teach it, or tests share its contents");
        }
    }

    /**
     * Every map's contents, by object and map name: each entry as {@code key=value} in hex
     * (per-CPU values as every CPU's), in key order; a queue's oldest first (popped and pushed back).
     */
    static Map<String, List<String>> contents(Datapath dp) {
        Map<String, List<String>> out = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        for (BpfObject o : dp.objects()) {
            for (BpfMap m : o.maps()) {
                BpfMap.Info info = m.info();
                List<String> entries = new ArrayList<>();
                if (info.type() == BpfMap.Info.QUEUE) {
                    List<byte[]> values = new ArrayList<>();
                    for (byte[] v = m.pop(); v != null; v = m.pop()) {
                        values.add(v);
                        entries.add(hex.formatHex(v));
                    }
                    values.forEach(m::push); // back in the same order
                } else {
                    for (byte[] k = m.nextKey(null); k != null; k = m.nextKey(k)) {
                        byte[] v = info.perCpu() ? m.lookupPerCpu(k) : m.lookup(k);
                        entries.add(hex.formatHex(k) + "=" + (v == null ? "gone" : hex.formatHex(v)));
                    }
                    entries.sort(null);
                }
                out.put(o.file().getFileName() + "/" + m.name(), entries);
            }
        }
        return out;
    }

    /** The files under a pin root, relative to it: maps, program and link pins. */
    static List<String> pins(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After a test's agent restart: {@code reopened}, a {@link Datapath#open} on this pin root with
     * the options {@link #load} uses, becomes the loaded datapath (it re-adopted the pinned maps
     * and pinned its programs); the objects loaded before are closed.
     */
    void adopt(Datapath reopened) {
        Datapath old = loaded;
        loaded = reopened;
        old.close();
    }

    /** The loaded datapath itself (tests of this class). */
    Datapath loaded() {
        return loaded;
    }

    static int perCpuSize(BpfMap m) {
        return ((m.valueSize() + 7) & ~7) * Native.get().bpf().libbpf_num_possible_cpus();
    }

    static byte[] u32(int i) {
        return new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)};
    }

    /** Closes the objects and removes the pin root. */
    @Override
    public void close() {
        try {
            loaded.close();
        } finally {
            Datapath.removePins(pinRoot);
        }
    }
}
