package io.gannet.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What one lab created, in {@code DIR/lab.json}: written before each thing is created (a
 * namespace, a process's pid file) and right after a process starts (its pid), so that
 * {@code down} removes exactly the lab's own things even when {@code up} crashed or was killed
 * half way. The file is replaced atomically (write, then rename).
 */
public final class LabState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String FILE = "lab.json";

    /** A daemon of the lab: a node's {@code gannet run} or a switch. */
    public record Node(String name, String namespace, String address, String podCidr, String socket, String cniSocket,
            String log, long pid) {}

    public record Switch(String name, String namespace, String address, String dir, String router) {}

    public record Pod(String name, String node, String namespace, String address) {}

    /** The whole record; lists grow as {@code up} proceeds. */
    public static final class Data {
        public String name;
        public String profile;
        public String labProfile;
        public String router;
        public String dir;
        public String segment;
        public boolean complete;
        public List<String> namespaces = new ArrayList<>();
        public List<Long> pids = new ArrayList<>();
        public List<String> pidFiles = new ArrayList<>();
        public List<String> pinnedMaps = new ArrayList<>();
        public List<Node> nodes = new ArrayList<>();
        public List<Switch> switches = new ArrayList<>();
        public List<Pod> pods = new ArrayList<>();
        /** L4LB hosts (podCidr empty), the VIP they announce, their switches, and the outside client asking it. */
        public List<Node> l4lbs = new ArrayList<>();
        /** Host name -> the lab switches it peers with (its sessions and PodCIDR are checked on those only). */
        public java.util.Map<String, List<String>> peers = new java.util.TreeMap<>();
        public String vip;
        /** The lab's etcd: its address on the segment and its namespace (URL and log follow, LabStore); each node's PodCIDR source (the store, or "profile"). */
        public String storeAddress;
        public String storeNamespace;
        public java.util.Map<String, String> podCidrSources = new java.util.TreeMap<>();
        public List<String> vipSwitches = new ArrayList<>();
        public String vipClient;
        public String vipClientAddress;
    }

    private final Path file;
    private final Data data;

    private LabState(Path file, Data data) {
        this.file = file;
        this.data = data;
    }

    static LabState create(Path dir, Data data) {
        LabState s = new LabState(dir.resolve(FILE), data);
        s.save();
        return s;
    }

    /** The state of the lab in {@code dir}, or null when there is none. */
    public static LabState read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return new LabState(f, JSON.readValue(f.toFile(), Data.class));
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": unreadable lab state: " + e.getMessage(), e);
        }
    }

    public Data data() {
        return data;
    }

    void save() {
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            JSON.writeValue(tmp.toFile(), data);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write lab state: " + e.getMessage(), e);
        }
    }
}
